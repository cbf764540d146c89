"""Writes a simulated trial as the trial dataset: one table per domain, schema of hyposti.data."""

from __future__ import annotations

import datetime as dt
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from hyposti.data import TrialDataset
from hyposti.data.calendar_shift import dated_no_later_than
from hyposti.data.schema import (
    LAB_TESTS,
    TABLES,
    VITAL_SIGNS,
    Table,
    attribution_column,
    dataset_tables,
)
from hyposti.eligibility.record import LabVsUln
from hyposti.eligibility.verdict import Verdict
from hyposti.response.records import NewLesionState, TargetState
from hyposti.virtual.clinic import Screened
from hyposti.virtual.management import management_rows
from hyposti.virtual.patient import PatientCourse
from hyposti.virtual.trial import SimulatedTrial

SITE = "PLAGH"
_NEW_STATE = {
    NewLesionState.PRESENT: "present",
    NewLesionState.DISAPPEARED: "disappeared",
    NewLesionState.NOT_EVALUATED: "not_evaluated",
}

# Each table's rows are tuples of these columns: a frame built column by column costs a fraction
# of one built from a dict per row.
Row = tuple[Any, ...]
_SUBJECTS = (
    "subject_id", "site_id", "sex", "age_years", "weight_kg", "height_cm", "tumour_type",
    "her2_expression_pct", "ecog", "phase", "cohort", "dose_level", "consent_date",
    "enrolment_date", "preconditioning_start_date", "infusion_date",
)  # fmt: skip
_EXPOSURE = ("subject_id", "product", "administration_date", "study_day", "dose", "dose_unit")
_DLT_EVALUATIONS = (
    "subject_id", "dose_level", "evaluable", "dlt", "window_start", "window_end", "reason",
)  # fmt: skip
_LESIONS = (
    "subject_id", "lesion_id", "organ", "lymph_node", "category", "method", "slice_thickness_mm",
)  # fmt: skip
_SCANS = (
    "subject_id", "assessment_date", "baseline", "non_target_status", "non_target_increased",
)  # fmt: skip
_READINGS = (
    "subject_id", "assessment_date", "lesion_id", "state", "diameter_mm", "equivocal", "increased",
)  # fmt: skip
_KINETICS = ("subject_id", "matrix", "study_day", "sample_date", "copies_per_ug", "lloq")
_DISPOSITION = (
    "subject_id", "progression_date", "death_date", "death_cause", "new_therapy_date",
    "last_contact_date", "off_study_date", "off_study_reason",
)  # fmt: skip
_LAB_RESULTS = ("subject_id", "collection_date", "test", "value", "unit", "normal_high")
_VITAL_SIGNS = ("subject_id", "measurement_date", "test", "value", "unit")
_ESCALATION = (
    "cohort", "dose_level", "n_patients", "n_dlt", "decision", "reason", "decision_date",
)  # fmt: skip
_STUDY = (
    "study_id", "data_cutoff", "data_source", "protocol_version", "mtd_dose_level",
    "rp2d_dose_level", "rp2d_rationale",
)  # fmt: skip


def _subject_row(s: Screened) -> Row:
    c, course = s.candidate, s.course
    return (
        s.subject_id,
        SITE,
        c.sex,
        c.age_years,
        c.weight_kg,
        c.height_cm,
        c.tumour_type,
        c.her2_percent,
        c.ecog,
        s.phase,
        s.cohort,
        course.dose_level if course else None,
        s.record.consent.signed_date,
        s.record.enrolment_date if course else None,
        course.preconditioning_start if course else None,
        course.infusion_date if course else None,
    )


def _exposure_rows(subject_id: str, course: PatientCourse, product: str) -> list[Row]:
    rows = [
        (
            subject_id,
            dose.agent,
            course.infusion_date + dt.timedelta(days=day),
            day,
            dose.dose_per_unit,
            dose.dose_basis,
        )
        for dose in course.doses.preconditioning
        for day in dose.study_days
    ]
    rows.append(
        (subject_id, product, course.infusion_date, 0, course.doses.car_t.cells_per_kg, "cells/kg")
    )
    return rows


