"""I1 boundaries: age exactly 18 and 75 on the screening date (2026-11-20), life expectancy > 3."""

import pytest

from hyposti.eligibility import Verdict
from tests.eligibility.screening_helpers import changed, verdict


@pytest.mark.parametrize(
    ("birth", "age", "expected"),
    [
        ("2008-11-20", 18, Verdict.MET),  # 18th birthday on the screening date
        ("2008-11-21", 17, Verdict.NOT_MET),  # 18th birthday the day after
        ("1950-11-21", 75, Verdict.MET),  # 76th birthday the day after
        ("1950-11-20", 76, Verdict.NOT_MET),  # 76th birthday on the screening date
    ],
)
def test_age_bounds_are_inclusive_in_completed_years(eligible, birth, age, expected):
    result = verdict(changed(eligible, demographics__date_of_birth=birth), "I1")
    assert result.verdict == expected
    assert result.values["age_years"] == age
    assert f"age {age} on 2026-11-20" in result.reason


@pytest.mark.parametrize(("months", "expected"), [(3, Verdict.NOT_MET), (3.5, Verdict.MET)])
def test_life_expectancy_must_exceed_three_months(eligible, months, expected):
    result = verdict(changed(eligible, disease__life_expectancy_months=months), "I1")
    assert result.verdict == expected


def test_missing_birth_date_is_named(eligible):
    result = verdict(changed(eligible, demographics__date_of_birth=None), "I1")
    assert result.verdict == Verdict.MISSING_DATA
    assert result.missing_fields == ["demographics.date_of_birth"]
