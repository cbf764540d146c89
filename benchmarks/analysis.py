"""Speed of the endpoint analysis on a synthetic 10^4-patient dataset (median of repeats).

Run: python benchmarks/analysis.py [--patients 10000] [--repeats 3] [--json]
The dataset is random but seeded; it exercises every table (not a clinical simulation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hyposti.analysis import analyze_trial
from hyposti.data import TrialDataset, read_dataset, write_dataset
from hyposti.report import render_html
from hyposti.safety import crs, icans
from timing import timed

SCAN_DAYS = (28, 56, 84, 140, 196, 252)
SAMPLE_DAYS = (0, 4, 7, 14, 21, 28)


def synthetic_frames(n: int, seed: int = 20260101) -> dict[str, pd.DataFrame]:
    """A seeded random trial of ``n`` infused patients over three dose levels."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:05d}" for i in range(n)])
    level = rng.integers(1, 4, n)
    # the first nine patients are the three escalation cohorts, one per dose level; the rest expand
    escalation_part = np.arange(n) < 9
    level[:9] = np.repeat([1, 2, 3], 3)[: min(n, 9)]
    infusion = pd.Timestamp("2023-03-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    subjects = pd.DataFrame(
        {"subject_id": ids, "sex": rng.choice(["F", "M"], n), "age_years": rng.integers(18, 76, n),
         "phase": np.where(escalation_part, "escalation", "expansion"), "dose_level": level,
         "cohort": pd.Series(1 + np.arange(n) // 3, dtype="Int64").where(escalation_part),
         "consent_date": infusion - pd.Timedelta(days=30),
         "enrolment_date": infusion - pd.Timedelta(days=20),
         "preconditioning_start_date": infusion - pd.Timedelta(days=5),
         "infusion_date": infusion}
    )  # fmt: skip
    screening = pd.DataFrame(
        {"subject_id": np.repeat(ids, 2), "screening_date": np.repeat(infusion, 2)
         - pd.Timedelta(days=25), "criterion_id": np.tile(["I1", "I3"], n), "met": True}
    )  # fmt: skip
    exposure = pd.DataFrame(
        {"subject_id": ids, "product": "HypoSti.CAR-HER2 T cells", "administration_date": infusion,
         "study_day": 0, "dose": np.choose(level - 1, [1e6, 3e6, 1e7]), "dose_unit": "cells/kg"}
    )  # fmt: skip
    k = 3 * n
    ae_subject = rng.integers(0, n, k)
    # no grade 5: the data check requires its death (and the deaths here are from progression)
    grades = rng.choice([1, 2, 3, 4], k, p=[0.45, 0.3, 0.17, 0.08])
    table = np.array(
        [("Cytokine release syndrome", "Immune system disorders", crs.SCALE),
         ("Neutrophil count decreased", "Investigations", "CTCAE v5.0"),
         ("Fatigue", "General disorders and administration site conditions", "CTCAE v5.0"),
         ("Encephalopathy", "Nervous system disorders",
          icans.SCALE)])  # fmt: skip
    pick = rng.integers(0, 4, k)
    onset = infusion[ae_subject] + pd.to_timedelta(rng.integers(-4, 30, k), unit="D")
    attribution = rng.choice(["unrelated", "unlikely", "possible", "probable", "definite"], (k, 3))
    adverse_events = pd.DataFrame(
        {"subject_id": ids[ae_subject], "ae_id": [f"AE{i:06d}" for i in range(k)],
         "term": table[pick, 0], "soc": table[pick, 1], "grade": grades, "scale": table[pick, 2],
         "onset_date": onset, "serious": grades >= 3, "attribution_car_t": attribution[:, 0],
         "attribution_nab_paclitaxel": attribution[:, 1],
         "attribution_cyclophosphamide": attribution[:, 2], "dlt": False}
    )  # fmt: skip
    # DLTs as the data checks require them: flagged on the AE and on its subject's evaluation
    day = (onset - infusion[ae_subject]).days
    adverse_events["dlt"] = (grades >= 4) & (day >= 0) & (day <= 28)
    dlt = np.isin(ids, ids[ae_subject][adverse_events["dlt"].to_numpy()])
    dlt_evaluations = pd.DataFrame(
        {"subject_id": ids, "dose_level": level, "evaluable": True, "dlt": dlt,
         "window_start": infusion, "window_end": infusion + pd.Timedelta(days=28)}
    )  # fmt: skip
    escalation = pd.DataFrame(
        {"cohort": [1, 2, 3], "dose_level": [1, 2, 3], "n_patients": [3, 3, 3],
         "n_dlt": [int(dlt[i:i + 3].sum()) for i in (0, 3, 6)],
         "decision": ["escalate", "escalate", "stay"], "reason": "3+3"}
    )  # fmt: skip
    lesions = pd.DataFrame(
        {"subject_id": ids, "lesion_id": "T1", "organ": "liver", "lymph_node": False,
         "category": "target", "method": "CT"}
    )  # fmt: skip
    death = rng.random(n) < 0.4
    death_day = np.where(death, rng.integers(30, 700, n), 10_000)
    baseline = rng.uniform(20, 90, n)
    slope = rng.normal(0.0, 0.25, n)
    scans = [(-10, np.ones(n, dtype=bool))] + [
        (d, (rng.random(n) < 0.9) & (d < death_day)) for d in SCAN_DAYS
    ]
    a_rows, m_rows = [], []
    for day, done in scans:
        date = infusion[done] + pd.Timedelta(days=day)
        a_rows.append(pd.DataFrame({"subject_id": ids[done], "assessment_date": date,
                                    "baseline": day < 0}))  # fmt: skip
        size = baseline[done] * np.clip(1 + slope[done] * max(day, 0) / 56, 0, None)
        m_rows.append(pd.DataFrame({"subject_id": ids[done], "assessment_date": date,
                                    "lesion_id": "T1", "state": np.where(size > 0, "measured",
                                    "disappeared"), "diameter_mm": np.where(size > 0,
                                    np.round(size, 1), np.nan)}))  # fmt: skip
    cmax = rng.lognormal(np.log(3000), 1.0, n)
    k_rows = []
    for day in SAMPLE_DAYS:
        level_c = cmax * np.exp(-0.15 * max(day - 7, 0)) * (min(day, 7) / 7)
        k_rows.append(pd.DataFrame({"subject_id": ids, "matrix": "blood", "study_day": float(day),
                                    "copies_per_ug": np.where(level_c >= 10, level_c, np.nan),
                                    "lloq": 10.0}))  # fmt: skip
    cutoff = pd.Timestamp("2025-12-31")
    death_date = (infusion + pd.to_timedelta(death_day, unit="D")).where(death)
    last_contact = death_date.where(death, cutoff)
    disposition = pd.DataFrame(
        {"subject_id": ids, "death_date": death_date, "last_contact_date": last_contact,
         "death_cause": np.where(death, "disease progression", None)}
    )  # fmt: skip
    return {
        "study": pd.DataFrame({"study_id": ["NCT05681650"], "data_cutoff": [cutoff]}),
        "subjects": subjects, "screening": screening, "exposure": exposure,
        "adverse_events": adverse_events, "dlt_evaluations": dlt_evaluations,
        "escalation": escalation, "lesions": lesions,
        "tumour_assessments": pd.concat(a_rows, ignore_index=True),
        "lesion_measurements": pd.concat(m_rows, ignore_index=True),
        "kinetics": pd.concat(k_rows, ignore_index=True), "disposition": disposition,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    frames = synthetic_frames(args.patients)
    ds = TrialDataset.from_frames(**frames)
    with tempfile.TemporaryDirectory() as folder:
        write_dataset(ds, folder, "parquet")
        t_read, ds = timed(lambda: read_dataset(folder), args.repeats)
    t_analyze, result = timed(lambda: analyze_trial(ds), args.repeats)
    t_report, _ = timed(lambda: render_html(result, ds, dt.date(2026, 1, 1)), 1)
    rows = {name: len(frame) for name, frame in ds.tables().items()}
    out = {
        "patients": args.patients,
        "rows": rows,
        "read_and_validate_s": round(t_read, 3),
        "analyze_s": round(t_analyze, 3),
        "report_html_s": round(t_report, 3),
        "repeats": args.repeats,
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
