"""The whole analysis of the example trial: flow counts and a JSON-complete result."""

import json

from hyposti.analysis import analyze_trial
from hyposti.cli.output import to_json
from hyposti.data.example import example_dataset


def test_enrolment_flow_and_json():
    result = analyze_trial(example_dataset())
    flow = result["flow"]
    assert (flow["consented"], flow["screened"], flow["screen_failed"]) == (8, 8, 1)
    # I3 in nct05681650.yaml: "Have at least one measurable target lesion."
    assert flow["failed_by_criterion"] == [
        {"criterion_id": "I3", "text": "Have at least one measurable target lesion.", "n": 1}
    ]
    assert (flow["enrolled"], flow["infused"], flow["response_evaluable"]) == (7, 6, 5)
    assert flow["enrolled_not_infused"] == [
        {"subject_id": "S07", "reason": "withdrawal of consent"}
    ]
    back = json.loads(to_json(result))
    assert set(back) == {
        "study", "settings", "flow", "baseline", "safety", "expansion", "efficacy", "kinetics"
    }  # fmt: skip
    assert back["study"]["data_cutoff"] == "2025-06-30"


def test_irecist_reading_runs_on_the_same_data():
    result = analyze_trial(example_dataset(), criteria="irecist")
    codes = {p["bor_confirmed"] for p in result["efficacy"]["patients"]}
    assert codes <= {"iCR", "iPR", "iSD", "iUPD", "iCPD", "NE", "iNON-CR/NON-PD", "MISSING"}
    assert result["efficacy"]["orr_confirmed"]["all"]["count"] == 2
