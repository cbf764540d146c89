"""Safety tables of the hand-built example trial, counted by hand from its AE table."""

import pandas as pd
import pytest

from hyposti.analysis.safety import safety_analysis
from hyposti.data import TrialDataset
from hyposti.data.example import example_dataset, example_frames
from hyposti.protocol import load_protocol


@pytest.fixture(scope="module")
def safety():
    return safety_analysis(example_dataset(), load_protocol())


def test_trae_worst_grade_per_dose_level(safety):
    total = safety["trae"]["rows"][0]["by_dose"]
    # DL1: S01 worst 3 (neutropenia, cyclophosphamide probable), S02 1, S03 2
    assert total["1"]["by_worst_grade"] == {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0}
    # DL2: S04 worst 4, S05 3, S06 5 (sepsis possibly related to preconditioning)
    assert total["2"]["by_worst_grade"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert (total["all"]["any"], total["all"]["grade_3_plus"], total["all"]["n"]) == (6, 4, 6)


def test_unrelated_or_pre_preconditioning_events_are_not_counted(safety):
    terms = {r["term"] for r in safety["trae"]["rows"]}
    assert "Nausea" not in terms  # S03: day -6, before preconditioning, unrelated


def test_crs_icans_by_grade(safety):
    crs = safety["syndromes"]["CRS"]
    assert crs["1"]["by_worst_grade"]["1"] == 1 and crs["1"]["by_worst_grade"]["2"] == 1
    assert crs["2"]["by_worst_grade"]["3"] == 1 and crs["all"]["any"] == 4
    assert safety["syndromes"]["ICANS"]["all"]["any"] == 1


def test_dlt_escalation_and_deaths(safety):
    dlt = {d["dose_level"]: d for d in safety["dlt"]}
    assert (dlt[1]["n_dlt"], dlt[1]["n_evaluable"]) == (0, 3)
    assert dlt[2]["dlt_events"] == [
        {"subject_id": "S05", "term": "Cytokine release syndrome", "grade": 3}
    ]
    cohorts = safety["escalation"]["cohorts"]
    assert "escalate to dose 2" in cohorts[0]["rule_recommendation"]
    assert "treat 3 more patients at dose 2" in cohorts[1]["rule_recommendation"]
    deaths = {d["subject_id"]: d for d in safety["deaths"]}
    assert deaths["S06"]["study_day"] == 20 and deaths["S06"]["within_30_days_of_infusion"]
    assert deaths["S06"]["treatment_related_grade5_aes"] == ["Sepsis"]
    assert deaths["S02"]["treatment_related_grade5_aes"] == []


def test_events_after_the_data_cutoff_are_not_counted():
    frames = example_frames()
    late = (
        frames["adverse_events"]
        .iloc[[0]]
        .assign(ae_id="AE99", grade=4, onset_date=pd.Timestamp("2025-07-15"), resolution_date=None)
    )
    frames["adverse_events"] = pd.concat([frames["adverse_events"], late], ignore_index=True)
    frames["disposition"].loc[0, "death_date"] = pd.Timestamp("2025-07-20")
    frames["disposition"].loc[0, "last_contact_date"] = pd.Timestamp("2025-07-20")
    out = safety_analysis(TrialDataset.from_frames(**frames), load_protocol())
    assert out["trae"]["rows"][0]["by_dose"]["1"]["by_worst_grade"]["4"] == 0
    assert [d["subject_id"] for d in out["deaths"]] == ["S06", "S02"]
