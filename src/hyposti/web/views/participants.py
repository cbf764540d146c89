"""The participant list, registration of a candidate, consent, enrolment and administrations."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from hyposti.errors import HypostiError, InputError
from hyposti.service.models import Site, UserProfile
from hyposti.service.permissions import SITE_BOUND
from hyposti.service.selectors import participant_list
from hyposti.service.services import enrolment, participants, treatment
from hyposti.web.views.common import (
    FORM_REFUSALS,
    AuthenticatedHttpRequest,
    form_page,
    now,
    page,
    show,
)


def posted_date(request: HttpRequest, name: str) -> dt.date:
    raw = request.POST.get(name, "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise InputError(name, raw, "must be a date (YYYY-MM-DD)") from exc


#: A number typed into a form field.
Number = TypeVar("Number", int, float)


def _optional(request: HttpRequest, name: str, kind: type[Number]) -> Number | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError as exc:
        raise InputError(name, raw, f"must be a {kind.__name__}") from exc


def _required(request: HttpRequest, name: str, kind: type[Number]) -> Number:
    value = _optional(request, name, kind)
    if value is None:
        raise InputError(name, "", "is required")
    return value


@page
def participants_view(request: HttpRequest, profile: UserProfile) -> HttpResponse:
    rows = participant_list(profile)
    return show(request, "web/participants.html", {"rows": rows}, profile=profile)


@page
def register_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    """Register a candidate in screening (participant_create decides who may, and where); a
    refused registration shows the form again as typed, with the reason."""
    problem: HypostiError | None = None
    if request.method == "POST":
        try:
            p = participants.participant_create(
                user=request.user,
                now=now(),
                subject_id=request.POST.get("subject_id", "").strip(),
                site_code=request.POST.get("site_code", ""),
                sex=request.POST.get("sex", ""),
                age_years=_required(request, "age_years", int),
                weight_kg=_optional(request, "weight_kg", float),
                height_cm=_optional(request, "height_cm", float),
                tumour_type=request.POST.get("tumour_type", ""),
                her2_expression_pct=_optional(request, "her2_expression_pct", float),
                ecog=_optional(request, "ecog", int),
            )
            return redirect("casebook", p.subject_id)
        except FORM_REFUSALS as exc:
            problem = exc
    sites = [profile.site] if profile.role in SITE_BOUND else list(Site.objects.order_by("code"))
    return form_page(
        request, "web/register.html", {"sites": sites}, problem=problem, profile=profile
    )


@require_POST
@page
def consent_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    participants.participant_consent(
        user=request.user,
        now=now(),
        subject_id=subject_id,
        consent_date=posted_date(request, "consent_date"),
    )
    return redirect("casebook", subject_id)


@require_POST
@page
def enrol_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    enrolment.participant_enrol(
        user=request.user,
        now=now(),
        subject_id=subject_id,
        enrolment_date=posted_date(request, "enrolment_date"),
    )
    return redirect("casebook", subject_id)


@require_POST
@page
def administer_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    treatment.administration_record(
        user=request.user,
        now=now(),
        subject_id=subject_id,
        product=request.POST.get("product", ""),
        administration_date=posted_date(request, "administration_date"),
    )
    return redirect("casebook", subject_id)
