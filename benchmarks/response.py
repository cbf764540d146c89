"""Speed of the vectorised RECIST 1.1 engine on a trial-sized lesion table (median of repeats)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response.trial import assess_trial
from timing import timed

SPEC = ResponseSpec(
    criteria=["recist11", "irecist"],
    primary_criteria="recist11",
    confirmation_required=True,
    confirmation_min_days=28,
    min_sd_days=42,
    max_ne_between_response_and_confirmation=1,
    accept_sd_between_pr_and_confirmation=False,
    too_small_to_measure_mm=5.0,
    irecist_confirm_min_days=28,
)


def trial_tables(
    n_patients: int, n_follow_up: int, n_lesions: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random long tables: a baseline and n_follow_up assessments 6 weeks apart per patient."""
    rng = np.random.default_rng(seed)
    n_a = n_follow_up + 1
    patient = np.char.add("P", np.arange(n_patients).astype(str))
    reference = np.datetime64("2025-01-01") + rng.integers(0, 700, n_patients).astype(
        "timedelta64[D]"
    )
    day = np.r_[-7, 42 * np.arange(1, n_a)]
    dates = reference[:, None] + day[None, :].astype("timedelta64[D]")
    assessments = pd.DataFrame(
        {
            "patient_id": np.repeat(patient, n_a),
            "date": dates.ravel(),
            "baseline": np.tile(np.arange(n_a) == 0, n_patients),
            "reference_date": np.repeat(reference, n_a),
            "non_target": np.where(
                np.tile(np.arange(n_a) == 0, n_patients),
                "present",
                rng.choice(
                    ["CR", "NON-CR/NON-PD", "NE", "PD"], n_patients * n_a, p=[0.2, 0.7, 0.05, 0.05]
                ),
            ),
            "new_lesions": rng.choice(
                ["none", "equivocal", "unequivocal"], n_patients * n_a, p=[0.94, 0.03, 0.03]
            ),
        }
    )
    base = rng.uniform(10, 60, (n_patients, 1, n_lesions))
    trend = np.cumprod(rng.choice([0.6, 0.8, 1.0, 1.1, 1.3], (n_patients, n_a, 1)), axis=1)
    trend[:, 0] = 1.0
    size = np.round(base * trend, 0)
    state = np.where(rng.random(size.shape) < 0.03, "not_evaluated", "measured")
    state[:, 0, :] = "measured"
    measurements = pd.DataFrame(
        {
            "patient_id": np.repeat(patient, n_a * n_lesions),
            "date": np.repeat(dates.ravel(), n_lesions),
            "lesion_id": np.tile(
                np.char.add("L", np.arange(n_lesions).astype(str)), n_patients * n_a
            ),
            "nodal": np.tile(np.arange(n_lesions) == 0, n_patients * n_a),
            "state": state.ravel(),
            "diameter_mm": np.where(state == "measured", size, np.nan).ravel(),
        }
    )
    return measurements, assessments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--assessments", type=int, default=10)
    parser.add_argument("--lesions", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    measurements, assessments = trial_tables(args.patients, args.assessments, args.lesions, seed=7)
    seconds, result = timed(lambda: assess_trial(measurements, assessments, SPEC), args.repeats)
    report = {
        "benchmark": "response.assess_trial (RECIST 1.1)",
        "patients": args.patients,
        "follow_up_assessments": args.assessments,
        "lesions": args.lesions,
        "measurement_rows": len(measurements),
        "median_seconds": seconds,
        "bor_confirmed": result["bor_confirmed"].value_counts().to_dict(),
    }
    print(
        json.dumps(report, indent=2)
        if args.json
        else f"{report['measurement_rows']:,} measurement rows, {args.patients:,} patients: "
        f"median {report['median_seconds']:.2f} s over {args.repeats} repeats"
    )


if __name__ == "__main__":
    main()
