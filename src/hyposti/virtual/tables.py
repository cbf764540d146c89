"""Writes a simulated trial as the trial dataset: one table per domain, schema of hyposti.data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from hyposti.data import TrialDataset
from hyposti.data.schema import LAB_TESTS, VITAL_SIGNS, attribution_column
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


def _subject_row(s: Screened) -> dict[str, Any]:
    c, course = s.candidate, s.course
    row: dict[str, Any] = {
        "subject_id": s.subject_id,
        "site_id": SITE,
        "sex": c.sex,
        "age_years": c.age_years,
        "weight_kg": c.weight_kg,
        "height_cm": c.height_cm,
        "tumour_type": c.tumour_type,
        "her2_expression_pct": c.her2_percent,
        "ecog": c.ecog,
        "phase": s.phase,
        "cohort": s.cohort,
        "dose_level": course.dose_level if course else None,
        "consent_date": s.record.consent.signed_date,
        "enrolment_date": s.record.enrolment_date if course else None,
        "preconditioning_start_date": course.preconditioning_start if course else None,
        "infusion_date": course.infusion_date if course else None,
    }
    return row


def _exposure_rows(subject_id: str, course: PatientCourse, product: str) -> list[dict[str, Any]]:
    rows = [
        {
            "subject_id": subject_id,
            "product": dose.agent,
            "administration_date": course.infusion_date + dt.timedelta(days=day),
            "study_day": day,
            "dose": dose.dose_per_unit,
            "dose_unit": dose.dose_basis,
        }
        for dose in course.doses.preconditioning
        for day in dose.study_days
    ]
    rows.append(
        {
            "subject_id": subject_id,
            "product": product,
            "administration_date": course.infusion_date,
            "study_day": 0,
            "dose": course.doses.car_t.cells_per_kg,
            "dose_unit": "cells/kg",
        }
    )
    return rows


def _ae_rows(subject_id: str, course: PatientCourse, dlt_ids: set[str]) -> list[dict[str, Any]]:
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


def _tumour_rows(
    subject_id: str, course: PatientCourse
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Lesions, scans (baseline first) and per-lesion readings of one patient."""
    data = course.tumour_data
    lesions = [
        {
            "subject_id": subject_id,
            "lesion_id": lesion.lesion_id,
            "organ": lesion.organ,
            "lymph_node": lesion.nodal,
            "category": "target" if lesion.target else "non-target",
            "method": str(lesion.method),
            "slice_thickness_mm": lesion.slice_thickness_mm,
        }
        for lesion in data.lesions
    ]
    scans = [
        {
            "subject_id": subject_id,
            "assessment_date": data.baseline_date,
            "baseline": True,
            "non_target_status": None,
            "non_target_increased": None,
        }
    ]
    readings = [
        {
            "subject_id": subject_id,
            "assessment_date": data.baseline_date,
            "lesion_id": lesion.lesion_id,
            "state": "measured" if lesion.diameter_mm is not None else "present",
            "diameter_mm": lesion.diameter_mm,
        }
        for lesion in data.lesions
    ]
    new_seen: set[str] = set()
    for a in data.assessments:
        scans.append(
            {
                "subject_id": subject_id,
                "assessment_date": a.date,
                "baseline": False,
                "non_target_status": None if a.non_target is None else str(a.non_target),
                "non_target_increased": a.non_target_increased if a.non_target else None,
            }
        )
        for m in a.targets:
            readings.append(
                {
                    "subject_id": subject_id,
                    "assessment_date": a.date,
                    "lesion_id": m.lesion_id,
                    "state": str(m.state),
                    "diameter_mm": m.diameter_mm if m.state == TargetState.MEASURED else None,
                }
            )
        for n in a.new_lesions:
            if n.lesion_id not in new_seen:
                new_seen.add(n.lesion_id)
                lesions.append(
                    {
                        "subject_id": subject_id,
                        "lesion_id": n.lesion_id,
                        "organ": n.organ,
                        "lymph_node": n.nodal,
                        "category": "new",
                        "method": "CT",
                        "slice_thickness_mm": None,
                    }
                )
            readings.append(
                {
                    "subject_id": subject_id,
                    "assessment_date": a.date,
                    "lesion_id": n.lesion_id,
                    "state": _NEW_STATE[n.state],
                    "diameter_mm": n.diameter_mm,
                    "equivocal": n.equivocal,
                    "increased": n.increased,
                }
            )
    return lesions, scans, readings


def _disposition_row(s: Screened) -> dict[str, Any]:
    course = s.course
    if course is None:
        verdict_date = s.record.enrolment_date or s.record.screening_date
        return {
            "subject_id": s.subject_id,
            "last_contact_date": verdict_date,
            "off_study_date": verdict_date,
            "off_study_reason": "screen failure",
        }
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
    return {
        "subject_id": s.subject_id,
        "progression_date": course.response.progression_date,
        "death_date": death,
        "death_cause": survival.death_cause,
        "new_therapy_date": course.new_therapy_date,
        "last_contact_date": course.follow_up_end,
        "off_study_date": course.follow_up_end,
        "off_study_reason": reason,
    }


