"""I5 boundaries (more than 4 weeks, grade <= 1) and the permissive I8."""

import pytest

from hyposti.eligibility import Verdict
from tests.eligibility.screening_helpers import changed, verdict


def _last(end_date: str | None, outcome: str = "progression") -> list[dict]:
    return [
        {
            "regimen": "paclitaxel",
            "kind": "systemic",
            "line": 1,
            "end_date": end_date,
            "outcome": outcome,
        }
    ]


@pytest.mark.parametrize(
    ("end_date", "days", "expected"),
    [("2026-10-30", 28, Verdict.NOT_MET), ("2026-10-29", 29, Verdict.MET)],
)
def test_washout_must_be_strictly_more_than_28_days(eligible, end_date, days, expected):
    # enrolment 2026-11-27
    result = verdict(changed(eligible, treatment__prior_therapies=_last(end_date)), "I5")
    assert result.verdict == expected
    assert result.values["days_since_last_treatment"] == days


def test_ongoing_treatment_fails(eligible):
    result = verdict(changed(eligible, treatment__prior_therapies=_last(None, "ongoing")), "I5")
    assert result.verdict == Verdict.NOT_MET and "ongoing" in result.reason


@pytest.mark.parametrize(("grade", "expected"), [(1, Verdict.MET), (2, Verdict.NOT_MET)])
def test_residual_toxicity_at_most_grade_1(eligible, grade, expected):
    data = changed(eligible, treatment__worst_residual_toxicity_grade=grade)
    assert verdict(data, "I5").verdict == expected


def test_no_previous_treatment_needs_no_washout(eligible):
    assert verdict(changed(eligible, treatment__prior_therapies=[]), "I5").verdict == Verdict.MET


def test_anti_pd1_is_permitted_and_quoted(eligible):
    result = verdict(eligible, "I8")
    assert result.verdict == Verdict.MET and "nivolumab" in result.reason
    unrecorded = verdict(changed(eligible, treatment__prior_therapies=None), "I8")
    assert unrecorded.verdict == Verdict.MET and "not recorded" in unrecorded.reason
