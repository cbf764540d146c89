"""A participant's casebook: state and next steps, the visit timeline from day -5 to the end
of follow-up with each window, every form with its signatures and queries, and the audit
history of every field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from hyposti.dosing.calendar import visit_schedule
from hyposti.service.access import participant_for
from hyposti.service.models import AdverseEvent, AuditEntry, DataQuery, Participant, UserProfile
from hyposti.service.selectors import participant_detail
from hyposti.service.services import integrity
from hyposti.service.services.followup import participant_response
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web import summaries
from hyposti.web.views.common import page, show, today
from hyposti.web.views.records import (
    AuditRow,
    CorrectableRecord,
    audit_rows,
    correctable_records,
    field_label,
)


def timeline(participant: Participant, day: dt.date) -> list[dict[str, Any]]:
    """Every protocol visit (hyposti.dosing.visit_schedule) with its window and its status."""
    if participant.infusion_date is None:
        return []
    scans = set(participant.tumour_assessments.values_list("assessment_date", flat=True))
    rows = []
    for v in visit_schedule(trial_protocol(), participant.infusion_date):
        if v.kind == "tumour_assessment":
            done = any(v.earliest <= d <= v.latest for d in scans)
            status = "scan done" if done else ("missed" if v.latest < day else "")
        else:
            status = "past" if v.latest < day else ""
        if not status:
            status = "window open" if v.earliest <= day <= v.latest else "due"
        rows.append({"visit": v, "status": status})
    return rows


def scan_responses(participant: Participant, day: dt.date) -> dict[str, Any]:
    """Each stored scan, oldest first, with its RECIST 1.1 time-point response, and the best
    overall response: the response engine run over the stored scans now (as the tumour page
    does), so scans imported without a stored response are read like scans typed in."""
    response = participant_response(participant, day)
    by_date = {
        dt.date.fromisoformat(tp["date"]): tp["overall_response"]
        for tp in (response or {}).get("time_points", [])
    }
    scans = participant.tumour_assessments.order_by("assessment_date", "pk")
    return {
        "scans": [
            {
                "date": s.assessment_date,
                "baseline": s.baseline,
                "response": by_date.get(s.assessment_date),
            }
            for s in scans
        ],
        "best": response if response and response["time_points"] else None,
    }


def audit_history(participant: Participant, aes: list[AdverseEvent]) -> list[AuditRow]:
    """Audit entries of the participant's records, oldest first: who changed which field, when,
    and why, each record named as the casebook names it."""
    titles: dict[tuple[str, str], str] = {("participant", str(participant.pk)): "participant"}
    titles |= {
        ("screening", str(pk)): f"screening {day:%Y-%m-%d}"
        for pk, day in participant.screenings.values_list("pk", "screening_date")
    }
    titles |= {("adverseevent", str(ae.pk)): f"{ae.ae_id} {ae.term}" for ae in aes}
    titles |= {
        ("tumourassessment", str(pk)): f"scan {day:%Y-%m-%d}"
        for pk, day in participant.tumour_assessments.values_list("pk", "assessment_date")
    }
    titles |= {
        ("exposure", str(pk)): f"{product} {day:%Y-%m-%d}"
        for pk, product, day in participant.exposures.values_list(
            "pk", "product", "administration_date"
        )
    }
    titles |= {
        (model, str(pk)): name
        for model, name, pk in (
            ("dosingrecord", "dosing", getattr(getattr(participant, "dosing", None), "pk", None)),
            (
                "enrolment",
                "enrolment",
                getattr(getattr(participant, "enrolment", None), "pk", None),
            ),
        )
        if pk is not None
    }
    by_model: dict[str, list[str]] = {}
    for model, object_id in titles:
        by_model.setdefault(model, []).append(object_id)
    condition = Q(pk__in=[])
    for model, ids in by_model.items():
        condition |= Q(model=model, object_id__in=ids)
    return audit_rows(list(AuditEntry.objects.filter(condition).order_by("seq")), titles)


def participant_queries(participant: Participant, aes: list[AdverseEvent]) -> list[DataQuery]:
    """Queries on the participant's record and on its adverse events, oldest first."""
    ae_pks = [str(ae.pk) for ae in aes]
    return list(
        DataQuery.objects.filter(
            Q(model="participant", object_id=str(participant.pk))
            | Q(model="adverseevent", object_id__in=ae_pks)
        ).order_by("opened_at", "pk")
    )


def query_targets(records: list[CorrectableRecord]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where a query can be opened: each of the casebook's ``records`` with its stored fields, as
    the choices of one select whose value is ``<record>/<field>`` (the view's ``target``), so that
    a monitor picks a field by its label instead of typing its internal name. The key and the
    link to the participant are not data a query can be about."""
    targets = []
    for r in records:
        value = "participant" if r.model == "participant" else f"{r.model}:{r.object_id}"
        fields = integrity.CORRECTABLE[r.model][0]._meta.concrete_fields
        choices = [
            (f"{value}/{f.name}", field_label(f.name))
            for f in fields
            if not f.primary_key and f.name != "participant"
        ]
        targets.append((r.title, choices))
    return targets


@page
def casebook_view(request: HttpRequest, profile: UserProfile, subject_id: str) -> HttpResponse:
    participant = participant_for(profile, subject_id)
    detail = participant_detail(profile, subject_id)
    day = today()
    latest = participant.screenings.order_by("-pk").first()
    aes = list(participant.adverse_events.order_by("pk"))
    records = correctable_records(participant, aes)
    context = {
        "p": participant,
        "detail": detail,
        "today": day,
        "timeline": timeline(participant, day),
        "tumour": scan_responses(participant, day),
        "dlt_window": next(
            (w for w in summaries.dlt_windows(profile, day) if w.subject_id == subject_id), None
        ),
        "audit": audit_history(participant, aes),
        "records": records,
        "any_locked": any(r.locked for r in records),
        "eligible": latest is not None and latest.status == "eligible",
        "latest_screening": latest,
        "pending_review": [
            c
            for c in ((latest.result or {}).get("criteria", []) if latest else [])
            if latest and c["id"] in (latest.result or {}).get("pending_review", [])
        ],
        "products": [a.name for a in trial_protocol().preconditioning]
        + [trial_protocol().investigational_product.name],
        "exposures": participant.exposures.order_by("administration_date", "pk"),
        "queries": participant_queries(participant, aes),
        "ae_ids": {str(ae.pk): ae.ae_id for ae in aes},
        "query_targets": query_targets(records),
    }
    return show(request, "web/casebook.html", context, profile=profile)
