"""Table cells as result values: a missing cell (None, NaN, NaT, pandas NA) is None.

JSON has no NaN and a report must not print one, so a result record holds None wherever a
dataset cell is missing; these read one cell each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd


def text_or_none(value: Any) -> str | None:
    """The cell's text, or None when the cell is missing."""
    return None if value is None or pd.isna(value) else str(value)


def int_or_none(value: Any) -> int | None:
    """The cell as a whole number (a dose level, a study day), or None when it is missing."""
    return None if value is None or pd.isna(value) else int(value)


def date_or_none(value: Any) -> dt.date | None:
    """The cell's calendar date, or None when it is missing."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
