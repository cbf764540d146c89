"""Adverse events: CTCAE term and grade, or the CRS / ICANS / CRES calculators graded live;
the DLT engine's proposal; the investigator's confirm-or-override with a signature."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from hyposti.data.schema import ATTRIBUTION
from hyposti.errors import HypostiError, InputError, validation_problems
from hyposti.service.access import participant_for
from hyposti.service.models import AdverseEvent, UserProfile
from hyposti.service.services.safety import GRADERS, adverse_event_confirm_dlt, adverse_event_record
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.forms import parse, sections
from hyposti.web.views.common import (
    FORM_REFUSALS,
    AuthenticatedHttpRequest,
    form_page,
    now,
    page,
    show,
)
from hyposti.web.views.participants import posted_date


def _grader(request: HttpRequest) -> str | None:
    name = request.POST.get("grader") or request.GET.get("grader") or ""
    if name and name not in GRADERS:
        raise InputError("grader", name, f"must be one of {', '.join(GRADERS)}")
    return name or None


def _observation(request: HttpRequest, grader: str) -> dict[str, Any]:
    return parse(request.POST, GRADERS[grader][0], prefix=f"{grader}.")


@page
def adverse_event_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    """Record an adverse event; a refused one shows the form again as typed (the calculator's
    findings included), with the reason."""
    participant = participant_for(profile, subject_id)
    problem: HypostiError | None = None
    if request.method == "POST":
        try:
            ae = _record(request, subject_id)
            return redirect(f"/participants/{subject_id}/#ae-{ae.ae_id}")
        except FORM_REFUSALS as exc:
            problem = exc
    grader = request.POST.get("grader", "") if problem else ""
    context = {
        "participant": participant,
        "attribution": ATTRIBUTION,
        "products": [
            {"id": p.id, "name": p.name, "field": f"attribution_{p.id}"}
            for p in trial_protocol().products
        ],
        "graders": list(GRADERS),
        "grader": grader if grader in GRADERS else None,
        "sections": sections(GRADERS[grader][0], prefix=f"{grader}.") if grader in GRADERS else [],
    }
    return form_page(request, "web/adverse_event.html", context, problem=problem, profile=profile)


def _grade(raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise InputError("grade", raw, "must be a whole CTCAE grade (1 to 5)") from exc


def _record(request: AuthenticatedHttpRequest, subject_id: str) -> AdverseEvent:
    grader = _grader(request)
    grade = request.POST.get("grade", "").strip()
    resolution = request.POST.get("resolution_date", "").strip()
    return adverse_event_record(
        user=request.user,
        now=now(),
        subject_id=subject_id,
        onset_date=posted_date(request, "onset_date"),
        resolution_date=posted_date(request, "resolution_date") if resolution else None,
        serious=request.POST.get("serious") == "yes",
        attribution={
            p.id: request.POST.get(f"attribution_{p.id}", "") for p in trial_protocol().products
        },
        term=request.POST.get("term", "").strip() or None,
        grade=None if grader or not grade else _grade(grade),
        grader=grader,
        observation=_observation(request, grader) if grader else None,
    )


@page
def observation_fields_view(request: HttpRequest, profile: UserProfile) -> HttpResponse:
    """The chosen grader's findings as form fields (HTMX partial)."""
    grader = _grader(request)
    context: dict[str, Any] = {
        "grader": grader,
        "sections": sections(GRADERS[grader][0], prefix=f"{grader}.") if grader else [],
        "values": {},
    }
    return show(request, "web/observation_fields.html", context, profile=profile)


@page
def grade_check_view(request: HttpRequest, profile: UserProfile) -> HttpResponse:
    """The grader's grade and deciding finding for the findings entered so far (HTMX partial)."""
    grader = _grader(request)
    context: dict[str, Any] = {"grader": grader}
    if grader:
        kind, grade_fn, term = GRADERS[grader]
        try:
            context["result"] = grade_fn(kind.model_validate(_observation(request, grader)))
            context["term"] = term
        except ValidationError as exc:
            context["problems"] = validation_problems(exc)
        except HypostiError as exc:
            context["problems"] = [str(exc)]
    return show(request, "web/grade_result.html", context, profile=profile)


@require_POST
@page
def dlt_decision_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, ae_id: str
) -> HttpResponse:
    """The investigator confirms or overrides the DLT proposal, signing with the password."""
    choice = request.POST.get("is_dlt", "")
    if choice not in ("yes", "no"):
        raise InputError("is_dlt", choice, "choose yes (a DLT) or no")
    ae = adverse_event_confirm_dlt(
        user=request.user,
        now=now(),
        ae_id=ae_id,
        is_dlt=choice == "yes",
        reason=request.POST.get("reason", ""),
        password=request.POST.get("password", ""),
    )
    return redirect(f"/participants/{ae.participant.subject_id}/#ae-{ae.ae_id}")
