"""Screening: the record typed in, every criterion's verdict shown live, then stored.

The live verdicts are the eligibility engine's (hyposti.eligibility.screen) on the partial
record; storing goes through the service's screening_record, which screens again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from hyposti.eligibility import ScreeningRecord, screen
from hyposti.errors import HypostiError, InputError, validation_problems
from hyposti.service.access import participant_for
from hyposti.service.models import UserProfile
from hyposti.service.services.participants import screening_attest, screening_record
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.forms import Section, flatten, parse, sections
from hyposti.web.views.common import (
    FORM_REFUSALS,
    AuthenticatedHttpRequest,
    form_page,
    now,
    page,
    show,
    today,
)

#: Filled in by the service from the participant, never typed.
SERVICE_FIELDS = {"participant_id"}


def screening_sections() -> list[Section]:
    return [
        type(s)(s.title, tuple(f for f in s.fields if f.name not in SERVICE_FIELDS))
        for s in sections(ScreeningRecord, "screening")
    ]


@page
def screening_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    participant = participant_for(profile, subject_id)
    problem: HypostiError | None = None
    if request.method == "POST":
        try:
            record = parse(request.POST, ScreeningRecord)
            screening_record(user=request.user, now=now(), subject_id=subject_id, record=record)
            return redirect("casebook", subject_id)
        except FORM_REFUSALS as exc:
            problem = exc
    latest = participant.screenings.order_by("-pk").first()
    context = {
        "participant": participant,
        "sections": screening_sections(),
        "values": flatten(latest.record) if latest and latest.record else {},
        "check_url": request.path + "check",
    }
    return form_page(request, "web/screening.html", context, problem=problem, profile=profile)


@page
def screening_check_view(
    request: HttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    """The engine's verdict on the record as typed so far (HTMX partial)."""
    participant_for(profile, subject_id)
    context: dict[str, object] = {}
    try:
        data = parse(request.POST, ScreeningRecord)
        record = ScreeningRecord.model_validate({**data, "participant_id": subject_id})
        context["result"] = screen(record, trial_protocol(), today())
    except ValidationError as exc:
        context["problems"] = validation_problems(exc)
    except HypostiError as exc:
        context["problems"] = [str(exc)]
    return show(request, "web/screening_verdicts.html", context, profile=profile)


@require_POST
@page
def attest_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str, criterion_id: str
) -> HttpResponse:
    """The investigator's signed judgement on a criterion awaiting review; screens again."""
    choice = request.POST.get("satisfied", "")
    if choice not in ("yes", "no"):
        raise InputError("satisfied", choice, "choose yes (criterion fulfilled) or no")
    screening_attest(
        user=request.user,
        now=now(),
        subject_id=subject_id,
        criterion_id=criterion_id,
        satisfied=choice == "yes",
        note=request.POST.get("note", ""),
        password=request.POST.get("password", ""),
    )
    return redirect("casebook", subject_id)
