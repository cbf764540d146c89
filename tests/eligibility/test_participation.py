"""I9 consent and E15 other trials (4-week window, inclusive). Enrolment is 2026-11-27."""

import pytest

from hyposti.eligibility import Verdict
from tests.eligibility.screening_helpers import changed, verdict


def test_consent_signed_by_a_representative_fails(eligible):
    data = changed(eligible, consent__signed_by_participant=False)
    assert verdict(data, "I9").verdict == Verdict.NOT_MET


def test_unsigned_consent_is_missing(eligible):
    result = verdict(changed(eligible, consent={}), "I9")
    assert result.missing_fields == ["consent.signed_date", "consent.signed_by_participant"]


@pytest.mark.parametrize(
    ("left", "expected"), [("2026-10-30", Verdict.NOT_MET), ("2026-10-29", Verdict.MET)]
)
def test_leaving_another_trial_28_days_before_enrolment_excludes(eligible, left, expected):
    trials = [{"trial": "NCT00000001", "last_participation_date": left}]
    assert verdict(changed(eligible, history__other_trials=trials), "E15").verdict == expected


def test_ongoing_participation_excludes(eligible):
    trials = [{"trial": "NCT00000001"}]
    result = verdict(changed(eligible, history__other_trials=trials), "E15")
    assert result.verdict == Verdict.NOT_MET and "still participating" in result.reason
