"""Expansion monitoring in the live trial: the report's rules over the service's records, and an
audited alert when a boundary is crossed.

Toxicity: continuous Bayesian monitoring (Thall, Simon & Estey 1995, Stat Med 14:357); response:
Simon's two-stage design (Simon 1989, Control Clin Trials 10:1). Both are evaluated by
hyposti.analysis.expansion, the functions the trial report uses, so the service and the report
read one boundary table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hyposti.analysis.efficacy import RESPONSES
from hyposti.analysis.expansion import ExpansionPatient, ExpansionReview, expansion_review
from hyposti.response.records import Response
from hyposti.safety import PatientAdjudication
from hyposti.service.models import Cohort, ExpansionAlert, Participant
from hyposti.service.services.records import create
from hyposti.service.services.safety import dlt_evaluation_store, participant_adjudication
from hyposti.service.trial_protocol import trial_protocol


def in_expansion(participant: Participant) -> bool:
    enrolment = getattr(participant, "enrolment", None)
    return enrolment is not None and enrolment.cohort.phase == "expansion"


def _infused_expansion() -> list[Participant]:
    """Infused expansion participants in the order their DLT windows close: every window has
    the same length from infusion, so infusion order, ties by subject id (as the report reads
    them, analysis.expansion.expansion_patients)."""
    return list(
        Participant.objects.filter(
            enrolment__cohort__phase="expansion", infusion_date__isnull=False
        )
        .select_related("enrolment__cohort", "disposition")
        .prefetch_related("adverse_events", "tumour_assessments")
        .order_by("infusion_date", "subject_id")
    )


def _responder(participant: Participant) -> bool | None:
    """Confirmed CR or PR by the response engine's result stored with the latest scan (None
    before any scan has a result)."""
    assessed = [
        (s.assessment_date, s.response)
        for s in participant.tumour_assessments.all()
        if s.response is not None
    ]
    if not assessed:
        return None
    _, response = max(assessed, key=lambda dated: dated[0])
    return Response(response["bor_confirmed"]) in RESPONSES


def _review(
    participants: list[Participant], today: dt.date
) -> tuple[ExpansionReview | None, list[PatientAdjudication]]:
    """The expansion against its rules as of ``today``, and the DLT adjudications it read (the
    DLT engine's, with the investigator's decisions applied)."""
    protocol = trial_protocol()
    if protocol.expansion is None:
        return None, []
    adjudications = [participant_adjudication(p, today) for p in participants]
    patients = [
        ExpansionPatient(
            subject_id=p.subject_id,
            dlt=a.has_dlt if a.evaluability == "evaluable" else None,
            responder=_responder(p),
        )
        for p, a in zip(participants, adjudications, strict=True)
    ]
    return expansion_review(protocol.expansion, patients), adjudications


def expansion_status(today: dt.date) -> dict[str, Any] | None:
    """Where the expansion stands (None when the protocol has no expansion rules): whether it
    has started (its cohort opened), both rules' status, the DLT count that would stop at the
    next evaluable patient, and the alerts."""
    review, _ = _review(_infused_expansion(), today)
    if review is None:
        return None
    monitoring = review.monitoring
    table = monitoring.stop_if_dlt_ge
    following = monitoring.evaluable + 1
    return {
        **review.to_dict(),
        "started": Cohort.objects.filter(phase="expansion").exists(),
        "next_patient": None
        if following > len(table)
        else {"n": following, "stop_if_dlt_ge": table[following - 1]},
        "alerts": alert_rows(),
    }


def alert_rows() -> list[dict[str, Any]]:
    return [
        {
            "rule": a.rule,
            "evaluated": a.evaluated,
            "events": a.events,
            "boundary": a.boundary,
            "detail": a.detail,
            "crossed_by": a.crossed_by,
            "data_date": a.data_date.isoformat(),
            "raised_at": a.raised_at.astimezone(dt.UTC).isoformat(),
        }
        for a in ExpansionAlert.objects.order_by("raised_at", "pk")
    ]


def crossings(review: ExpansionReview, today: dt.date, now: dt.datetime) -> list[ExpansionAlert]:
    """An (unsaved) alert for each boundary the review shows crossed: the toxicity stopping
    boundary, Simon's stage-1 futility bound (at most r1 of n1), and Simon's final count (n
    assessed: promising with more than r responders, else not)."""
    alerts = []
    m = review.monitoring
    if m.crossed_at_n is not None and m.crossed_with_dlts is not None:
        stop_at = m.stop_if_dlt_ge[m.crossed_at_n - 1]
        alerts.append(
            ExpansionAlert(
                rule="toxicity_monitoring",
                evaluated=m.crossed_at_n,
                events=m.crossed_with_dlts,
                boundary=f"{stop_at} or more DLTs in {m.crossed_at_n} patients",
                detail=m.reason,
                crossed_by=m.crossed_by or "",
                data_date=today,
                raised_at=now,
            )
        )
    s = review.response
    if s is not None:
        d = s.design
        if s.stage_one_assessed == d.n1 and d.stops_for_futility(s.stage_one_responders):
            alerts.append(
                ExpansionAlert(
                    rule="simon_futility",
                    evaluated=d.n1,
                    events=s.stage_one_responders,
                    boundary=f"{d.r1} or fewer responders in the first {d.n1} patients",
                    detail=s.stage_one,
                    data_date=today,
                    raised_at=now,
                )
            )
        if s.assessed == d.n:
            alerts.append(
                ExpansionAlert(
                    rule="simon_final",
                    evaluated=d.n,
                    events=s.responders,
                    boundary=f"more than {d.r} responders in {d.n} patients is promising",
                    detail=s.final,
                    data_date=today,
                    raised_at=now,
                )
            )
    return alerts


def expansion_monitor(*, username: str, now: dt.datetime) -> list[ExpansionAlert]:
    """Evaluate both rules after a DLT determination or a scan of an expansion participant:
    store each settled DLT evaluation, and record (audited) every crossing not recorded before.
    Runs inside the caller's transaction; returns the new alerts."""
    today = now.astimezone(dt.UTC).date()
    review, adjudications = _review(_infused_expansion(), today)
    if review is None:
        return []
    for adj in adjudications:
        dlt_evaluation_store(adj, username=username, now=now)
    seen = set(ExpansionAlert.objects.values_list("rule", "evaluated", "events"))
    new = [a for a in crossings(review, today, now) if (a.rule, a.evaluated, a.events) not in seen]
    if new:
        create(new, username=username, now=now, reason="expansion boundary crossed")
    return new
