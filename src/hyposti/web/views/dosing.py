"""Dosing: BSA, mg per day and the cell dose computed by hyposti.dosing as the values are
typed, then kept through the service (which computes them again and refuses a dose out of
the protocol's range)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hyposti.dosing import patient_doses
from hyposti.errors import HypostiError, InputError
from hyposti.service.access import participant_for
from hyposti.service.models import UserProfile
from hyposti.service.services.treatment import dosing_record, enrolled_dose_level
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.views.common import (
    FORM_REFUSALS,
    AuthenticatedHttpRequest,
    form_page,
    now,
    page,
    show,
)


def _number(request: HttpRequest, name: str, required: bool = True) -> float | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        if required:
            raise InputError(name, raw, "is required")
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise InputError(name, raw, "must be a number") from exc


def _inputs(request: HttpRequest) -> dict[str, Any]:
    agents = trial_protocol().preconditioning
    return {
        "weight_kg": _number(request, "weight_kg"),
        "height_cm": _number(request, "height_cm", required=False),
        "agent_doses": {
            a.name: value
            for a in agents
            if (value := _number(request, f"dose:{a.name}", required=False)) is not None
        },
    }


@page
def dosing_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    participant = participant_for(profile, subject_id)
    problem: HypostiError | None = None
    if request.method == "POST":
        try:
            dosing_record(user=request.user, now=now(), subject_id=subject_id, **_inputs(request))
            return redirect("casebook", subject_id)
        except FORM_REFUSALS as exc:
            problem = exc
    context = {
        "participant": participant,
        "dose_level": enrolled_dose_level(participant),
        "agents": [
            {"agent": a, "field": f"dose:{a.name}"} for a in trial_protocol().preconditioning
        ],
        "values": {
            "weight_kg": participant.weight_kg if participant.weight_kg is not None else "",
            "height_cm": participant.height_cm if participant.height_cm is not None else "",
        },
        "check_url": request.path + "check",
    }
    return form_page(request, "web/dosing.html", context, problem=problem, profile=profile)


@page
def dosing_check_view(request: HttpRequest, profile: UserProfile, subject_id: str) -> HttpResponse:
    """The dosing engine's doses for the values typed so far (HTMX partial)."""
    participant = participant_for(profile, subject_id)
    context: dict[str, Any] = {}
    try:
        context["doses"] = patient_doses(
            trial_protocol(), dose_level=enrolled_dose_level(participant), **_inputs(request)
        )
    except HypostiError as exc:
        context["problem"] = str(exc)
    return show(request, "web/dosing_result.html", context, profile=profile)
