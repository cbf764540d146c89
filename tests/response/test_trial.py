"""The vectorised trial engine gives the per-patient engine's answers; table errors name the row."""

import numpy as np
import pandas as pd
import pytest

from hyposti.errors import DataError
from hyposti.response import assess_patient
from hyposti.response.tables import patients_to_tables
from hyposti.response.trial import assess_trial, trial_time_points
from tests.response.random_patients import random_patient
from tests.response.response_builders import patient, spec, visit

DATE_FIELDS = (
    "first_response_date",
    "response_confirmed_date",
    "first_unconfirmed_response_date",
    "progression_date",
    "last_adequate_assessment_date",
)


def _date(value):
    return None if pd.isna(value) else pd.Timestamp(value).date()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"cr_followed_by_pr": "first_cr_was_pr"},
        {
            "accept_sd_between_pr_and_confirmation": True,
            "max_ne_between_response_and_confirmation": 0,
        },
        {"confirmation_required": False, "min_sd_days": 56},
        {"missing_as_ne": True, "pr_after_cr_breaks_confirmation": True},
        {"cr_followed_by_pr": "first_cr_was_pr", "pr_after_cr_breaks_confirmation": True},
    ],
)
def test_same_answers_as_the_per_patient_engine(changes):
    rng = np.random.default_rng(20250106)
    patients = [random_patient(rng, f"R{i:03d}") for i in range(400)]
    s = spec(**changes)
    table = assess_trial(*patients_to_tables(patients), s).set_index("patient_id")
    for p in patients:
        expected = assess_patient(p, s)
        row = table.loc[p.patient_id]
        assert row["bor_confirmed"] == expected.bor_confirmed.value, p.patient_id
        assert row["bor_unconfirmed"] == expected.bor_unconfirmed.value, p.patient_id
        for field in DATE_FIELDS:
            assert _date(row[field]) == getattr(expected, field), (p.patient_id, field)
        if expected.best_pct_change is None:
            assert np.isnan(row["best_pct_change"])
        else:
            assert row["best_pct_change"] == pytest.approx(expected.best_pct_change)
        flagged = any("Table 3 note a" in f for f in expected.data_quality_flags)
        assert bool(row["disease_after_cr"]) == flagged, p.patient_id


def test_time_points_match_the_per_patient_engine():
    rng = np.random.default_rng(7)
    patients = [random_patient(rng, f"T{i:03d}") for i in range(100)]
    points = trial_time_points(*patients_to_tables(patients), spec())
    expected = [
        (p.patient_id, tp.date, tp.overall_response.value, tp.sum_mm, tp.included)
        for p in patients
        for tp in assess_patient(p, spec()).time_points
    ]
    got = [
        (
            r.patient_id,
            r.date.date(),
            r.overall_response,
            None if np.isnan(r.sum_mm) else r.sum_mm,
            r.included,
        )
        for r in points.itertuples()
    ]
    assert got == expected


def _tables():
    return patients_to_tables([patient({"A": 30, "B": 20}, [visit(42, {"A": 20, "B": 10})])])


def test_missing_baseline_row_is_named():
    measurements, assessments = _tables()
    with pytest.raises(DataError, match=r"patient P-001.*no baseline assessment"):
        assess_trial(measurements, assessments[~assessments["baseline"]], spec())


def test_follow_up_lesion_not_at_baseline_is_named():
    measurements, assessments = _tables()
    extra = measurements.iloc[[-1]].assign(lesion_id="Z")
    with pytest.raises(DataError, match="patient P-001, date 2025-02-17, lesion Z"):
        assess_trial(pd.concat([measurements, extra], ignore_index=True), assessments, spec())


@pytest.mark.parametrize("diameter", [-1.0, 1000.5, 1e308, float("inf")])
def test_a_diameter_outside_0_to_1000_mm_is_named(diameter):
    measurements, assessments = _tables()
    measurements.loc[measurements.index[-1], "diameter_mm"] = diameter
    with pytest.raises(DataError, match="lesion B: a diameter lies between 0 and 1000 mm"):
        assess_trial(measurements, assessments, spec())


def test_follow_up_before_baseline_and_missing_target_rows():
    measurements, assessments = _tables()
    early = assessments.copy()
    early.loc[early.index[-1], "date"] = pd.Timestamp("2024-12-01")
    early_m = measurements.copy()
    early_m.loc[early_m.index[-2:], "date"] = pd.Timestamp("2024-12-01")
    with pytest.raises(DataError, match="increasing date order"):
        assess_trial(early_m, early, spec())
    with pytest.raises(DataError, match="1 of 2 baseline targets"):
        assess_trial(measurements.iloc[:-1], assessments, spec())
