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


def tumour_data(ds: TrialDataset) -> list[PatientTumourData]:
    """One record per infused subject with a baseline scan, in the response engine's terms."""
    subjects = ds.subjects.loc[ds.subjects["infusion_date"].notna()].set_index("subject_id")
    therapy = ds.disposition.set_index("subject_id")["new_therapy_date"]
    lesions = dict(iter(ds.lesions.groupby("subject_id")))
    scans = dict(iter(ds.tumour_assessments.groupby("subject_id")))
    measures = dict(iter(ds.lesion_measurements.groupby("subject_id")))
    out = []
    for sid in subjects.index:
        scan = scans.get(sid)
        if scan is None or not scan["baseline"].fillna(False).any():
            continue
        baseline_row = scan.loc[scan["baseline"].fillna(False).astype(bool)].iloc[0]
        baseline_date = baseline_row["assessment_date"]
        lesion_rows = lesions.get(sid, ds.lesions.iloc[0:0])
        m = measures.get(sid, ds.lesion_measurements.iloc[0:0])
        at_baseline = m.loc[m["assessment_date"] == baseline_date].set_index("lesion_id")
        category = dict(zip(lesion_rows["lesion_id"], lesion_rows["category"], strict=True))
        baseline = [
            BaselineLesion(
                lesion_id=r.lesion_id,
                organ=r.organ,
                nodal=bool(r.lymph_node),
                method=_opt(r.method) or "CT",
                slice_thickness_mm=_opt(r.slice_thickness_mm),
                diameter_mm=_opt(at_baseline["diameter_mm"].get(r.lesion_id)),
                target=r.category == "target",
            )
            for r in lesion_rows.itertuples()
            if r.category != "new"
        ]
        new_info = lesion_rows.loc[lesion_rows["category"] == "new"].set_index("lesion_id")
        assessments = []
        follow = scan.loc[~scan["baseline"].fillna(False).astype(bool)].sort_values(
            "assessment_date"
        )
        by_date = dict(iter(m.groupby("assessment_date")))
        for s in follow.itertuples():
            rows = by_date.get(s.assessment_date, m.iloc[0:0])
            targets, new = [], []
            for r in rows.itertuples():
                kind = category.get(r.lesion_id)
                if kind == "target":
                    targets.append(
                        LesionMeasurement(
                            lesion_id=r.lesion_id,
                            state=TargetState(r.state) if r.state != "present" else "measured",
                            diameter_mm=_opt(r.diameter_mm),
                            merged_into=_opt(r.merged_into),
                        )
                    )
                elif kind == "new":
                    info = new_info.loc[r.lesion_id]
                    new.append(
                        NewLesion(
                            lesion_id=r.lesion_id,
                            organ=info["organ"],
                            nodal=bool(info["lymph_node"]),
                            equivocal=bool(_opt(r.equivocal) or False),
                            state=_NEW_STATE.get(r.state, NewLesionState.PRESENT),
                            diameter_mm=_opt(r.diameter_mm),
                            increased=bool(_opt(r.increased) or False),
                        )
                    )
            status = _opt(s.non_target_status)
            assessments.append(
                Assessment(
                    date=_date(s.assessment_date),
                    targets=targets,
                    non_target=None if status is None else NonTargetStatus(status),
                    non_target_increased=bool(_opt(s.non_target_increased) or False),
                    new_lesions=new,
                )
            )
        new_therapy = _opt(therapy.get(sid))
        out.append(
            PatientTumourData(
                patient_id=sid,
                reference_date=_date(subjects.at[sid, "infusion_date"]),
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
