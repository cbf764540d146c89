"""The trial dataset in and out of the database: `hyposti import` and `hyposti export dataset`.

Each table of hyposti.data.schema maps to one model whose fields carry the same names, so the
export is the dataset `hyposti analyze` and `hyposti report` read, unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.db.models import OuterRef, QuerySet, Subquery

from hyposti.data import TrialDataset, dataset_tables
from hyposti.data.schema import ATTRIBUTION_PREFIX, attribution_column
from hyposti.errors import InputError
from hyposti.service.audit import Change, audit_append, diff, label, plain, snapshot
from hyposti.service.errors import RefusedError
from hyposti.service.models import (
    AdverseEvent,
    Cohort,
    Disposition,
    DltEvaluation,
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
    Site,
    Study,
    TumourAssessment,
    VitalSign,
)
from hyposti.service.services.safety import dlt_proposal
from hyposti.service.trial_protocol import trial_protocol

if TYPE_CHECKING:
    from hyposti.protocol import Protocol

ModelT = TypeVar("ModelT", bound=models.Model)

#: Tables whose rows are one model each with the same field names, keyed by participant.
SIMPLE: dict[str, type[models.Model]] = {
    "exposure": Exposure,
    "adverse_events": AdverseEvent,
    "dlt_evaluations": DltEvaluation,
    "lesions": Lesion,
    "tumour_assessments": TumourAssessment,
    "kinetics": Sample,
    "disposition": Disposition,
    "medications": Medication,
    "lab_results": LabResult,
    "vital_signs": VitalSign,
}


def _value(value: Any) -> Any:
    """A dataset cell as a Python value: NaN/NA -> None, Timestamp -> date, numpy -> int/float."""
    import pandas as pd

    if value is None or (not isinstance(value, str | bool) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [{k: _value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _fields(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """Columns named like the model's fields; None in a text field is stored as ''."""
    out = {}
    for f in model._meta.concrete_fields:
        if f.name in row and not f.is_relation:
            value = row[f.name]
            if value is None and isinstance(f, models.CharField | models.TextField):
                value = ""
            out[f.name] = value
    return out


def _state(
    p: Participant, disposition: dict[str, Any] | None, failed: bool, cutoff: dt.date
) -> tuple[str, str]:
    """The state an imported participant is in at the data cut-off, and any off-study reason."""
    window = trial_protocol().dlt.window_last_day
    if disposition and disposition.get("off_study_date"):
        return "off_study", disposition.get("off_study_reason") or ""
    if failed and p.enrolment_date is None:
        return "screen_failure", "screen failure"
    if p.infusion_date is not None:
        open_ = cutoff <= p.infusion_date + dt.timedelta(days=window)
        return ("dlt_window" if open_ else "follow_up"), ""
    if p.preconditioning_start_date is not None:
        return "preconditioned", ""
    if p.enrolment_date is not None:
        return "enrolled", ""
    return "consented", ""