def _ae_rows(subject_id: str, course: PatientCourse, dlt_ids: set[str]) -> list[dict[str, Any]]:
    """One dict per event: the medications the sites give are read from these rows."""
    rows = []
    for graded in course.events:
        e = graded.event
        rows.append(
            {
                "subject_id": subject_id,
                "ae_id": e.id,
                "term": e.term,
                "soc": e.soc,
                "grade": e.grade,
                "scale": e.scale,
                "onset_date": e.onset,
                "resolution_date": e.resolution,
                "serious": e.serious,
                **{attribution_column(p): a for p, a in e.attribution.items()},
                "dlt": e.id in dlt_ids,
            }
        )
    return rows


def _tumour_rows(subject_id: str, course: PatientCourse) -> tuple[list[Row], list[Row], list[Row]]:
    """Lesions, scans (baseline first) and per-lesion readings of one patient."""
    data = course.tumour_data
    lesions: list[Row] = [
        (
            subject_id,
            lesion.lesion_id,
            lesion.organ,
            lesion.nodal,
            "target" if lesion.target else "non-target",
            str(lesion.method),
            lesion.slice_thickness_mm,
        )
        for lesion in data.lesions
    ]
    scans: list[Row] = [(subject_id, data.baseline_date, True, None, None)]
    readings: list[Row] = [
        (
            subject_id,
            data.baseline_date,
            lesion.lesion_id,
            "measured" if lesion.diameter_mm is not None else "present",
            lesion.diameter_mm,
            None,
            None,
        )
        for lesion in data.lesions
    ]
    new_seen: set[str] = set()
    for a in data.assessments:
        scans.append(
            (
                subject_id,
                a.date,
                False,
                None if a.non_target is None else str(a.non_target),
                a.non_target_increased if a.non_target else None,
            )
        )
        for m in a.targets:
            readings.append(
                (
                    subject_id,
                    a.date,
                    m.lesion_id,
                    str(m.state),
                    m.diameter_mm if m.state == TargetState.MEASURED else None,
                    None,
                    None,
                )
            )
        for n in a.new_lesions:
            if n.lesion_id not in new_seen:
                new_seen.add(n.lesion_id)
                lesions.append((subject_id, n.lesion_id, n.organ, n.nodal, "new", "CT", None))
            readings.append(
                (
                    subject_id,
                    a.date,
                    n.lesion_id,
                    _NEW_STATE[n.state],
                    n.diameter_mm,
                    n.equivocal,
                    n.increased,
                )
            )
    return lesions, scans, readings


def _disposition_row(s: Screened) -> Row:
    course = s.course
    if course is None:
        verdict_date = s.record.enrolment_date or s.record.screening_date
        return (s.subject_id, None, None, None, None, verdict_date, verdict_date, "screen failure")
    survival = course.survival
    death = (
        course.infusion_date + dt.timedelta(days=survival.death_day)
        if survival.death_day is not None
        else None
    )
    reason: str | None
    if death is not None:
        reason = "death"
    elif survival.dropout_day is not None:
        reason = survival.dropout_reason
    else:
        reason = "completed"
    return (
        s.subject_id,
        course.response.progression_date,
        death,
        survival.death_cause,
        course.new_therapy_date,
        course.follow_up_end,
        course.follow_up_end,
        reason,
    )


def _lab_rows(s: Screened) -> list[Row]:
    """The screening labs the eligibility engine judged, with the ULN drawn for those judged
    against it (no lower limit is drawn)."""
    labs = s.record.labs
    rows = []
    for test, (field, unit) in LAB_TESTS.items():
        lab = getattr(labs, field)
        if lab is not None:
            uln = lab.uln if isinstance(lab, LabVsUln) else None
            rows.append((s.subject_id, lab.date, test, lab.value, unit, uln))
    return rows


def _vital_rows(s: Screened) -> list[Row]:
    """Weight and height at screening (they set the doses) and the oxygen saturation screened."""
    day = s.record.screening_date
    rows: list[Row] = [
        (s.subject_id, day, "weight", s.candidate.weight_kg, VITAL_SIGNS["weight"]),
        (s.subject_id, day, "height", s.candidate.height_cm, VITAL_SIGNS["height"]),
    ]
    spo2 = s.record.labs.spo2_room_air_percent
    if spo2 is not None:
        rows.append((s.subject_id, spo2.date, "spo2", spo2.value, VITAL_SIGNS["spo2"]))
    return rows


