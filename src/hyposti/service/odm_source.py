"""What the ODM export holds, read from the service's database: forms generated from the models,
every stored record, the audit trail, signatures, users and sites (hyposti.standards.odm writes it).

Each model that holds a participant's data is one form (a FormDef with one ItemGroupDef) whose
items are the model's stored fields, so the metadata follows the records the service keeps;
records of no one participant (the study, cohorts, escalation decisions) are ODM reference data.
Where an audit entry or a signature was made (LocationRef) is the user's site, or the sponsor for
users bound to no site and for the service's own processes (import, cli): the audit trail records
who, not where, so the location is the user's as of the export.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from hyposti import __version__
from hyposti.data.schema import ATTRIBUTION, ATTRIBUTION_PREFIX, attribution_column
from hyposti.service.audit import label, record_sha256
from hyposti.service.errors import RefusedError
from hyposti.service.models import (
    AdverseEvent,
    AuditEntry,
    Cohort,
    Disposition,
    DltEvaluation,
    DosingRecord,
    Enrolment,
    EscalationDecision,
    Exposure,
    LabResult,
    Lesion,
    LesionMeasurement,
    Medication,
    Participant,
    Sample,
    Screening,
    ScreeningCriterion,
    Signature,
    Site,
    Study,
    TumourAssessment,
    UserProfile,
    VitalSign,
)
from hyposti.service.permissions import INV
from hyposti.service.trial_protocol import trial_protocol
from hyposti.standards.odm import (
    DataType,
    OdmAudit,
    OdmContent,
    OdmEvent,
    OdmForm,
    OdmItem,
    OdmLocation,
    OdmRecord,
    OdmSignature,
    OdmUser,
)

#: The trial's phases as study events, and the models (forms) filled in each, with the path from
#: a model to its participant.
EVENTS: tuple[tuple[OdmEvent, tuple[tuple[type[models.Model], str], ...]], ...] = (
    (
        OdmEvent("SCREENING", "Screening", "Scheduled", mandatory=True),
        ((Participant, "pk"), (Screening, "participant"),
         (ScreeningCriterion, "screening__participant"), (LabResult, "participant"),
         (VitalSign, "participant")),
    ),
    (
        OdmEvent("TREATMENT", "Enrolment, preconditioning and infusion", "Scheduled", False),
        ((Enrolment, "participant"), (DosingRecord, "participant"), (Exposure, "participant"),
         (DltEvaluation, "participant")),
    ),
    (
        OdmEvent("FOLLOWUP", "Safety, response and follow-up", "Common", mandatory=False),
        ((AdverseEvent, "participant"), (Medication, "participant"), (Lesion, "participant"),
         (TumourAssessment, "participant"), (LesionMeasurement, "lesion__participant"),
         (Sample, "participant"), (Disposition, "participant")),
    ),
)  # fmt: skip
REFERENCE: tuple[type[models.Model], ...] = (Study, Cohort, EscalationDecision)

#: Signature meanings and the legal reason a signer gives: 21 CFR 11.50(a)(3) (the meaning shown
#: with the signature) and 11.100(c) (an electronic signature binds as a handwritten one).
MEANINGS = {
    m: f"The signer's {m} of this record version, by electronic signature, legally binding as a "
    "handwritten signature (21 CFR 11.100(c))"
    for m in ("review", "approval", "responsibility")
}
SPONSOR = OdmLocation("SPONSOR", "Sponsor (users bound to no site)", "Sponsor")


def _data_type(f: models.Field[Any, Any]) -> DataType:
    if isinstance(f, models.BooleanField):
        return "boolean"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.FloatField):
        return "float"
    if isinstance(f, models.IntegerField | models.ForeignKey | models.OneToOneField):
        return "integer"
    return "text"


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Stored fields but the primary key, the link to the participant (the SubjectKey) and a
    participant's site (the SubjectData's SiteRef)."""
    linked = {"participant", "site"} if model is Participant else {"participant"}
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in linked]


def _one_per_participant(model: type[models.Model]) -> bool:
    if model is Participant:
        return True
    try:
        return isinstance(model._meta.get_field("participant"), models.OneToOneField)
    except FieldDoesNotExist:
        return False


#: The length of an attribution item: the width of the attribution columns the AE model had until
#: migration 0007, kept so that the exported metadata does not change.
ATTRIBUTION_LENGTH = 10


def _attribution_items() -> list[OdmItem]:
    """An adverse event's attributions, one coded item per product as the dataset's columns
    (an ODM item holds one value)."""
    return [
        OdmItem(
            attribution_column(product),
            f"attribution {product.replace('_', ' ')}",
            "text",
            ATTRIBUTION_LENGTH,
            tuple((a, a) for a in ATTRIBUTION),
        )
        for product in trial_protocol().product_ids
    ]


