"""Calendar arithmetic of the criteria: whole-year ages, calendar-month and -year offsets."""

from __future__ import annotations

import calendar
import datetime as dt


def age_in_years(birth: dt.date, on: dt.date) -> int:
    """Completed years of life on ``on``: the count of birthdays passed, the clinical convention.

    Someone born on 29 February has a birthday on 1 March in common years (the legal reading in
    the UK, Family Law Reform Act 1969 s.9, and the arithmetic of "(month, day) passed").
    """
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later (earlier if negative), clipped to month end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar date ``years`` later (earlier if negative); 29 Feb becomes the 28th."""
    return add_months(day, 12 * years)