def trial_dataset(trial: SimulatedTrial, generated_on: dt.date | None = None) -> TrialDataset:
    """The simulated trial in the dataset schema, validated by ``TrialDataset.from_frames``;
    with ``generated_on``, dated no later than that day (``dated_no_later_than``)."""
    protocol = trial.protocol
    product = protocol.investigational_product.name
    subjects: list[Row] = []
    disposition: list[Row] = []
    labs: list[Row] = []
    vitals: list[Row] = []
    exposure: list[Row] = []
    events: list[dict[str, Any]] = []
    medications: list[dict[str, Any]] = []
    evaluations: list[Row] = []
    lesions: list[Row] = []
    scans: list[Row] = []
    readings: list[Row] = []
    kinetics: list[Row] = []
    for s in trial.screened:
        subjects.append(_subject_row(s))
        disposition.append(_disposition_row(s))
        labs += _lab_rows(s)
        vitals += _vital_rows(s)
        course = s.course
        if course is None:
            continue
        verdict = trial.adjudications[s.subject_id]
        exposure += _exposure_rows(s.subject_id, course, product)
        patient_events = _ae_rows(
            s.subject_id, course, {e.event_id for e in verdict.dlts if e.event_id}
        )
        events += patient_events
        medications += management_rows(
            s.candidate.weight_kg, patient_events, protocol.toxicity_management
        )
        evaluations.append(
            (
                s.subject_id,
                course.dose_level,
                verdict.evaluability == "evaluable",
                verdict.has_dlt,
                verdict.window_start,
                verdict.window_end,
                "; ".join(
                    [verdict.evaluability_reason] + [r for e in verdict.dlts for r in e.reasons]
                ),
            )
        )
        patient_lesions, patient_scans, patient_readings = _tumour_rows(s.subject_id, course)
        lesions += patient_lesions
        scans += patient_scans
        readings += patient_readings
        kinetics += [
            (s.subject_id, k.matrix, k.study_day, k.date, k.copies_per_ug, course.lloq)
            for k in course.kinetics
        ]
    escalation = [
        (
            step.cohort,
            step.dose_level,
            step.outcome.size,
            step.outcome.num_dlts,
            step.decision_kind,
            step.decision.reason,
            step.decision_date,
        )
        for step in trial.escalation
    ]
    study = (
        protocol.identifiers.nct_id,
        trial.data_cutoff,
        "synthetic",
        f"registry {protocol.identifiers.last_update_posted.isoformat()}",
        trial.mtd,
        trial.rp2d,
        trial.rp2d_rationale,
    )
    products = protocol.product_ids
    frames = {
        "subjects": _rows_frame("subjects", _SUBJECTS, subjects),
        "exposure": _rows_frame("exposure", _EXPOSURE, exposure),
        "adverse_events": _records_frame("adverse_events", events, products),
        "dlt_evaluations": _rows_frame("dlt_evaluations", _DLT_EVALUATIONS, evaluations),
        "lesions": _rows_frame("lesions", _LESIONS, lesions),
        "tumour_assessments": _rows_frame("tumour_assessments", _SCANS, scans),
        "lesion_measurements": _rows_frame("lesion_measurements", _READINGS, readings),
        "kinetics": _rows_frame("kinetics", _KINETICS, kinetics),
        "disposition": _rows_frame("disposition", _DISPOSITION, disposition),
        "medications": _records_frame("medications", medications, products),
        "lab_results": _rows_frame("lab_results", _LAB_RESULTS, labs),
        "vital_signs": _rows_frame("vital_signs", _VITAL_SIGNS, vitals),
        "screening": _screening_frame(trial.screened),
        "escalation": _rows_frame("escalation", _ESCALATION, escalation),
        "study": _rows_frame("study", _STUDY, [study]),
    }
    if generated_on is not None:
        frames = dated_no_later_than(frames, trial.data_cutoff, generated_on)
    return TrialDataset.from_frames(products=products, **frames)