def _attribution(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """An adverse event's attribution columns as its one field, keyed by product id."""
    if model is not AdverseEvent:
        return {}
    return {
        "attribution": {
            column.removeprefix(ATTRIBUTION_PREFIX): value
            for column, value in row.items()
            if column.startswith(ATTRIBUTION_PREFIX)
        }
    }


@transaction.atomic
def import_dataset(ds: TrialDataset, *, username: str, now: dt.datetime) -> dict[str, int]:
    """Load a dataset into an empty database (refused otherwise), audited as 'import'."""
    if Study.objects.exists() or Participant.objects.exists():
        raise RefusedError("database", "not empty", "import loads a dataset into a fresh database")
    protocol = trial_protocol()
    if ds.products != protocol.product_ids:
        raise RefusedError(
            "adverse_events",
            ", ".join(ds.attribution_columns),
            f"the trial's protocol attributes adverse events to {', '.join(protocol.product_ids)}",
        )
    created: list[models.Model] = []

    def add(objs: Iterable[models.Model]) -> list[models.Model]:
        objs = list(objs)
        if objs:
            type(objs[0])._default_manager.bulk_create(objs, batch_size=500)
        created.extend(objs)
        return objs

    study = _rows(ds.study)[0]
    add([Study(**_fields(Study, study))])
    subjects = _rows(ds.subjects)
    sites = {
        code: Site.objects.get_or_create(code=code)[0]
        for code in {s["site_id"] for s in subjects if s["site_id"]}
    }
    screening = _rows(ds.screening)
    failed = {r["subject_id"] for r in screening if r["met"] is False}
    dispositions = {r["subject_id"]: r for r in _rows(ds.disposition)}
    cutoff = study["data_cutoff"]
    participants = []
    for s in subjects:
        p = Participant(site=sites.get(s["site_id"] or ""), **_fields(Participant, s))
        if _unslotted(s):
            p.unslotted_phase = s["phase"]
        p.state, p.off_study_reason = _state(
            p, dispositions.get(s["subject_id"]), s["subject_id"] in failed, cutoff
        )
        participants.append(p)
    add(participants)
    by_id = {p.subject_id: p for p in Participant.objects.all()}
    _import_cohorts(ds, subjects, by_id, protocol, add, now)
    screenings: dict[str, Screening] = {}
    for r in screening:
        if r["subject_id"] not in screenings:
            screenings[r["subject_id"]] = Screening(
                participant=by_id[r["subject_id"]],
                screening_date=r["screening_date"],
                status="ineligible" if r["subject_id"] in failed else "eligible",
            )
    add(screenings.values())
    screenings = {
        s.participant.subject_id: s for s in Screening.objects.select_related("participant")
    }
    add(
        ScreeningCriterion(
            screening=screenings[r["subject_id"]],
            criterion_id=r["criterion_id"],
            met=r["met"],
            detail=r["detail"] or "",
        )
        for r in screening
    )
    for table, model in SIMPLE.items():
        add(
            model(participant=by_id[r["subject_id"]], **_fields(model, r), **_attribution(model, r))
            for r in _rows(getattr(ds, table))
        )
    lesions = {
        (le.participant.subject_id, le.lesion_id): le
        for le in Lesion.objects.select_related("participant")
    }
    scans = {
        (a.participant.subject_id, a.assessment_date): a
        for a in TumourAssessment.objects.select_related("participant")
    }
    add(
        LesionMeasurement(
            assessment=scans[(r["subject_id"], r["assessment_date"])],
            lesion=lesions[(r["subject_id"], r["lesion_id"])],
            **_fields(LesionMeasurement, r),
        )
        for r in _rows(ds.lesion_measurements)
    )
    _propose_dlts(created, cutoff)
    _audit_import(created, username=username, now=now)
    counts: dict[str, int] = {}
    for obj in created:
        counts[label(obj)] = counts.get(label(obj), 0) + 1
    return counts


def _unslotted(subject: dict[str, Any]) -> bool:
    """An escalation subject without a cohort number gets no slot (see _import_cohorts); every
    expansion subject joins the one expansion cohort."""
    return subject["phase"] == "escalation" and subject["cohort"] is None


def _import_cohorts(
    ds: TrialDataset,
    subjects: list[dict[str, Any]],
    by_id: dict[str, Participant],
    protocol: Protocol,
    add: Callable[[Iterable[models.Model]], list[models.Model]],
    now: dt.datetime,
) -> None:
    decisions = {r["cohort"]: r for r in _rows(ds.escalation)}
    members: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
    for s in subjects:
        if s["phase"] is not None:
            members.setdefault((s["phase"], s["cohort"]), []).append(s)
    # An escalation subject enrolled but not yet given a cohort (the shipped example's S07) is a
    # participant without a cohort slot, not a cohort of its own.
    assigned = {n for (phase, n) in members if phase == "escalation" and n is not None}
    numbers = sorted(assigned | set(decisions))
    cohorts = []
    for n in numbers:
        rows = members.get(("escalation", n), [])
        dose = decisions[n]["dose_level"] if n in decisions else rows[0]["dose_level"]
        size = max(protocol.design.cohort_size, len(rows))
        cohorts.append(
            (
                Cohort(
                    number=n,
                    phase="escalation",
                    dose_level=dose,
                    slots=size,
                    is_open=len(rows) < size and n not in decisions,
                    opened_at=now,
                ),
                rows,
            )
        )
    expansion = members.get(("expansion", None), [])
    if expansion:
        size = max(protocol.enrolment.expansion_max, len(expansion))
        cohorts.append(
            (
                Cohort(
                    number=(numbers[-1] if numbers else 0) + 1,
                    phase="expansion",
                    dose_level=expansion[0]["dose_level"],
                    slots=size,
                    is_open=len(expansion) < size,
                    opened_at=now,
                ),
                expansion,
            )
        )
    add(c for c, _ in cohorts)
    saved = {c.number: c for c in Cohort.objects.all()}
    enrolments = []
    for cohort, rows in cohorts:
        ordered = sorted(rows, key=lambda s: (s["enrolment_date"] or dt.date.max, s["subject_id"]))
        for slot, s in enumerate(ordered, start=1):
            at = dt.datetime.combine(s["enrolment_date"] or now.date(), dt.time(), dt.UTC)
            enrolments.append(
                Enrolment(
                    participant=by_id[s["subject_id"]],
                    cohort=saved[cohort.number],
                    slot=slot,
                    enrolled_at=at,
                )
            )
    add(enrolments)
    add(
        EscalationDecision(cohort=saved[n], **_fields(EscalationDecision, r))
        for n, r in decisions.items()
    )


def _propose_dlts(created: list[models.Model], cutoff: dt.date) -> None:
    """The DLT engine's proposal on every imported adverse event, as of the data cut-off, as a
    live save makes it (``dlt_proposal``): an event in a DLT window still open at the cut-off
    (a grade 4 CRS, say) then awaits the investigator's decision as a proposed DLT, and a
    decided one shows what the engine proposed beside the decision. The dataset holds decisions
    only, so without this every imported event would carry no proposal at all. An event the
    live service would have refused (begun before preconditioning: medical history) is not a
    DLT, with the engine's reason."""
    events = [
        o
        for o in created
        if isinstance(o, AdverseEvent) and o.participant.preconditioning_start_date is not None
    ]
    for ae in events:
        try:
            ae.dlt_proposed, ae.dlt_proposal_reason = dlt_proposal(ae.participant, cutoff, ae)
        except InputError as refused:
            ae.dlt_proposed, ae.dlt_proposal_reason = False, f"not judged: {refused.rule}"
    AdverseEvent.objects.bulk_update(
        events, ["dlt_proposed", "dlt_proposal_reason"], batch_size=500
    )


def _audit_import(created: list[models.Model], *, username: str, now: dt.datetime) -> None:
    """One audit entry per imported record (bulk_create returns primary keys on both databases)."""
    changes = [Change("import", label(o), str(o.pk), diff(None, snapshot(o))) for o in created]
    audit_append(username=username, at=now, changes=changes, reason="dataset import")


def _blank_none(value: Any) -> Any:
    return None if value == "" else plain(value)


def _model_rows(
    qs: Iterable[models.Model], columns: tuple[str, ...], **extra: Any
) -> list[dict[str, Any]]:
    rows = []
    for obj in qs:
        row = {
            c: _blank_none(getattr(obj, c)) for c in columns if c not in extra and hasattr(obj, c)
        }
        row.update({k: fn(obj) for k, fn in extra.items()})
        rows.append({c: row.get(c) for c in columns})
    return rows


def last_seen(p: Participant) -> dt.date:
    """The last date with data for a participant without a disposition record: the latest
    administration, AE onset or resolution, scan or sample (the date last known alive)."""
    dates = [
        p.infusion_date,
        *p.exposures.values_list("administration_date", flat=True),
        *p.adverse_events.values_list("onset_date", flat=True),
        *p.adverse_events.exclude(resolution_date=None).values_list("resolution_date", flat=True),
        *p.tumour_assessments.values_list("assessment_date", flat=True),
        *p.samples.exclude(sample_date=None).values_list("sample_date", flat=True),
    ]
    return max(d for d in dates if d is not None)


def export_dataset(
    participants: Iterable[Participant] | None = None, data_cutoff: dt.date | None = None
) -> TrialDataset:
    """The dataset of the whole trial (or of some participants), checked against the schema."""
    import pandas as pd

    chosen = list(participants) if participants is not None else None
    ids = None if chosen is None else [p.pk for p in chosen]

    def qs(model: type[ModelT], path: str = "participant") -> QuerySet[ModelT]:
        q = model._default_manager.order_by("pk")
        return q if ids is None else q.filter(**{f"{path}__in": ids})

    products = trial_protocol().product_ids
    cols = {name: t.column_names for name, t in dataset_tables(products).items()}
    sid = {"subject_id": lambda o: o.participant.subject_id}
    attributions = {
        attribution_column(product): lambda o, product=product: o.attribution.get(product)
        for product in products
    }
    study = Study.objects.first()
    if study is None:
        raise RefusedError("study", None, "the database holds no study yet")
    study_row = _model_rows([study], cols["study"])[0]
    if data_cutoff is not None:
        study_row["data_cutoff"] = data_cutoff.isoformat()

    def enrol(o: Participant, field: str) -> Any:
        e = getattr(o, "enrolment", None)
        if e is None:
            return None
        return {
            "phase": e.cohort.phase,
            "dose_level": e.cohort.dose_level,
            "cohort": e.cohort.number if e.cohort.phase == "escalation" else None,
        }[field]

    latest_screening = (
        Screening.objects.filter(participant=OuterRef("screening__participant"))
        .order_by("-pk")
        .values("pk")[:1]
    )
    frames = {
        "study": [study_row],
        "subjects": _model_rows(
            qs(Participant, "pk").select_related("site", "enrolment__cohort"),
            cols["subjects"],
            site_id=lambda o: o.site.code if o.site else None,
            phase=lambda o: enrol(o, "phase") or o.unslotted_phase or None,
            cohort=lambda o: enrol(o, "cohort"),
            dose_level=lambda o: enrol(o, "dose_level"),
        ),
        "screening": _model_rows(
            # A participant screened again (an attestation re-evaluates the record) is exported
            # with the verdicts in force: those of the latest screening only.
            qs(ScreeningCriterion, "screening__participant")
            .filter(screening__pk=Subquery(latest_screening))
            .select_related("screening__participant"),
            cols["screening"],
            subject_id=lambda o: o.screening.participant.subject_id,
            screening_date=lambda o: o.screening.screening_date.isoformat(),
        ),
        "escalation": _model_rows(
            EscalationDecision.objects.order_by("cohort__number").select_related("cohort"),
            cols["escalation"],
            cohort=lambda o: o.cohort.number,
            dose_level=lambda o: o.cohort.dose_level,
        ),
        "lesion_measurements": _model_rows(
            qs(LesionMeasurement, "lesion__participant").select_related(
                "lesion__participant", "assessment"
            ),
            cols["lesion_measurements"],
            subject_id=lambda o: o.lesion.participant.subject_id,
            assessment_date=lambda o: o.assessment.assessment_date.isoformat(),
            lesion_id=lambda o: o.lesion.lesion_id,
        ),
    }
    for table, model in SIMPLE.items():
        extra = sid | attributions if model is AdverseEvent else sid
        frames[table] = _model_rows(qs(model).select_related("participant"), cols[table], **extra)
    recorded = {r["subject_id"] for r in frames["disposition"]}
    for p in qs(Participant, "pk").filter(infusion_date__isnull=False):
        if p.subject_id not in recorded:
            row = dict.fromkeys(cols["disposition"])
            row |= {"subject_id": p.subject_id, "last_contact_date": last_seen(p).isoformat()}
            frames["disposition"].append(row)
    return TrialDataset.from_frames(
        products=products,
        **{name: pd.DataFrame(rows, columns=list(cols[name])) for name, rows in frames.items()},
    )


def export_rows(data_cutoff: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The dataset as JSON-ready rows per table (the API's export)."""
    return {
        name: [
            {str(k): plain(_value(v)) for k, v in row.items()} for row in frame.to_dict("records")
        ]
        for name, frame in export_dataset(data_cutoff=data_cutoff).tables().items()
    }
