"""The whole analysis of the example trial: flow counts and a JSON-complete result."""

import json

import pytest

from hyposti.analysis import analyze_trial
from hyposti.analysis.trial import CriterionFailures, NotInfused
from hyposti.cli.output import to_json
from hyposti.data.example import example_dataset


def test_enrolment_flow_and_json():
    result = analyze_trial(example_dataset())
    flow = result.flow
    assert (flow.consented, flow.screened, flow.screen_failed) == (8, 8, 1)
    # I3 in nct05681650.yaml: "Have at least one measurable target lesion."
    assert flow.failed_by_criterion == (
        CriterionFailures("I3", "Have at least one measurable target lesion.", 1),
    )
    assert (flow.enrolled, flow.infused, flow.response_evaluable) == (7, 6, 5)
    assert flow.enrolled_not_infused == (NotInfused("S07", "withdrawal of consent"),)
    back = json.loads(to_json(result.to_dict()))
    assert set(back) == {
        "study", "settings", "flow", "baseline", "safety", "expansion", "efficacy", "kinetics"
    }  # fmt: skip
    assert back["study"]["data_cutoff"] == "2025-06-30"


def test_irecist_reading_runs_on_the_same_data():
    result = analyze_trial(example_dataset(), criteria="irecist")
    codes = {p.bor_confirmed for p in result.efficacy.patients}
    assert codes <= {"iCR", "iPR", "iSD", "iUPD", "iCPD", "NE", "iNON-CR/NON-PD", "MISSING"}
    assert result.efficacy.orr_confirmed["all"].count == 2


def test_the_json_keeps_the_paths_scripts_read():
    # `hyposti analyze --json` (README tour: "every endpoint"): the paths a script reads, with the
    # example trial's values counted by hand in test_safety, test_efficacy and test_kinetics.
    back = json.loads(to_json(analyze_trial(example_dataset()).to_dict()))
    assert back["flow"]["by_dose_level"]["1"] == {
        "enrolled": 3, "preconditioned": 3, "infused": 3, "dlt_evaluable": 3,
        "response_evaluable": 3,
    }  # fmt: skip
    trae = back["safety"]["trae"]
    assert trae["n"] == {"1": 3, "2": 3, "all": 6}
    assert trae["rows"][0]["by_dose"]["all"] == {
        "n": 6, "any": 6, "grade_3_plus": 4,
        "by_worst_grade": {"1": 1, "2": 1, "3": 2, "4": 1, "5": 1},
    }  # fmt: skip
    dl2 = back["safety"]["dlt"][1]
    assert (dl2["dose_level"], dl2["n_dlt"], dl2["n_evaluable"], dl2["rate"]["count"]) == (
        2,
        1,
        3,
        1,
    )
    assert back["safety"]["syndromes"]["CRS"]["all"]["any"] == 4
    assert back["safety"]["deaths"][0]["subject_id"] == "S06"
    assert back["safety"]["deaths"][0]["study_day"] == 20
    assert {r["syndrome"] for r in back["safety"]["syndrome_course"]["rows"]} == {"CRS", "ICANS"}
    eff = back["efficacy"]
    assert (eff["orr_confirmed"]["all"]["count"], eff["orr_confirmed"]["all"]["n"]) == (2, 6)
    assert eff["ttr_days"] == {"n": 2, "median": 28.0, "min": 28.0, "max": 28.0}
    assert eff["pfs"]["median"] == 140 and eff["pfs"]["at"][0]["months"] == 6
    assert eff["pfs"]["at"][0]["n_at_risk"] == 1 and eff["os"]["median"] is None
    s01 = next(p for p in eff["patients"] if p["subject_id"] == "S01")
    assert (s01["bor_confirmed"], s01["pfs"]["time"], s01["pfs"]["event"]) == ("PR", 140, True)
    dl1 = next(
        e
        for e in back["kinetics"]["by_dose_level"]
        if (e["matrix"], e["dose_level"]) == ("blood", 1)
    )
    assert dl1["cmax"]["geometric_mean"] == pytest.approx((1500 * 400 * 5000) ** (1 / 3))
    assert back["kinetics"]["tumour"]["per_patient"][0]["biopsies"] == [
        {"study_day": 14.0, "copies_per_ug": 12000.0, "lloq": 10.0, "below_lloq": False}
    ]
    assert back["study"]["dose_levels"]["2"] == {"label": "dose 2", "cells_per_kg": 3e6}
