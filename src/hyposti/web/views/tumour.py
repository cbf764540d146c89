"""Tumour assessment entry: lesions per scan, the RECIST 1.1 result shown live, the
participant's spider plot (per cent change of the target sum from baseline by study day), and
each scan's iRECIST response (Seymour 2017) beside its RECIST 1.1 one, each with its rule.

The live result is the service's own save of the scan (tumour_assessment_preview stores it as
tumour_assessment_record does and runs the response engine) inside a transaction that is rolled
back: what is shown is exactly what saving gives, and nothing is kept until the user saves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hyposti.data.schema import LESION_STATES, METHODS, NON_TARGET_STATUSES
from hyposti.errors import HypostiError, InputError
from hyposti.response import TimePointResponse, assess_patient
from hyposti.service.access import participant_for
from hyposti.service.models import Participant, UserProfile
from hyposti.service.services.followup import (
    participant_tumour_data,
    tumour_assessment_preview,
    tumour_assessment_record,
)
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.views.common import AuthenticatedHttpRequest, now, page, show, today
from hyposti.web.views.participants import posted_date

#: Blank rows offered for lesions declared at this scan.
NEW_ROWS = 3
#: Spider plot size (SVG user units).
PLOT_W, PLOT_H = 560, 220


class _PreviewError(Exception):
    """Raised to roll back a preview save, carrying the response it computed."""

    def __init__(self, response: dict[str, Any] | None) -> None:
        self.response = response


def _lesions(request: HttpRequest) -> list[dict[str, Any]]:
    rows = []
    for i in range(int(request.POST.get("rows", "0") or 0)):
        lesion_id = request.POST.get(f"l{i}-lesion_id", "").strip()
        diameter = request.POST.get(f"l{i}-diameter_mm", "").strip()
        state = request.POST.get(f"l{i}-state", "")
        if not lesion_id or (not diameter and not state):
            continue
        try:
            value = float(diameter) if diameter else None
        except ValueError as exc:
            raise InputError(f"lesions[{i}].diameter_mm", diameter, "must be a number") from exc
        rows.append(
            {
                "lesion_id": lesion_id,
                "organ": request.POST.get(f"l{i}-organ", ""),
                "lymph_node": request.POST.get(f"l{i}-lymph_node") == "yes",
                "category": request.POST.get(f"l{i}-category") or None,
                "method": request.POST.get(f"l{i}-method", ""),
                "state": state or None,
                "diameter_mm": value,
            }
        )
    return rows


def _scan(request: AuthenticatedHttpRequest, subject_id: str) -> dict[str, Any]:
    return {
        "user": request.user,
        "now": now(),
        "subject_id": subject_id,
        "assessment_date": posted_date(request, "assessment_date"),
        "baseline": request.POST.get("baseline") == "yes",
        "lesions": _lesions(request),
        "non_target_status": request.POST.get("non_target_status", ""),
    }


def spider(time_points: list[TimePointResponse]) -> dict[str, Any] | None:
    """Points of the spider plot: each follow-up scan's per cent change of the target sum from
    baseline (the response engine's time points), from day 0 at 0%."""
    points = [(0, 0.0)] + [
        (tp.study_day, tp.pct_from_baseline)
        for tp in time_points
        if tp.pct_from_baseline is not None
    ]
    if len(points) < 2:
        return None
    last_day = max(d for d, _ in points) or 1
    low, high = min(-100.0, *(p for _, p in points)), max(40.0, *(p for _, p in points))

    def xy(day: float, pct: float) -> tuple[float, float]:
        return 40 + day / last_day * (PLOT_W - 60), 10 + (high - pct) / (high - low) * (PLOT_H - 30)

    coords = [xy(d, p) for d, p in points]
    return {
        "polyline": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        "points": [
            {"x": x, "y": y, "day": d, "pct": p}
            for (x, y), (d, p) in zip(coords, points, strict=True)
        ],
        "zero_y": xy(0, 0)[1],
        "pr_y": xy(0, -30)[1],
        "pd_y": xy(0, 20)[1],
        "width": PLOT_W,
        "height": PLOT_H,
        "last_day": last_day,
    }


def recist_beside_irecist(participant: Participant, day: dt.date) -> list[dict[str, Any]]:
    """Each follow-up scan's RECIST 1.1 and iRECIST time-point responses with their rules, from
    the response engine run both ways over the participant's stored scans."""
    data = participant_tumour_data(participant, day)
    if data is None:
        return []
    spec = trial_protocol().response
    recist = assess_patient(data, spec, "recist11").time_points
    irecist = assess_patient(data, spec, "irecist").time_points
    return [{"recist": r, "irecist": i} for r, i in zip(recist, irecist, strict=True)]


@page
def tumour_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    participant = participant_for(profile, subject_id)
    if request.method == "POST":
        tumour_assessment_record(**_scan(request, subject_id))
        return redirect("casebook", subject_id)
    known = list(participant.lesions.order_by("lesion_id"))
    rows = [{"lesion": le, "index": i} for i, le in enumerate(known)]
    rows += [{"lesion": None, "index": len(known) + i} for i in range(NEW_ROWS)]
    courses = recist_beside_irecist(participant, today())
    context = {
        "participant": participant,
        "baseline_done": participant.tumour_assessments.filter(baseline=True).exists(),
        "rows": rows,
        "row_count": len(rows),
        "states": LESION_STATES,
        "methods": METHODS,
        "non_target_statuses": NON_TARGET_STATUSES,
        "today": today(),
        "spider": spider([c["recist"] for c in courses]),
        "courses": courses,
        "check_url": request.path + "check",
    }
    return show(request, "web/tumour.html", context, profile=profile)


@page
def tumour_check_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    """The response the scan as typed would give (saved, computed, rolled back) — HTMX."""
    context: dict[str, Any] = {}
    try:
        with transaction.atomic():
            raise _PreviewError(tumour_assessment_preview(**_scan(request, subject_id)))
    except _PreviewError as preview:
        context["response"] = preview.response
    except HypostiError as exc:
        context["problem"] = str(exc)
    return show(request, "web/tumour_result.html", context, profile=profile)
