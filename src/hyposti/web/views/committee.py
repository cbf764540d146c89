"""The safety review committee: cohort table, DLT adjudications, the design's recommendation,
the dose paths ahead (with probabilities under DLT rates the committee assumes), and the
signed decision that opens the next cohort (hyposti.service.services.escalation)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hyposti.design import design_from_protocol, dose_paths
from hyposti.design.protocol_design import protocol_dose_levels
from hyposti.errors import HypostiError, InputError
from hyposti.service.access import authorize
from hyposti.service.models import Cohort, UserProfile
from hyposti.service.selectors import cohort_table
from hyposti.service.services.escalation import (
    PATHS_AHEAD,
    cohort_review_data,
    escalation_decide,
)
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.views.common import AuthenticatedHttpRequest, now, page, show, today


def _waiting() -> Cohort | None:
    return (
        Cohort.objects.filter(phase="escalation", decision__isnull=True).order_by("number").first()
    )


def _int(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise InputError(name, raw, "must be a whole number") from exc


@page
def committee_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    authorize(request.user, "escalation.review")
    waiting = _waiting()
    if request.method == "POST":
        if waiting is None:
            raise InputError("cohort", None, "no escalation cohort awaits a decision")
        escalation_decide(
            user=request.user,
            now=now(),
            number=waiting.number,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            password=request.POST.get("password", ""),
            next_dose_level=_int(request, "next_dose_level"),
            mtd_dose_level=_int(request, "mtd_dose_level"),
            rp2d_rationale=request.POST.get("rp2d_rationale", ""),
        )
        return redirect("committee")
    protocol = trial_protocol()
    context: dict[str, Any] = {
        "cohorts": cohort_table(),
        "review": cohort_review_data(waiting.number, today()) if waiting else None,
        "waiting": waiting,
        "doses": [d.level for d in protocol.investigational_product.dose_levels],
        "decisions": ("escalate", "stay", "de-escalate", "stop", "expand"),
        "paths_ahead": PATHS_AHEAD,
    }
    return show(request, "web/committee.html", context, profile=profile)


def dlt_rates(request: HttpRequest, num_doses: int) -> list[float] | None:
    """The true DLT rates typed per dose (``p1`` ... ``pK``); None when none is typed."""
    raw = [request.POST.get(f"p{d}", "").strip() for d in range(1, num_doses + 1)]
    if not any(raw):
        return None
    try:
        return [float(r) for r in raw]
    except ValueError as exc:
        raise InputError(
            "true DLT rates", ", ".join(raw), "give a rate 0-1 for every dose"
        ) from exc


@page
def paths_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    """The dose paths after the current history, with each path's probability when DLT rates
    are assumed (hyposti.design.dose_paths, exact enumeration) — HTMX partial."""
    authorize(request.user, "escalation.review")
    protocol = trial_protocol()
    design = design_from_protocol(protocol)
    waiting = _waiting()
    context: dict[str, Any] = {}
    try:
        history = cohort_review_data(waiting.number, today()).outcomes if waiting else ""
        paths = dose_paths(design, PATHS_AHEAD, history, dlt_rates(request, design.num_doses))
        context["paths"] = paths.to_dict(protocol_dose_levels(protocol).label)
    except HypostiError as exc:
        context["problem"] = str(exc)
    return show(request, "web/paths.html", context, profile=profile)
