"""Reads: what a user may see of participants, cohorts, signatures, queries and the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from hyposti.service.access import participant_for, visible_participants
from hyposti.service.audit import label, plain, record_sha256, snapshot
from hyposti.service.models import (
    AuditEntry,
    Cohort,
    DataQuery,
    Participant,
    RecordLock,
    Signature,
    UserProfile,
)


def signatures_of(instance: models.Model) -> list[dict[str, Any]]:
    """Each signature with whether it still matches the record (a later change invalidates it)."""
    current = record_sha256(instance)
    return [
        {
            "printed_name": s.printed_name,
            "signed_at": plain(s.signed_at),
            "meaning": s.meaning,
            "record_sha256": s.record_sha256,
            "valid": s.record_sha256 == current,
            "status": "valid"
            if s.record_sha256 == current
            else "INVALIDATED: the record changed after it was signed",
        }
        for s in Signature.objects.filter(
            model=label(instance), object_id=str(instance.pk)
        ).order_by("pk")
    ]


def record_view(instance: models.Model) -> dict[str, Any]:
    """A record with its signatures, lock and open queries."""
    key = {"model": label(instance), "object_id": str(instance.pk)}
    return {
        **snapshot(instance),
        "signatures": signatures_of(instance),
        "locked": RecordLock.objects.filter(**key, unlocked_at__isnull=True).exists(),
        "queries": list(DataQuery.objects.filter(**key).values("id", "field", "text", "status")),
    }


def participant_list(profile: UserProfile) -> list[dict[str, Any]]:
    return [
        {"subject_id": p.subject_id, "site": p.site.code, "state": p.state}
        for p in visible_participants(profile).order_by("subject_id")
    ]


def participant_detail(profile: UserProfile, subject_id: str) -> dict[str, Any]:
    p: Participant = participant_for(profile, subject_id)
    enrolment = getattr(p, "enrolment", None)
    return {
        **record_view(p),
        "site": p.site.code,
        "cohort": enrolment.cohort.number if enrolment else None,
        "dose_level": enrolment.cohort.dose_level if enrolment else None,
        "screenings": [record_view(s) for s in p.screenings.order_by("pk")],
        "dosing": record_view(p.dosing) if hasattr(p, "dosing") else None,
        "adverse_events": [record_view(a) for a in p.adverse_events.order_by("pk")],
        "tumour_assessments": [record_view(t) for t in p.tumour_assessments.order_by("pk")],
    }


def cohort_table() -> list[dict[str, Any]]:
    """Every cohort: dose, slots taken/total, open, and the committee's decision if recorded."""
    rows = []
    cohorts = Cohort.objects.order_by("number").select_related("decision")
    for c in cohorts.annotate(n_enrolled=models.Count("enrolments")):
        decision = getattr(c, "decision", None)
        rows.append(
            {
                "number": c.number,
                "phase": c.phase,
                "dose_level": c.dose_level,
                "slots": c.slots,
                "enrolled": c.n_enrolled,
                "open": c.is_open,
                "decision": None
                if decision is None
                else {
                    "decision": decision.decision,
                    "reason": decision.reason,
                    "next_dose_level": decision.next_dose_level,
                    "recommendation": decision.recommendation,
                    "signatures": signatures_of(decision),
                },
            }
        )
    return rows


def audit_trail(model: str | None = None, object_id: str | None = None) -> list[dict[str, Any]]:
    qs = AuditEntry.objects.order_by("seq")
    if model:
        qs = qs.filter(model=model)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return [
        {
            "seq": e.seq,
            "at": plain(e.at),
            "user": e.username,
            "action": e.action,
            "model": e.model,
            "object_id": e.object_id,
            "changes": e.changes,
            "reason": e.reason,
        }
        for e in qs[:1000]
    ]
