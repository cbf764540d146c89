"""The dashboard: the trial at a glance for every role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from hyposti.service.models import Cohort, Study, UserProfile
from hyposti.service.selectors import cohort_table
from hyposti.service.services.escalation import cohort_review_data
from hyposti.service.services.expansion import expansion_status
from hyposti.web import summaries
from hyposti.web.views.common import page, show, today

#: Rows shown per dashboard list (the rest is counted; the casebooks hold everything).
LIST_MAX = 15

#: Patients per line of the stopping-boundary table: 11 columns read without a sideways scroll
#: on a tablet (768 px) as on a desktop, where a scroll would hide the counts and the caption.
BOUNDARY_COLUMNS = 11


def boundary_lines(stop_if_dlt_ge: list[int | None]) -> list[list[tuple[int, int | None]]]:
    """The stopping boundary (entry n-1: the DLT count that stops at n evaluable patients) as
    (n, count) pairs in lines of near-equal length, at most ``BOUNDARY_COLUMNS`` each: 12
    patients read as two lines of 6, not 11 and a lone 12th."""
    pairs = list(enumerate(stop_if_dlt_ge, start=1))
    lines = -(-len(pairs) // BOUNDARY_COLUMNS)
    width = -(-len(pairs) // lines) if lines else 0
    return [pairs[i : i + width] for i in range(0, len(pairs), width)] if width else []


def escalation_status() -> dict[str, Any]:
    """The first escalation cohort awaiting the committee, with the design's recommendation
    for it; or, once escalation is over, the MTD and RP2D the committee declared."""
    waiting = (
        Cohort.objects.filter(phase="escalation", decision__isnull=True).order_by("number").first()
    )
    study = Study.objects.first()
    if waiting is None:
        return {"review": None, "study": study}
    return {"review": cohort_review_data(waiting.number, today()), "study": study}


@page
def dashboard_view(request: HttpRequest, profile: UserProfile) -> HttpResponse:
    day = today()
    cohorts = cohort_table()
    for c in cohorts:
        c["free"] = c["slots"] - c["enrolled"]
    overdue, upcoming = summaries.visits_due(profile, day)
    windows = summaries.dlt_windows(profile, day)
    severe, severe_total = summaries.severe_adverse_events(profile, day, LIST_MAX)
    expansion = expansion_status(day)
    boundary_table = (
        [] if expansion is None else boundary_lines(expansion["monitoring"]["stop_if_dlt_ge"])
    )
    context = {
        "today": day,
        "cohorts": cohorts,
        "escalation": escalation_status(),
        "expansion": expansion,
        "boundary_table": boundary_table,
        "windows": windows[:LIST_MAX],
        "windows_more": max(0, len(windows) - LIST_MAX),
        "overdue": overdue[:LIST_MAX],
        "overdue_more": max(0, len(overdue) - LIST_MAX),
        "upcoming": upcoming[:LIST_MAX],
        "upcoming_more": max(0, len(upcoming) - LIST_MAX),
        "queries": summaries.open_queries(profile),
        "severe": severe,
        "severe_more": severe_total - len(severe),
        "recent_days": summaries.RECENT_AE_DAYS,
        "upcoming_days": summaries.UPCOMING_DAYS,
    }
    return show(request, "web/dashboard.html", context, profile=profile)
