"""The screening record refuses what no clinic could record: dates out of order or range,
runaway identifiers, impossible numbers; each problem names the field, the value and the rule."""

import pytest

from hyposti.eligibility.record import parse_screening_record
from hyposti.errors import RecordError
from tests.eligibility.screening_helpers import changed


def _problems(data) -> list[str]:
    with pytest.raises(RecordError) as info:
        parse_screening_record(data)
    return info.value.problems


def test_the_example_record_parses(eligible):
    assert parse_screening_record(eligible).participant_id == eligible["participant_id"]


def test_enrolment_before_screening_is_refused(eligible):
    # screened 2026-11-20; month by month from 2026-02-19 to 2026-11-19:
    # 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 = 273 days, + 1 to Nov 20 = 274
    problems = _problems(changed(eligible, enrolment_date="2026-02-19", first_study_dose_date=None))
    assert problems == ["enrolment_date = 2026-02-19: is 274 day(s) before screening on 2026-11-20"]


def test_first_dose_before_enrolment_is_refused(eligible):
    # enrolment 2026-11-27, first dose 2026-11-26: one day early
    problems = _problems(changed(eligible, first_study_dose_date="2026-11-26"))
    assert problems == [
        "first_study_dose_date = 2026-11-26: is 1 day(s) before enrolment on 2026-11-27"
    ]


def test_first_dose_before_screening_is_refused(eligible):
    problems = _problems(changed(eligible, enrolment_date=None, first_study_dose_date="2026-11-10"))
    assert problems == [
        "first_study_dose_date = 2026-11-10: is 10 day(s) before screening on 2026-11-20"
    ]


def test_birth_on_or_after_screening_is_refused(eligible):
    problems = _problems(changed(eligible, demographics__date_of_birth="2026-11-20"))
    assert problems == [
        "demographics.date_of_birth = 2026-11-20: must precede the screening date 2026-11-20"
    ]


def test_a_steroid_course_ending_before_it_starts_is_refused(eligible):
    course = {
        "drug": "prednisone",
        "daily_dose_mg": 5,
        "route": "oral",
        "start_date": "2026-10-10",
        "end_date": "2026-10-01",
    }
    problems = _problems(changed(eligible, medications__corticosteroids=[course]))
    assert problems == [
        "medications.corticosteroids[0].end_date = 2026-10-01: is 9 day(s) before the "
        "start_date 2026-10-10"
    ]


@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31", "2200-01-01"])
def test_dates_outside_the_trial_range_are_refused(eligible, day):
    problems = _problems(changed(eligible, screening_date=day))
    assert problems[0] == (
        f"screening_date = {day!r}: a trial date lies between 1900-01-01 and 2199-12-31"
    )


def test_a_million_character_participant_id_is_refused_and_not_echoed(eligible):
    problems = _problems(changed(eligible, participant_id="x" * 10**6))
    # the value is cut to 300 characters (the quote and 299 x), then its length is stated
    assert problems == [
        "participant_id = '" + "x" * 299 + "... (1000000 characters): "
        "String should have at most 64 characters"
    ]


def test_an_identifier_with_control_characters_is_refused(eligible):
    problems = _problems(changed(eligible, participant_id="P1\x00;rm"))
    assert problems[0].startswith("participant_id = 'P1\\x00;rm': String should match pattern")


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("demographics__weight_kg", "NaN", "Input should be a finite number"),
        ("demographics__weight_kg", 700, "Input should be less than or equal to 650"),
        ("disease__her2_percent", "Infinity", "Input should be a finite number"),
    ],
)
def test_impossible_numbers_are_refused(eligible, path, value, rule):
    field = path.replace("__", ".")
    shown = repr(value)
    assert _problems(changed(eligible, **{path: value})) == [f"{field} = {shown}: {rule}"]


def test_names_and_notes_are_bounded_like_sdtm_text(eligible):
    attest = {
        "criterion_id": "E5",
        "satisfied": True,
        "investigator": "Dr " + "B" * 198,  # 201 characters
        "attested_on": "2026-11-20",
        "note": "n" * 2001,
    }
    problems = _problems(changed(eligible, attestations=[attest]))
    assert [p.split(" = ")[0] for p in problems] == [
        "attestations[0].investigator",
        "attestations[0].note",
    ]
    # 201 characters are repeated whole (under the 300 a message shows); 2001 are cut
    assert problems[0] == (
        f"attestations[0].investigator = {attest['investigator']!r}: "
        "String should have at most 200 characters"
    )
    assert problems[1].endswith("(2001 characters): String should have at most 2000 characters")


@pytest.mark.parametrize("lab", ["lvef_percent", "spo2_room_air_percent"])
def test_a_percentage_above_100_is_refused(eligible, lab):
    problems = _problems(
        changed(eligible, **{f"labs__{lab}": {"value": 101, "date": "2026-11-18"}})
    )
    assert problems == [f"labs.{lab}.value = 101.0: a percentage is at most 100"]
