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
from hyposti.service.models import AuditEntry, DataQuery, Participant, UserProfile
from hyposti.service.selectors import participant_detail
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.views.common import page, show, today


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


def audit_history(participant: Participant) -> list[AuditEntry]:
    """Audit entries of the participant's records: who changed which field, when, and why."""
    keys = {
        "participant": [participant.pk],
        "screening": list(participant.screenings.values_list("pk", flat=True)),
        "adverseevent": list(participant.adverse_events.values_list("pk", flat=True)),
        "tumourassessment": list(participant.tumour_assessments.values_list("pk", flat=True)),
        "exposure": list(participant.exposures.values_list("pk", flat=True)),
        "dosingrecord": [participant.dosing.pk] if hasattr(participant, "dosing") else [],
        "enrolment": [participant.enrolment.pk] if hasattr(participant, "enrolment") else [],
    }
    condition = Q(pk__in=[])
    for model, pks in keys.items():
        if pks:
            condition |= Q(model=model, object_id__in=[str(pk) for pk in pks])
    return list(AuditEntry.objects.filter(condition).order_by("seq"))


def participant_queries(participant: Participant) -> list[DataQuery]:
    """Queries on the participant's record and on its adverse events, oldest first."""
    ae_pks = [str(pk) for pk in participant.adverse_events.values_list("pk", flat=True)]
    return list(
        DataQuery.objects.filter(
            Q(model="participant", object_id=str(participant.pk))
            | Q(model="adverseevent", object_id__in=ae_pks)
        ).order_by("opened_at", "pk")
    )


@page
def casebook_view(request: HttpRequest, profile: UserProfile, subject_id: str) -> HttpResponse:
    participant = participant_for(profile, subject_id)
    detail = participant_detail(profile, subject_id)
    day = today()
    latest = participant.screenings.order_by("-pk").first()
    context = {
        "p": participant,
        "detail": detail,
        "today": day,
        "timeline": timeline(participant, day),
        "audit": audit_history(participant),
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
        "queries": participant_queries(participant),
        "query_records": [("participant", "participant record")]
        + [
            (f"adverseevent:{ae.pk}", f"{ae.ae_id} {ae.term}")
            for ae in participant.adverse_events.order_by("pk")
        ],
    }
    return show(request, "web/casebook.html", context, profile=profile)
