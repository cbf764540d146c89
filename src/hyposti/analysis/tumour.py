"""Turns the dataset's lesion tables into hyposti.response records and assesses every patient."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from hyposti.data.dataset import TrialDataset
from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response import (
    Assessment,
    BaselineLesion,
    LesionMeasurement,
    NewLesion,
    NewLesionState,
    NonTargetStatus,
    PatientResponse,
    PatientTumourData,
    TargetState,
    assess_patient,
)

_NEW_STATE = {
    "present": NewLesionState.PRESENT,
    "measured": NewLesionState.PRESENT,
    "disappeared": NewLesionState.DISAPPEARED,
    "not_evaluated": NewLesionState.NOT_EVALUATED,
}


def _date(value: pd.Timestamp) -> dt.date:
    return value.date()


def _opt(value: object) -> object:
    return None if value is None or pd.isna(value) else value


def _by_subject(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """Rows as plain dicts grouped by subject (one pass; per-patient pandas slicing is slow)."""
    out: dict[str, list[dict]] = {}
    for row in frame.to_dict(orient="records"):
        out.setdefault(row["subject_id"], []).append(row)
    return out


def _target(r: dict) -> LesionMeasurement:
    return LesionMeasurement(
        lesion_id=r["lesion_id"],
        state=TargetState(r["state"]) if r["state"] != "present" else TargetState.MEASURED,
        diameter_mm=_opt(r["diameter_mm"]),
        merged_into=_opt(r["merged_into"]),
    )


def _new(r: dict, lesion: dict) -> NewLesion:
    return NewLesion(
        lesion_id=r["lesion_id"],
        organ=lesion["organ"],
        nodal=bool(lesion["lymph_node"]),
        equivocal=bool(_opt(r["equivocal"]) or False),
        state=_NEW_STATE.get(r["state"], NewLesionState.PRESENT),
        diameter_mm=_opt(r["diameter_mm"]),
        increased=bool(_opt(r["increased"]) or False),
    )


def tumour_data(ds: TrialDataset) -> list[PatientTumourData]:
    """One record per infused subject with a baseline scan, in the response engine's terms."""
    infused = ds.subjects.loc[ds.subjects["infusion_date"].notna()]
    therapy = dict(zip(ds.disposition["subject_id"], ds.disposition["new_therapy_date"],
                       strict=True))  # fmt: skip
    lesions = _by_subject(ds.lesions)
    scans = _by_subject(ds.tumour_assessments)
    measures = _by_subject(ds.lesion_measurements)
    out = []
    for sid, infusion in zip(infused["subject_id"], infused["infusion_date"], strict=True):
        scan = scans.get(sid, [])
        baseline_scan = next((a for a in scan if a["baseline"] is True), None)
        if baseline_scan is None:
            continue
        baseline_date = baseline_scan["assessment_date"]
        lesion_rows = {r["lesion_id"]: r for r in lesions.get(sid, [])}
        by_date: dict[pd.Timestamp, list[dict]] = {}
        for m in measures.get(sid, []):
            by_date.setdefault(m["assessment_date"], []).append(m)
        at_baseline = {m["lesion_id"]: m for m in by_date.get(baseline_date, [])}
        baseline = [
            BaselineLesion(
                lesion_id=lid,
                organ=r["organ"],
                nodal=bool(r["lymph_node"]),
                method=_opt(r["method"]) or "CT",
                slice_thickness_mm=_opt(r["slice_thickness_mm"]),
                diameter_mm=_opt(at_baseline.get(lid, {}).get("diameter_mm")),
                target=r["category"] == "target",
            )
            for lid, r in lesion_rows.items()
            if r["category"] != "new"
        ]
        assessments = []
        for a in sorted(scan, key=lambda a: a["assessment_date"]):
            if a["baseline"] is True:
                continue
            rows = by_date.get(a["assessment_date"], [])
            kinds = [(r, lesion_rows.get(r["lesion_id"], {}).get("category")) for r in rows]
            status = _opt(a["non_target_status"])
            assessments.append(
                Assessment(
                    date=_date(a["assessment_date"]),
                    targets=[_target(r) for r, kind in kinds if kind == "target"],
                    non_target=None if status is None else NonTargetStatus(status),
                    non_target_increased=bool(_opt(a["non_target_increased"]) or False),
                    new_lesions=[
                        _new(r, lesion_rows[r["lesion_id"]]) for r, kind in kinds if kind == "new"
                    ],
                )
            )
        new_therapy = _opt(therapy.get(sid))
        out.append(
            PatientTumourData(
                patient_id=sid,
                reference_date=_date(infusion),
                baseline_date=_date(baseline_date),
                lesions=baseline,
                assessments=assessments,
                new_anticancer_therapy_date=None if new_therapy is None else _date(new_therapy),
            )
        )
    return out


def assess_responses(
    ds: TrialDataset, spec: ResponseSpec, criteria: str = "recist11"
) -> dict[str, PatientResponse]:
    """Best overall response and endpoint dates per patient, by hyposti.response (RECIST 1.1 /
    iRECIST); only scans up to the data cut-off count."""
    cutoff = ds.data_cutoff.date()
    out = {}
    for data in tumour_data(ds):
        kept = [a for a in data.assessments if a.date <= cutoff]
        if len(kept) != len(data.assessments):
            data = data.model_copy(update={"assessments": kept})
        out[data.patient_id] = assess_patient(data, spec, criteria)  # type: ignore[arg-type]
    return out
