"""Study day, ISO 8601 and --SEQ conventions (SDTMIG 3.4 sections 4.4.1, 4.4.4, 4.1.9)."""

import datetime as dt

import pytest

from hyposti.errors import InputError
from hyposti.standards.conventions import frame, iso8601, study_day
from hyposti.standards.sdtm_design import sdtm_day
from hyposti.standards.sdtm_special import DM, criterion_text


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        # SDTMIG 3.4 s4.4.4 with RFSTDTC 2024-01-10: the reference day itself is day 1
        (dt.date(2024, 1, 10), 1),
        # the day after: 11 - 10 + 1 = 2
        (dt.date(2024, 1, 11), 2),
        # the day before is -1 (no day 0): 9 - 10 = -1
        (dt.date(2024, 1, 9), -1),
        # five days before (nab-paclitaxel, protocol day -5): 5 - 10 = -5
        (dt.date(2024, 1, 5), -5),
        # across a leap day: 2024-03-01 - 2024-01-10 = 21 + 29 + 1 = 51 days, + 1 = 52
        (dt.date(2024, 3, 1), 52),
    ],
)
def test_study_day_has_no_day_zero(date, expected):
    assert study_day(date, dt.date(2024, 1, 10)) == expected


def test_study_day_missing_date_is_none():
    assert study_day(None, dt.date(2024, 1, 10)) is None
    assert study_day(dt.date(2024, 1, 10), float("nan")) is None


def test_protocol_day_to_sdtm_day():
    # protocol day 0 (infusion) is SDTM day 1; negative days keep their number
    assert [sdtm_day(d) for d in (-5, -1, 0, 1, 28)] == [-5, -1, 1, 2, 29]


def test_iso8601_and_missing():
    assert iso8601(dt.datetime(2024, 2, 29, 13, 5)) == "2024-02-29"
    assert iso8601(None) == ""


def test_frame_refuses_a_variable_outside_the_domain():
    with pytest.raises(InputError, match="not variables of the domain"):
        frame(DM, [{"STUDYID": "X", "BOGUS": 1}])


def test_criterion_text_is_cut_at_a_word_to_200_characters():
    text = "word " * 60  # 300 characters
    cut = criterion_text(text)
    assert len(cut) <= 200 and cut.endswith("...") and not cut.endswith(" ...")
    assert criterion_text("Have at least one measurable target lesion.") == (
        "Have at least one measurable target lesion."
    )
