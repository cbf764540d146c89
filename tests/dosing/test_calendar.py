"""The dated calendar from an infusion on 2026-12-05, with dates counted on a calendar by hand."""

import datetime as dt

import pytest

from hyposti.dosing import (
    infusion_date_from_preconditioning,
    study_calendar,
    tumour_assessment_days,
    visit_schedule,
)
from hyposti.errors import InputError
from hyposti.protocol import load_protocol

INFUSION = dt.date(2026, 12, 5)


def _by_day(visits):
    return {v.study_day: v for v in visits}


def test_regimen_days_are_dated_and_fixed():
    visits = _by_day(visit_schedule(load_protocol(), INFUSION))
    assert visits[-5].date == dt.date(2026, 11, 30) and visits[-5].label == "nab-paclitaxel"
    assert visits[-3].date == dt.date(2026, 12, 2) and visits[-2].date == dt.date(2026, 12, 3)
    assert visits[0].kind == "infusion" and visits[0].earliest == visits[0].latest == INFUSION


def test_dlt_window_end_and_end_of_follow_up():
    cal = study_calendar(load_protocol(), INFUSION)
    # 5 Dec + 28 days = 2 Jan 2027; + 1095 days crosses 29 Feb 2028, so 4 Dec 2029
    assert cal.dlt_window_end == dt.date(2027, 1, 2)
    assert cal.end_of_follow_up == dt.date(2029, 12, 4)
    assert cal.screening_earliest == dt.date(2026, 11, 7)
    assert cal.screening_latest == dt.date(2026, 11, 29)


def test_visit_windows_follow_the_schedule():
    visits = _by_day(visit_schedule(load_protocol(), INFUSION))
    day7, day28 = visits[7], visits[28]
    assert (day7.earliest, day7.latest) == (dt.date(2026, 12, 11), dt.date(2026, 12, 13))
    assert (day28.earliest, day28.latest) == (dt.date(2026, 12, 30), dt.date(2027, 1, 5))
    assert visits[90].latest - visits[90].date == dt.timedelta(days=7)
    assert visits[720].latest - visits[720].date == dt.timedelta(days=14)
    # a day-1 window never reaches back to the infusion day
    assert visits[1].earliest == dt.date(2026, 12, 6)


def test_frequent_then_monthly_then_quarterly_then_half_yearly_visits():
    days = [v.study_day for v in visit_schedule(load_protocol(), INFUSION) if v.kind == "follow_up"]
    assert days[:9] == [1, 2, 3, 4, 7, 10, 14, 21, 28]
    assert [d for d in days if 28 < d <= 180] == [42, 56, 90, 120, 150, 180]
    assert [d for d in days if 180 < d <= 720] == [270, 360, 450, 540, 630, 720]
    assert [d for d in days if d > 720] == [900, 1095]


def test_tumour_assessment_days_week_4_8_12_then_8_then_12_weekly():
    days = tumour_assessment_days(load_protocol())
    assert days[:8] == [28, 56, 84, 140, 196, 252, 308, 364]
    assert days[8:] == [448, 532, 616, 700, 784, 868, 952, 1036, 1095]
    visits = _by_day(visit_schedule(load_protocol(), INFUSION))
    assert "tumour_assessment" in visits[28].assessments
    assert visits[84].kind == "tumour_assessment"
    assert "tumour_assessment" not in visits[90].assessments


def test_car_copy_number_on_days_4_7_14_21_28():
    visits = visit_schedule(load_protocol(), INFUSION)
    days = [v.study_day for v in visits if "car_copy_number" in v.assessments and v.study_day <= 28]
    assert days == [4, 7, 14, 21, 28]


def test_the_first_dose_date_must_agree_and_precede_the_infusion():
    protocol = load_protocol()
    assert infusion_date_from_preconditioning(protocol, dt.date(2026, 11, 30)) == INFUSION
    study_calendar(protocol, INFUSION, dt.date(2026, 11, 30))
    with pytest.raises(InputError, match="must precede the infusion"):
        study_calendar(protocol, INFUSION, dt.date(2026, 12, 6))
    with pytest.raises(InputError, match="implies infusion on 2026-12-04"):
        study_calendar(protocol, INFUSION, dt.date(2026, 11, 29))


def test_the_last_trial_date_still_dates_three_years_of_follow_up():
    # 2199-12-31 + 1095 days: none of 2200 (divisible by 100, not 400), 2201, 2202 is a leap
    # year, so 1095 = 3 x 365 days lands on the same day three years on, 2202-12-31
    cal = study_calendar(load_protocol(), dt.date(2199, 12, 31))
    assert cal.end_of_follow_up == dt.date(2202, 12, 31)


@pytest.mark.parametrize(
    ("infusion", "first_dose", "field"),
    [
        (dt.date(9999, 12, 31), None, "infusion_date"),  # overflowed when adding 3 years
        (dt.date(2200, 1, 1), None, "infusion_date"),
        (dt.date(1899, 12, 31), None, "infusion_date"),
        (INFUSION, dt.date(1899, 12, 31), "first_dose_date"),
    ],
)
def test_dates_outside_the_trial_range_are_refused(infusion, first_dose, field):
    with pytest.raises(InputError) as info:
        study_calendar(load_protocol(), infusion, first_dose)
    given = first_dose or infusion
    assert str(info.value) == (
        f"{field} = {given}: a trial date lies between 1900-01-01 and 2199-12-31"
    )
