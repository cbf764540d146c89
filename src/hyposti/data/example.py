"""A small hand-built trial dataset (8 subjects, 2 dose levels) that exercises every table.

It is the worked example of the documentation and the fixture of the tests: each subject stands
for one situation the endpoints must handle (confirmed PR then PD; SD then PD and death; CR with no
progression; unconfirmed PR then new therapy; PD after two missed scans; early death without a
scan; an enrolled subject never infused; a screen failure).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from hyposti.data.dataset import TrialDataset
from hyposti.data.schema import attribution_column
from hyposti.protocol import load_protocol
from hyposti.protocol.safety_spec import AeScale

# One table row: columns of mixed types (dates, numbers, text), checked when the dataset is built.
Row = dict[str, Any]

CUTOFF = dt.date(2025, 6, 30)
# grading scales, in the safety engine's vocabulary (a name outside AeScale fails the type check
# and the dataset's schema check)
CTCAE: AeScale = "CTCAE v5.0"
CRS: AeScale = "ASTCT 2019 CRS"
ICANS: AeScale = "ASTCT 2019 ICANS"
# subject: (dose level, cohort, infusion date or None, enrolled)
_PLAN = {
    "S01": (1, 1, dt.date(2024, 1, 10)),
    "S02": (1, 1, dt.date(2024, 2, 1)),
    "S03": (1, 1, dt.date(2024, 2, 20)),
    "S04": (2, 2, dt.date(2024, 4, 1)),
    "S05": (2, 2, dt.date(2024, 4, 20)),
    "S06": (2, 2, dt.date(2024, 5, 10)),
}
# target-lesion diameter (mm) by study day; None = scan missed. Baseline scan is day -10.
_TARGET_MM = {
    "S01": {-10: 50.0, 28: 30.0, 56: 28.0, 84: 27.0, 140: 40.0},
    "S02": {-10: 40.0, 28: 38.0, 56: 36.0, 84: 50.0},
    "S03": {-10: 60.0, 28: 0.0, 56: 0.0, 84: 0.0, 140: 0.0, 196: 0.0, 252: 0.0, 308: 0.0},
    "S04": {-10: 45.0, 28: 30.0, 56: 34.0},
    "S05": {-10: 30.0, 28: 32.0, 140: 45.0},
    "S06": {-10: 35.0},
}
# blood copies/ug by study day (None = below the LLOQ of 10)
_BLOOD = {
    "S01": {0: None, 4: 200.0, 7: 1500.0, 14: 600.0, 21: 150.0, 28: 40.0},
    "S02": {0: None, 4: 80.0, 7: 400.0, 14: 300.0, 21: 60.0, 28: None},
    "S03": {0: None, 4: 500.0, 7: 5000.0, 14: 2000.0, 21: 800.0, 28: 300.0},
    "S04": {0: None, 4: 1000.0, 7: 8000.0, 14: 3000.0, 21: 900.0, 28: 200.0},
    "S05": {0: None, 4: 3000.0, 7: 20000.0, 14: 6000.0, 21: 1000.0, 28: 250.0},
    "S06": {0: None, 4: 100.0, 7: 900.0, 14: 500.0},
}


def _day(subject: str, day: int) -> dt.date:
    return _PLAN[subject][2] + dt.timedelta(days=day)


def example_frames() -> dict[str, pd.DataFrame]:
    """The example trial as raw tables (before validation), one DataFrame per table."""
    subjects: list[Row] = []
    for sid, (level, cohort, infusion) in _PLAN.items():
        subjects.append(
            {
                "subject_id": sid,
                "site_id": "PLAGH",
                "sex": "F" if sid in ("S01", "S03", "S05") else "M",
                "age_years": 50 + int(sid[1:]),
                "weight_kg": 60.0 + int(sid[1:]),
                "height_cm": 165.0,
                "tumour_type": "gastric" if level == 1 else "breast",
                "her2_expression_pct": 60.0,
                "ecog": 1,
                "phase": "escalation",
                "cohort": cohort,
                "dose_level": level,
                "consent_date": infusion - dt.timedelta(days=30),
                "enrolment_date": infusion - dt.timedelta(days=20),
                "preconditioning_start_date": infusion - dt.timedelta(days=5),
                "infusion_date": infusion,
            }
        )
    subjects.append(
        {
            "subject_id": "S07",
            "sex": "M",
            "age_years": 61,
            "phase": "escalation",
            "consent_date": dt.date(2024, 5, 1),
            "enrolment_date": dt.date(2024, 5, 15),
        }
    )
    subjects.append(
        {"subject_id": "S08", "sex": "F", "age_years": 70, "consent_date": dt.date(2024, 5, 2)}
    )
    screening = []
    for row in subjects:
        for criterion in ("I1", "I3", "I6", "E2"):
            met = not (row["subject_id"] == "S08" and criterion == "I3")
            screening.append(
                {
                    "subject_id": row["subject_id"],
                    "screening_date": row["consent_date"] + dt.timedelta(days=3),
                    "criterion_id": criterion,
                    "met": met,
                    "detail": None if met else "no measurable target lesion",
                }
            )
    exposure = []
    for sid, (level, _cohort, infusion) in _PLAN.items():
        exposure += [
            {"subject_id": sid, "product": "nab-paclitaxel", "study_day": -5, "dose": 150.0,
             "dose_unit": "mg/m2", "administration_date": infusion - dt.timedelta(days=5)},
            {"subject_id": sid, "product": "cyclophosphamide", "study_day": -3, "dose": 20.0,
             "dose_unit": "mg/kg", "administration_date": infusion - dt.timedelta(days=3)},
            {"subject_id": sid, "product": "cyclophosphamide", "study_day": -2, "dose": 20.0,
             "dose_unit": "mg/kg", "administration_date": infusion - dt.timedelta(days=2)},
            {"subject_id": sid, "product": "HypoSti.CAR-HER2 T cells", "study_day": 0,
             "dose": 1e6 if level == 1 else 3e6, "dose_unit": "cells/kg",
             "administration_date": infusion},
        ]  # fmt: skip
    # (subject, id, term, soc, grade, scale, day, days to resolve, serious, car-t, nab, cyclo, dlt)
    ae_rows = [
        ("S01", "AE01", "Cytokine release syndrome", "Immune system disorders", 1, CRS,
         2, 3, False, "definite", "unrelated", "unrelated", False),
        ("S01", "AE02", "Neutrophil count decreased", "Investigations", 3, CTCAE,
         -1, 10, False, "unlikely", "possible", "probable", False),
        ("S02", "AE03", "Fatigue", "General disorders and administration site conditions", 1,
         CTCAE, 5, 7, False, "possible", "unrelated", "unrelated", False),
        ("S03", "AE04", "Cytokine release syndrome", "Immune system disorders", 2, CRS,
         3, 4, False, "definite", "unrelated", "unrelated", False),
        ("S03", "AE05", "Nausea", "Gastrointestinal disorders", 1, CTCAE,
         -6, 2, False, "unrelated", "unrelated", "unrelated", False),
        ("S04", "AE06", "Cytokine release syndrome", "Immune system disorders", 2, CRS,
         2, 5, False, "definite", "unrelated", "unrelated", False),
        ("S04", "AE07", "Neutrophil count decreased", "Investigations", 4, CTCAE,
         1, 12, False, "unlikely", "probable", "probable", False),
        ("S05", "AE08", "Cytokine release syndrome", "Immune system disorders", 3, CRS,
         1, 6, True, "definite", "unrelated", "unrelated", True),
        ("S05", "AE09", "Encephalopathy",
         "Nervous system disorders", 1, ICANS, 4, 2, False, "probable", "unrelated",
         "unrelated", False),
        ("S06", "AE10", "Sepsis", "Infections and infestations", 5, CTCAE,
         15, None, True, "unlikely", "possible", "possible", False),
    ]  # fmt: skip
    products = load_protocol().product_ids
    adverse_events = []
    for sid, aid, term, soc, grade, scale, day, dur, serious, car, nab, cyc, dlt in ae_rows:
        onset = _day(sid, day)
        adverse_events.append(
            {
                "subject_id": sid,
                "ae_id": aid,
                "term": term,
                "soc": soc,
                "grade": grade,
                "scale": scale,
                "onset_date": onset,
                "resolution_date": None if dur is None else onset + dt.timedelta(days=dur),
                "serious": serious,
                **{
                    attribution_column(product): attribution
                    for product, attribution in zip(products, (car, nab, cyc), strict=True)
                },
                "dlt": dlt,
            }
        )
    dlt_evaluations = []
    for sid, (level, _cohort, infusion) in _PLAN.items():
        dlt = sid == "S05"
        dlt_evaluations.append(
            {
                "subject_id": sid,
                "dose_level": level,
                "evaluable": True,
                "dlt": dlt,
                "window_start": infusion,
                "window_end": infusion + dt.timedelta(days=28),
                "reason": "grade 3 CRS (AE08)" if dlt else None,
            }
        )
    escalation = [
        {"cohort": 1, "dose_level": 1, "n_patients": 3, "n_dlt": 0, "decision": "escalate",
         "reason": "0/3 DLT: escalate (3+3)", "decision_date": dt.date(2024, 3, 25)},
        {"cohort": 2, "dose_level": 2, "n_patients": 3, "n_dlt": 1, "decision": "stay",
         "reason": "1/3 DLT: treat 3 more at this dose (3+3)",
         "decision_date": dt.date(2024, 6, 10)},
    ]  # fmt: skip
    lesions, assessments, measurements = [], [], []
    for sid, scans in _TARGET_MM.items():
        lesions.append(
            {"subject_id": sid, "lesion_id": "T1", "organ": "liver", "lymph_node": False,
             "category": "target", "method": "CT", "slice_thickness_mm": 5.0}
        )  # fmt: skip
        for day, mm in scans.items():
            date = _day(sid, day)
            assessments.append({"subject_id": sid, "assessment_date": date, "baseline": day < 0})
            measurements.append(
                {
                    "subject_id": sid,
                    "assessment_date": date,
                    "lesion_id": "T1",
                    "state": "disappeared" if mm == 0 else "measured",
                    "diameter_mm": None if mm == 0 else mm,
                }
            )
    kinetics = []
    for sid, samples in _BLOOD.items():
        for day, copies in samples.items():
            kinetics.append(
                {"subject_id": sid, "matrix": "blood", "study_day": float(day),
                 "sample_date": _day(sid, day), "copies_per_ug": copies, "lloq": 10.0}
            )  # fmt: skip
    kinetics.append(
        {"subject_id": "S04", "matrix": "tumour", "study_day": 14.0,
         "sample_date": _day("S04", 14), "copies_per_ug": 12000.0, "lloq": 10.0}
    )  # fmt: skip
    disposition = [
        {"subject_id": "S01", "progression_date": _day("S01", 140), "last_contact_date": CUTOFF,
         "off_study_reason": None},
        {"subject_id": "S02", "progression_date": _day("S02", 84), "death_date": _day("S02", 200),
         "death_cause": "disease progression", "last_contact_date": _day("S02", 200),
         "off_study_date": _day("S02", 200), "off_study_reason": "death"},
        {"subject_id": "S03", "last_contact_date": CUTOFF},
        {"subject_id": "S04", "new_therapy_date": _day("S04", 100),
         "last_contact_date": _day("S04", 300), "off_study_date": _day("S04", 300),
         "off_study_reason": "lost to follow-up"},
        {"subject_id": "S05", "progression_date": _day("S05", 140), "last_contact_date": CUTOFF},
        {"subject_id": "S06", "death_date": _day("S06", 20), "death_cause": "sepsis",
         "last_contact_date": _day("S06", 20), "off_study_date": _day("S06", 20),
         "off_study_reason": "death"},
        {"subject_id": "S07", "last_contact_date": dt.date(2024, 5, 20),
         "off_study_date": dt.date(2024, 5, 20), "off_study_reason": "withdrawal of consent"},
        {"subject_id": "S08", "last_contact_date": dt.date(2024, 5, 10),
         "off_study_date": dt.date(2024, 5, 10), "off_study_reason": "screen failure"},
    ]  # fmt: skip
    study = [
        {
            "study_id": "NCT05681650",
            "data_cutoff": CUTOFF,
            "protocol_version": "registry 2023-01-13",
        }
    ]
    tables: dict[str, list[Row]] = {
        "study": study,
        "subjects": subjects,
        "screening": screening,
        "exposure": exposure,
        "adverse_events": adverse_events,
        "dlt_evaluations": dlt_evaluations,
        "escalation": escalation,
        "lesions": lesions,
        "tumour_assessments": assessments,
        "lesion_measurements": measurements,
        "kinetics": kinetics,
        "disposition": disposition,
    }
    return {name: pd.DataFrame(rows) for name, rows in tables.items()}


def example_dataset() -> TrialDataset:
    """The example trial, validated."""
    return TrialDataset.from_frames(products=load_protocol().product_ids, **example_frames())
