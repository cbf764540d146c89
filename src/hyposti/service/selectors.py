"""Reads: what a user may see of participants, cohorts, signatures, queries and the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from hyposti.errors import InputError
from hyposti.service.access import participant_for, visible_participants
from hyposti.service.audit import label, plain, record_sha256, snapshot
from hyposti.service.models import (
    AdverseEvent,
    AuditEntry,
    Cohort,
    DataQuery,
    Disposition,
    DltEvaluation,
    DosingRecord,
    Enrolment,
    Exposure,
    Lesion,
    LesionMeasurement,
    Medication,
    Participant,
    RecordLock,
    Sample,
    Screening,
    ScreeningCriterion,
    Signature,
    TumourAssessment,
    UserProfile,
)
from hyposti.service.permissions import SITE_BOUND


def _signature_rows(instance: models.Model, signatures: list[Signature]) -> list[dict[str, Any]]:
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
        for s in signatures
    ]


def signatures_of(instance: models.Model) -> list[dict[str, Any]]:
    """Each signature of one record, with whether it still matches the record."""
    found = Signature.objects.filter(model=label(instance), object_id=str(instance.pk))
    return _signature_rows(instance, list(found.order_by("pk")))


def record_views(instances: list[models.Model]) -> list[dict[str, Any]]:
    """Records with their signatures, lock and queries: three queries for all of them."""
    ids: dict[str, list[str]] = {}
    for i in instances:
        ids.setdefault(label(i), []).append(str(i.pk))
    on = models.Q(pk__in=[])
    for model, object_ids in ids.items():
        on |= models.Q(model=model, object_id__in=object_ids)
    signatures: dict[tuple[str, str], list[Signature]] = {}
    for sig in Signature.objects.filter(on).order_by("pk"):
        signatures.setdefault((sig.model, sig.object_id), []).append(sig)
    locked = set(
        RecordLock.objects.filter(on, unlocked_at__isnull=True).values_list("model", "object_id")
    )
    queries: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for q in (
        DataQuery.objects.filter(on)
        .order_by("pk")
        .values("id", "field", "text", "status", "model", "object_id")
    ):
        shown = {"id": q["id"], "field": q["field"], "text": q["text"], "status": q["status"]}
        queries.setdefault((q["model"], q["object_id"]), []).append(shown)
    out = []
    for i in instances:
        key = (label(i), str(i.pk))
        out.append(
            {
                **snapshot(i),
                "signatures": _signature_rows(i, signatures.get(key, [])),
                "locked": key in locked,
                "queries": queries.get(key, []),
            }
        )
    return out


def record_view(instance: models.Model) -> dict[str, Any]:
    """A record with its signatures, lock and open queries."""
    return record_views([instance])[0]


def new_record_view(instance: models.Model) -> dict[str, Any]:
    """record_view of a record just created: signatures, locks and queries name a record by
    its key, which did not exist before, so it has none of them (nothing is read again)."""
    return {**snapshot(instance), "signatures": [], "locked": False, "queries": []}


def participant_list(profile: UserProfile) -> list[dict[str, Any]]:
    return [
        {"subject_id": p.subject_id, "site": p.site.code if p.site else None, "state": p.state}
        for p in visible_participants(profile).order_by("subject_id")
    ]


def participant_detail(profile: UserProfile, subject_id: str) -> dict[str, Any]:
    p: Participant = participant_for(profile, subject_id)
    enrolment = getattr(p, "enrolment", None)
    dosing = getattr(p, "dosing", None)
    screenings = list(p.screenings.order_by("pk"))
    aes = list(p.adverse_events.order_by("pk"))
    scans = list(p.tumour_assessments.order_by("pk"))
    views = iter(record_views([p, *screenings, *([dosing] if dosing else []), *aes, *scans]))
    return {
        **next(views),
        "site": p.site.code if p.site else None,
        "cohort": enrolment.cohort.number if enrolment else None,
        "dose_level": enrolment.cohort.dose_level if enrolment else None,
        "screenings": [next(views) for _ in screenings],
        "dosing": next(views) if dosing else None,
        "adverse_events": [next(views) for _ in aes],
        "tumour_assessments": [next(views) for _ in scans],
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


#: Participant records by audit label, and the path from each to its participant's site.
SITE_OF: dict[str, tuple[type[models.Model], str]] = {
    "participant": (Participant, "site_id"),
    "screening": (Screening, "participant__site_id"),
    "screeningcriterion": (ScreeningCriterion, "screening__participant__site_id"),
    "enrolment": (Enrolment, "participant__site_id"),
    "dosingrecord": (DosingRecord, "participant__site_id"),
    "exposure": (Exposure, "participant__site_id"),
    "adverseevent": (AdverseEvent, "participant__site_id"),
    "medication": (Medication, "participant__site_id"),
    "dltevaluation": (DltEvaluation, "participant__site_id"),
    "lesion": (Lesion, "participant__site_id"),
    "tumourassessment": (TumourAssessment, "participant__site_id"),
    "lesionmeasurement": (LesionMeasurement, "assessment__participant__site_id"),
    "sample": (Sample, "participant__site_id"),
    "disposition": (Disposition, "participant__site_id"),
}

#: Audit entries per page at most (GET /api/audit?after=SEQ&limit=N pages through the rest).
AUDIT_PAGE_MAX = 1000


def _of_site(site_id: int | None) -> Q:
    """Records (by audit label and id) of the site's participants: the records themselves, and
    the queries opened on them (audited under the query's own id)."""
    records = Q(pk__in=[])
    for name, (model, path) in SITE_OF.items():
        ids = model._default_manager.filter(**{path: site_id}).values_list(
            Cast("pk", output_field=models.CharField()), flat=True
        )
        records |= Q(model=name, object_id__in=ids)
    queries = DataQuery.objects.filter(records).values_list(
        Cast("pk", output_field=models.CharField()), flat=True
    )
    return records | Q(model="dataquery", object_id__in=queries)


def audit_trail(
    profile: UserProfile,
    model: str | None = None,
    object_id: str | None = None,
    *,
    after: int = 0,
    limit: int = AUDIT_PAGE_MAX,
) -> list[dict[str, Any]]:
    """Audit entries numbered above ``after``, oldest first, at most ``limit`` of them.

    A site-bound reader (a monitor) sees the entries of their own site's participants only
    (ICH E6(R3) 3.11.4: monitors verify their sites' source data).
    """
    if not 1 <= limit <= AUDIT_PAGE_MAX:
        raise InputError("limit", limit, f"must lie in 1..{AUDIT_PAGE_MAX}")
    if after < 0:
        raise InputError("after", after, "is an entry number: 0 or more")
    qs = AuditEntry.objects.filter(seq__gt=after).order_by("seq")
    if profile.role in SITE_BOUND:
        qs = qs.filter(_of_site(profile.site_id))
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
        for e in qs[:limit]
    ]
