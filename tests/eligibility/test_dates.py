"""Whole-year ages and calendar offsets, checked against dates counted by hand."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.eligibility.dates import add_months, add_years, age_in_years


def test_age_turns_on_the_birthday_not_the_day_before():
    birth = dt.date(2008, 11, 20)
    assert age_in_years(birth, dt.date(2026, 11, 19)) == 17
    assert age_in_years(birth, dt.date(2026, 11, 20)) == 18


def test_born_on_29_february_ages_on_1_march_in_common_years():
    birth = dt.date(2008, 2, 29)
    assert age_in_years(birth, dt.date(2026, 2, 28)) == 17
    assert age_in_years(birth, dt.date(2026, 3, 1)) == 18
    assert age_in_years(birth, dt.date(2028, 2, 29)) == 20


def test_month_offsets_clip_to_the_end_of_a_shorter_month():
    assert add_months(dt.date(2026, 11, 27), -6) == dt.date(2026, 5, 27)
    assert add_months(dt.date(2026, 8, 31), -6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 8, 31), -6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 1, 15), -1) == dt.date(2025, 12, 15)


def test_year_offsets_move_29_february_to_the_28th():
    assert add_years(dt.date(2028, 2, 29), -3) == dt.date(2025, 2, 28)
    assert add_years(dt.date(2026, 11, 30), -3) == dt.date(2023, 11, 30)


@given(
    birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31)),
    years=st.integers(min_value=0, max_value=100),
)
@settings(max_examples=200, deadline=None)
def test_age_is_exactly_n_on_the_nth_birthday_and_one_less_the_day_before(birth, years):
    birthday = add_years(birth, years)
    if (birth.month, birth.day) == (2, 29) and birthday.day == 28:
        birthday += dt.timedelta(days=1)  # a 29-February birthday is kept on 1 March
    assert age_in_years(birth, birthday) == years
    if years > 0:
        assert age_in_years(birth, birthday - dt.timedelta(days=1)) == years - 1
