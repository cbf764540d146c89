"""Reads for the pages that the service's selectors do not offer: DLT windows in progress,
visits due from the protocol calendar, open queries by participant, recent severe AEs.

Each reads the models once per page (no query per participant) and leaves every rule to the
engines: the visit windows are hyposti.dosing.visit_schedule's, the DLT window the protocol's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hyposti.dosing.calendar import visit_schedule
from hyposti.service.access import visible_participants
from hyposti.service.models import (
    AdverseEvent,
    DataQuery,
    Disposition,
    TumourAssessment,
    UserProfile,
)
from hyposti.service.services.integrity import CORRECTABLE
from hyposti.service.trial_protocol import trial_protocol

#: Visits shown as upcoming when their window opens within this many days.
UPCOMING_DAYS = 7
#: Severe AEs shown when their onset is within this many days.
RECENT_AE_DAYS = 60
#: Overdue scans are looked for this many days back (older gaps belong to the casebook).
OVERDUE_LOOKBACK_DAYS = 90


@dataclass(frozen=True)
class DltWindow:
    subject_id: str
    dose_level: int | None
    infusion_date: dt.date
    window_end: dt.date
    days_remaining: int


def dlt_windows(profile: UserProfile, today: dt.date) -> list[DltWindow]:
    """Participants in their DLT window, the window's last day and the days left (protocol
    DLT window: day 0 to ``dlt.window_last_day`` after infusion)."""
    last_day = trial_protocol().dlt.window_last_day
    qs = visible_participants(profile).filter(state="dlt_window")
    rows = []
    for subject_id, dose_level, infusion_date in qs.order_by(
        "infusion_date", "subject_id"
    ).values_list("subject_id", "enrolment__cohort__dose_level", "infusion_date"):
        if infusion_date is None:  # the DLT window opens at the infusion: every row was infused
            continue
        end = infusion_date + dt.timedelta(days=last_day)
        rows.append(DltWindow(subject_id, dose_level, infusion_date, end, (end - today).days))
    return rows


@dataclass(frozen=True)
class DueVisit:
    subject_id: str
    study_day: int
    label: str
    kind: str
    date: dt.date
    earliest: dt.date
    latest: dt.date
    status: str


def scans_end(
    progression: dt.date | None,
    new_therapy: dt.date | None,
    death: dt.date | None,
    scans: list[dt.date],
    scan_windows_open: list[dt.date],
) -> dt.date | None:
    """The last day a scan visit may open and still be due, or None while all are.

    Scans end with death and with a new anticancer therapy (a response after it is not the
    trial treatment's). After a documented progression one more scan confirms it (iRECIST,
    Seymour 2017: iUPD is confirmed at the next assessment, 4-8 weeks later), so the first scan
    visit opening after the progression is still due, and none after that visit or after a scan
    done since the progression (RECIST 1.1, Eisenhauer 2009, assesses response up to
    progression). ``scan_windows_open``: the opening days of the scan visits, in order.
    """
    ends = [d for d in (new_therapy, death) if d is not None]
    if progression is not None:
        since = [d for d in scans if d > progression]
        following = [d for d in scan_windows_open if d > progression]
        if since:
            ends.append(min(since))
        elif following:
            ends.append(following[0])
    return min(ends, default=None)


def visits_due(profile: UserProfile, today: dt.date) -> tuple[list[DueVisit], list[DueVisit]]:
    """(overdue, upcoming): tumour-assessment visits whose window has passed without a scan in
    it, and visits whose window is open now or opens within ``UPCOMING_DAYS``. A scan visit is
    not due once its window holds a scan, nor when it opens after ``scans_end``; no visit is due
    after a recorded death."""
    protocol = trial_protocol()
    on_study = (
        visible_participants(profile).filter(infusion_date__isnull=False).exclude(state="off_study")
    )
    participants = list(on_study.values_list("pk", "subject_id", "infusion_date"))
    scans: dict[int, list[dt.date]] = {}
    for pid, date in TumourAssessment.objects.filter(
        participant__in=[pk for pk, _, _ in participants]
    ).values_list("participant_id", "assessment_date"):
        scans.setdefault(pid, []).append(date)
    dispositions = {
        row[0]: row[1:]
        for row in Disposition.objects.filter(
            participant__in=[pk for pk, _, _ in participants]
        ).values_list("participant_id", "progression_date", "new_therapy_date", "death_date")
    }
    soon = today + dt.timedelta(days=UPCOMING_DAYS)
    lookback = today - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS)
    overdue, upcoming = [], []
    # visit_schedule dates every visit and window at fixed day offsets from the infusion, so
    # one schedule moved by each participant's infusion date is that participant's schedule.
    reference = dt.date(2000, 1, 1)
    schedule = visit_schedule(protocol, reference)
    for pk, subject_id, infusion_date in participants:
        if infusion_date is None:  # on_study holds infused participants only
            continue
        shift = infusion_date - reference
        progression, therapy, death = dispositions.get(pk, (None, None, None))
        scans_until = scans_end(
            progression, therapy, death, scans.get(pk, []),
            [v.earliest + shift for v in schedule if v.kind == "tumour_assessment"],
        )  # fmt: skip
        for visit in schedule:
            earliest, latest = visit.earliest + shift, visit.latest + shift
            if earliest > soon or latest < lookback or (death is not None and earliest > death):
                continue
            if visit.kind == "tumour_assessment" and (
                (scans_until is not None and earliest > scans_until)
                or any(earliest <= d <= latest for d in scans.get(pk, []))
            ):
                continue
            if latest >= today:
                status = "window open" if earliest <= today else "window opens soon"
                upcoming.append(
                    DueVisit(
                        subject_id, visit.study_day, visit.label, visit.kind, visit.date + shift,
                        earliest, latest, status,
                    )
                )  # fmt: skip
            elif visit.kind == "tumour_assessment":
                overdue.append(
                    DueVisit(
                        subject_id, visit.study_day, visit.label, visit.kind, visit.date + shift,
                        earliest, latest, "no scan",
                    )
                )  # fmt: skip
    upcoming.sort(key=lambda v: (v.earliest, v.subject_id))
    overdue.sort(key=lambda v: (v.latest, v.subject_id))
    return overdue, upcoming


def query_subjects(queries: list[DataQuery]) -> dict[int, str]:
    """query pk -> the subject id of the record it is on."""
    out: dict[int, str] = {}
    by_model: dict[str, list[DataQuery]] = {}
    for q in queries:
        by_model.setdefault(q.model, []).append(q)
    for model, group in by_model.items():
        if model not in CORRECTABLE:
            continue
        cls = CORRECTABLE[model][0]
        path = "subject_id" if model == "participant" else "participant__subject_id"
        ids = dict(
            cls._default_manager.filter(pk__in=[q.object_id for q in group]).values_list("pk", path)
        )
        out |= {q.pk: ids[int(q.object_id)] for q in group if int(q.object_id) in ids}
    return out


def open_queries(profile: UserProfile) -> list[dict[str, Any]]:
    """Open and answered queries on records the user may see, oldest first, each with the
    adverse event it is on (its AE id, ``ae_id``; blank for a query on the participant)."""
    queries = list(DataQuery.objects.exclude(status="closed").order_by("opened_at", "pk"))
    subjects = query_subjects(queries)
    visible = set(
        visible_participants(profile)
        .filter(subject_id__in=set(subjects.values()))
        .values_list("subject_id", flat=True)
    )
    ae_ids = dict(
        AdverseEvent.objects.filter(
            pk__in=[q.object_id for q in queries if q.model == "adverseevent"]
        ).values_list("pk", "ae_id")
    )
    return [
        {
            "query": q,
            "subject_id": subjects[q.pk],
            "ae_id": ae_ids.get(int(q.object_id), "") if q.model == "adverseevent" else "",
        }
        for q in queries
        if subjects.get(q.pk) in visible
    ]


def severe_adverse_events(
    profile: UserProfile, today: dt.date, limit: int
) -> tuple[list[AdverseEvent], int]:
    """The ``limit`` newest grade >= 3 AEs with onset in the last ``RECENT_AE_DAYS`` days, and
    how many there are in all."""
    since = today - dt.timedelta(days=RECENT_AE_DAYS)
    qs = AdverseEvent.objects.filter(
        participant__in=visible_participants(profile), grade__gte=3, onset_date__gte=since
    )
    rows = list(qs.select_related("participant").order_by("-onset_date", "ae_id")[:limit])
    return rows, qs.count()
