"""Speed of safety grading: CTCAE lookup, lab grading, CRS grading, DLT adjudication (medians)."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import numpy as np

from hyposti.protocol import load_protocol
from hyposti.safety import (
    CrsObservation,
    adjudicate,
    dose_finding_history,
    grade_crs,
    grade_lab,
    lab_criteria,
    lookup,
    parse_patient,
)
from timing import median_seconds


def _patients(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    terms = [
        "Cytokine release syndrome",
        "Mucositis oral",
        "Rash maculo-papular",
        "Neutrophil count decreased",
        "Anemia",
        "Fatigue",
    ]
    attributions = ["unrelated", "unlikely", "possible", "probable", "definite"]
    out = []
    for i in range(n):
        start = dt.date(2026, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
        infusion = start + dt.timedelta(days=5)
        events = []
        for _ in range(10):
            term = terms[int(rng.integers(0, len(terms)))]
            grades = lookup(term).available_grades
            events.append(
                {
                    "term": term,
                    "grade": int(grades[int(rng.integers(0, min(4, len(grades))))]),
                    "onset": (infusion + dt.timedelta(days=int(rng.integers(-4, 40)))).isoformat(),
                    "serious": False,
                    "attribution": {
                        "car_t": attributions[int(rng.integers(0, 5))],
                        "nab_paclitaxel": "unlikely",
                        "cyclophosphamide": "unlikely",
                    },
                }
            )
        out.append(
            {
                "patient_id": f"P{i}",
                "dose_level": 1 + i // 300 % 3,
                "cohort": 1 + i // 3,
                "preconditioning_start": start.isoformat(),
                "infusion": infusion.isoformat(),
                "last_follow_up": (infusion + dt.timedelta(days=45)).isoformat(),
                "adverse_events": events,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--patients", type=int, default=900)
    args = parser.parse_args()

    spec, products = load_protocol().dlt, load_protocol().product_ids
    lookup("Anemia")
    criteria = lab_criteria()
    crs = CrsObservation(temperature_c=39.1, hypotension=True, vasopressors=1, oxygen="high-flow")
    raw = _patients(args.patients, seed=20261125)
    today = dt.date(2027, 1, 1)

    def lab_all() -> None:
        for c in criteria:
            grade_lab(c.name, 1.0, c.unit or "U/L", lln=1.2, uln=2.0, baseline=1.5)

    def adjudicate_all() -> None:
        adjs = [adjudicate(parse_patient(p, products), spec, today) for p in raw]
        dose_finding_history(adjs, num_doses=3)

    n_lookups = 1000
    results = {
        "ctcae_lookup_us": median_seconds(
            lambda: [lookup("Platelet count decreased") for _ in range(n_lookups)], args.repeats
        )
        / n_lookups
        * 1e6,
        "grade_lab_us": median_seconds(lab_all, args.repeats) / len(criteria) * 1e6,
        "grade_crs_us": median_seconds(
            lambda: [grade_crs(crs) for _ in range(n_lookups)], args.repeats
        )
        / n_lookups
        * 1e6,
        "adjudicate_patients": args.patients,
        "adverse_events_per_patient": 10,
        "adjudicate_all_ms": median_seconds(adjudicate_all, args.repeats) * 1e3,
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:>28}: {value:,.2f}" if isinstance(value, float) else f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