def _screening_frame(screened: tuple[Screened, ...]) -> pd.DataFrame:
    """Every candidate's verdict on every criterion, built by column: the largest table (25 rows
    per candidate), whose subject and date repeat along each candidate's criteria."""
    counts = [len(s.result.criteria) for s in screened]
    criteria = [c for s in screened for c in s.result.criteria]
    dates = [s.record.screening_date for s in screened]
    typed = _datetimes(dates)
    return pd.DataFrame(
        {
            "subject_id": np.repeat(
                np.array([s.subject_id for s in screened], dtype=object), counts
            ),
            "screening_date": np.repeat(
                np.array(dates, dtype=object) if typed is None else typed, counts
            ),
            "criterion_id": [c.id for c in criteria],
            "met": np.array([c.verdict == Verdict.MET for c in criteria], dtype=bool),
            "detail": [c.reason for c in criteria],
        }
    )


def _rows_frame(table: str, columns: tuple[str, ...], rows: list[Row]) -> pd.DataFrame:
    values = zip(*rows, strict=True) if rows else [()] * len(columns)
    return _frame(TABLES[table], {name: list(v) for name, v in zip(columns, values, strict=True)})


def _records_frame(
    table: str, records: list[dict[str, Any]], products: tuple[str, ...]
) -> pd.DataFrame:
    """The table of one dict per row, its columns the keys the rows use (the schema's when
    there are no rows: an empty table, not one without columns)."""
    schema = dataset_tables(products)[table]
    names = dict.fromkeys(chain.from_iterable(records)) or schema.column_names
    return _frame(schema, {name: [r.get(name) for r in records] for name in names})


def _frame(schema: Table, columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The table's columns as arrays of the schema's types where every value has the type the
    column expects: the frame is built without pandas inferring each column's type, and the schema
    check reads typed columns instead of parsing objects (dates it would write out as text and
    parse back). A column holding anything else is handed over as it is, for the check to name."""
    kinds = {c.name: c.dtype for c in schema.columns}
    return pd.DataFrame({name: _typed(values, kinds.get(name)) for name, values in columns.items()})


_NONE = type(None)
_NUMBERS = frozenset({int, float, _NONE})


def _typed(values: list[Any], kind: str | None) -> np.ndarray | list[Any]:
    if kind == "string":
        # whatever the values, the check reads each one's text, as it would from pandas' column
        return np.array(values, dtype=object)
    if kind == "date":
        dates = _datetimes(values)
        return values if dates is None else dates
    held = set(map(type, values))
    if kind in ("number", "integer") and held <= _NUMBERS:
        return np.array(values, dtype=float)  # None as NaN, as pandas reads a blank
    if kind == "boolean" and held <= {bool}:
        return np.array(values, dtype=bool)
    if kind == "boolean" and held <= {bool, _NONE}:
        return np.array(values, dtype=object)  # as pandas holds flags with blanks
    return values


_EPOCH = dt.date(1970, 1, 1).toordinal()
# the days datetime64[ns] holds (1677-09-22 to 2262-04-11), as date ordinals
_EARLIEST = pd.Timestamp.min.ceil("D").date().toordinal()
_LATEST = pd.Timestamp.max.floor("D").date().toordinal()
_NAT = np.iinfo(np.int64).min  # datetime64's "not a time"


def _datetimes(values: list[Any]) -> np.ndarray | None:
    """Dates (datetime.date) and blanks (None) as datetime64[ns] through their day numbers; None
    if any value is something else or a date datetime64[ns] cannot hold."""
    kinds = set(map(type, values))
    if not kinds <= {dt.date, _NONE}:
        return None
    if _NONE in kinds:
        ordinals = [_NAT if v is None else v.toordinal() for v in values]
    else:
        ordinals = [v.toordinal() for v in values]
    days = np.array(ordinals, dtype=np.int64)
    blank = days == _NAT
    held = days[~blank]
    if len(held) and (held.min() < _EARLIEST or held.max() > _LATEST):
        return None
    days = np.where(blank, _NAT, days - _EPOCH)
    return days.astype("datetime64[D]").astype("datetime64[ns]")