def _item_value(obj: models.Model, name: str) -> Any:
    if isinstance(obj, AdverseEvent) and name.startswith(ATTRIBUTION_PREFIX):
        return obj.attribution.get(name.removeprefix(ATTRIBUTION_PREFIX))
    return getattr(obj, name)


def _form(model: type[models.Model], event: str | None) -> OdmForm:
    items: list[OdmItem] = []
    for f in _fields(model):
        if model is AdverseEvent and f.name == "attribution":
            items += _attribution_items()
            continue
        items.append(
            OdmItem(
                f.attname,
                str(f.verbose_name),
                _data_type(f),
                getattr(f, "max_length", None) if _data_type(f) == "text" else None,
                tuple((str(code), str(decode)) for code, decode in f.choices or ()),
            )
        )
    return OdmForm(label(model).upper(), str(model._meta.verbose_name).capitalize(), event,
                   repeating=not _one_per_participant(model), items=tuple(items))  # fmt: skip


def odm_forms() -> tuple[OdmForm, ...]:
    """Every form, in the order of the events, then the reference data."""
    forms = [_form(model, event.name) for event, members in EVENTS for model, _ in members]
    return (*forms, *(_form(model, None) for model in REFERENCE))


def _location(profile: UserProfile | None) -> str:
    return profile.site.code if profile is not None and profile.site is not None else SPONSOR.code


def odm_content(*, now: dt.datetime) -> OdmContent:
    """The whole database as ODM content, as of ``now``."""
    study = Study.objects.first()
    if study is None:
        raise RefusedError("study", None, "the database holds no study yet")
    profiles = {p.user.username: p for p in UserProfile.objects.select_related("user", "site")}
    entries = list(AuditEntry.objects.order_by("seq"))
    audits = tuple(
        OdmAudit(e.seq, e.username, _location(profiles.get(e.username)), e.at, e.reason,
                 f"{e.action} {e.model} {e.object_id}; audit entry sha256 {e.entry_hash}")
        for e in entries
    )  # fmt: skip
    last_audit = {(e.model, e.object_id): a for e, a in zip(entries, audits, strict=True)}
    stored = list(Signature.objects.select_related("user").order_by("pk"))
    signatures = tuple(
        OdmSignature(s.pk, s.user.username, _location(profiles.get(s.user.username)), s.meaning,
                     s.signed_at, s.record_sha256)
        for s in stored
    )  # fmt: skip
    signed = {
        (s.model, s.object_id, s.record_sha256): odm
        for s, odm in zip(stored, signatures, strict=True)
    }

    def record(obj: models.Model, form: OdmForm, subject: str | None) -> OdmRecord:
        key = (label(obj), str(obj.pk))
        # only a signature on the record's current version still holds (21 CFR 11.70)
        valid = signed.get((*key, record_sha256(obj))) if signed else None
        values = {item.name: _item_value(obj, item.name) for item in form.items}
        return OdmRecord(form.name, str(obj.pk), subject, values, last_audit.get(key), valid)

    forms = odm_forms()
    by_name = {f.name: f for f in forms}
    records: list[OdmRecord] = []
    for _event, members in EVENTS:
        for model, path in members:
            form = by_name[label(model).upper()]
            subject_path = "subject_id" if path == "pk" else f"{path}__subject_id"
            objs = model._default_manager.annotate(odm_subject=models.F(subject_path)).order_by(
                "pk"
            )
            records.extend(record(obj, form, obj.odm_subject) for obj in objs)
    for model in REFERENCE:
        form = by_name[label(model).upper()]
        records.extend(record(obj, form, None) for obj in model._default_manager.order_by("pk"))

    users = {
        name: OdmUser(name, p.printed_name, "Investigator" if p.role == INV else "Sponsor",
                      _location(p))
        for name, p in profiles.items()
    }  # fmt: skip
    # processes that write (import, cli) sign in as no user
    for who in [a.user for a in audits] + [s.user for s in signatures]:
        users.setdefault(who, OdmUser(who, f"hyposti process '{who}'", "Other", SPONSOR.code))
    locations = (
        *(OdmLocation(s.code, s.name or s.code, "Site") for s in Site.objects.order_by("code")),
        SPONSOR,
    )
    subjects = dict(
        Participant.objects.order_by("subject_id").values_list("subject_id", "site__code")
    )
    return OdmContent(
        study_id=study.study_id,
        study_name=trial_protocol().identifiers.official_title,
        created=now,
        events=tuple(event for event, _ in EVENTS),
        forms=forms,
        subjects=subjects,
        records=tuple(records),
        audits=audits,
        signatures=signatures,
        users=tuple(users.values()),
        locations=locations,
        meanings=MEANINGS,
        source_version=__version__,
    )