def _lab_rows(s: Screened) -> list[dict[str, Any]]:
    """The screening labs the eligibility engine judged, with the ULN drawn for those judged
    against it (no lower limit is drawn)."""
    rows = []
    for test, (field, unit) in LAB_TESTS.items():
        lab = getattr(s.record.labs, field)
        if lab is not None:
            rows.append(
                {
                    "subject_id": s.subject_id,
                    "collection_date": lab.date,
                    "test": test,
                    "value": lab.value,
                    "unit": unit,
                    "normal_high": getattr(lab, "uln", None),
                }
            )
    return rows


def _vital_rows(s: Screened) -> list[dict[str, Any]]:
    """Weight and height at screening (they set the doses) and the oxygen saturation screened."""
    day = s.record.screening_date
    rows = [
        {
            "subject_id": s.subject_id,
            "measurement_date": day,
            "test": test,
            "value": value,
            "unit": VITAL_SIGNS[test],
        }
        for test, value in (("weight", s.candidate.weight_kg), ("height", s.candidate.height_cm))
    ]
    spo2 = s.record.labs.spo2_room_air_percent
    if spo2 is not None:
        rows.append(
            {
                "subject_id": s.subject_id,
                "measurement_date": spo2.date,
                "test": "spo2",
                "value": spo2.value,
                "unit": VITAL_SIGNS["spo2"],
            }
        )
    return rows


def trial_dataset(trial: SimulatedTrial) -> TrialDataset:
    """The simulated trial in the dataset schema, validated by ``TrialDataset.from_frames``."""
    protocol = trial.protocol
    product = protocol.investigational_product.name
    rows: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "subjects", "screening", "exposure", "adverse_events", "dlt_evaluations", "lesions",
            "tumour_assessments", "lesion_measurements", "kinetics", "disposition",
            "medications", "lab_results", "vital_signs",
        )
    }  # fmt: skip
    for s in trial.screened:
        rows["subjects"].append(_subject_row(s))
        rows["screening"] += [
            {
                "subject_id": s.subject_id,
                "screening_date": s.record.screening_date,
                "criterion_id": c.id,
                "met": c.verdict == Verdict.MET,
                "detail": c.reason,
            }
            for c in s.result.criteria
        ]
        rows["disposition"].append(_disposition_row(s))
        rows["lab_results"] += _lab_rows(s)
        rows["vital_signs"] += _vital_rows(s)
        course = s.course
        if course is None:
            continue
        verdict = trial.adjudications[s.subject_id]
        rows["exposure"] += _exposure_rows(s.subject_id, course, product)
        events = _ae_rows(s.subject_id, course, {e.event_id for e in verdict.dlts if e.event_id})
        rows["adverse_events"] += events
        rows["medications"] += management_rows(
            s.candidate.weight_kg, events, protocol.toxicity_management
        )
        rows["dlt_evaluations"].append(
            {
                "subject_id": s.subject_id,
                "dose_level": course.dose_level,
                "evaluable": verdict.evaluability == "evaluable",
                "dlt": verdict.has_dlt,
                "window_start": verdict.window_start,
                "window_end": verdict.window_end,
                "reason": "; ".join(
                    [verdict.evaluability_reason] + [r for e in verdict.dlts for r in e.reasons]
                ),
            }
        )
        lesions, scans, readings = _tumour_rows(s.subject_id, course)
        rows["lesions"] += lesions
        rows["tumour_assessments"] += scans
        rows["lesion_measurements"] += readings
        rows["kinetics"] += [
            {
                "subject_id": s.subject_id,
                "matrix": k.matrix,
                "study_day": k.study_day,
                "sample_date": k.date,
                "copies_per_ug": k.copies_per_ug,
                "lloq": course.lloq,
            }
            for k in course.kinetics
        ]
    escalation = [
        {
            "cohort": step.cohort,
            "dose_level": step.dose_level,
            "n_patients": step.outcome.size,
            "n_dlt": step.outcome.num_dlts,
            "decision": step.decision_kind,
            "reason": step.decision.reason,
            "decision_date": step.decision_date,
        }
        for step in trial.escalation
    ]
    study = {
        "study_id": protocol.identifiers.nct_id,
        "data_cutoff": trial.data_cutoff,
        "data_source": "synthetic",
        "protocol_version": f"registry {protocol.identifiers.last_update_posted.isoformat()}",
        "mtd_dose_level": trial.mtd,
        "rp2d_dose_level": trial.rp2d,
        "rp2d_rationale": trial.rp2d_rationale,
    }
    frames = {name: pd.DataFrame(r) for name, r in rows.items()}
    frames["escalation"] = pd.DataFrame(escalation)
    frames["study"] = pd.DataFrame([study])
    return TrialDataset.from_frames(products=protocol.product_ids, **frames)
