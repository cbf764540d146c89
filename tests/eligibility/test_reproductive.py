"""I10 and E10: contraception and the 7-day pregnancy test for women of child-bearing potential.

Enrolment is 2026-11-27 and the screening date ("today") 2026-11-20.
"""

from hyposti.eligibility import Verdict
from tests.eligibility.screening_helpers import changed, verdict


def test_pregnancy_test_exactly_7_days_before_enrolment_is_accepted(eligible):
    result = verdict(eligible, "E10")
    assert result.verdict == Verdict.MET and result.values["days_before_enrolment"] == 7


def test_a_test_8_days_before_enrolment_must_be_repeated(eligible):
    test = {"date": "2026-11-19", "result": "negative"}
    result = verdict(changed(eligible, reproductive__pregnancy_test=test), "E10")
    assert result.verdict == Verdict.MISSING_DATA
    assert result.missing_fields == ["reproductive.pregnancy_test"]


def test_positive_test_or_breastfeeding_excludes(eligible):
    positive = {"date": "2026-11-20", "result": "positive"}
    assert verdict(changed(eligible, reproductive__pregnancy_test=positive), "E10").verdict == (
        Verdict.NOT_MET
    )
    assert verdict(changed(eligible, reproductive__breastfeeding=True), "E10").verdict == (
        Verdict.NOT_MET
    )


def test_no_test_needed_without_child_bearing_potential(eligible):
    data = changed(
        eligible,
        demographics__child_bearing_potential=False,
        reproductive__pregnancy_test=None,
        reproductive__contraception_agreed=None,
    )
    assert verdict(data, "E10").verdict == Verdict.MET
    assert verdict(data, "I10").verdict == Verdict.MET


def test_men_are_not_asked(eligible):
    data = changed(
        eligible,
        demographics__sex="male",
        demographics__child_bearing_potential=None,
        reproductive={},
    )
    assert verdict(data, "E10").verdict == Verdict.MET
    assert verdict(data, "I10").verdict == Verdict.MET


def test_contraception_refused_fails_i10(eligible):
    data = changed(eligible, reproductive__contraception_agreed=False)
    assert verdict(data, "I10").verdict == Verdict.NOT_MET


def test_unknown_child_bearing_potential_is_named(eligible):
    data = changed(eligible, demographics__child_bearing_potential=None)
    assert verdict(data, "I10").missing_fields == ["demographics.child_bearing_potential"]
