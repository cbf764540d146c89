"""Moving a dataset's whole calendar: every date column by the same number of days.

Used for synthetic data only: a simulated trial is dated from its parameter file's start date, and
when its follow-up would end after the day it was generated, the calendar moves back so that no
record is dated after the generation date. Intervals between events (what the simulation decided)
and study days are unchanged.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from hyposti.data.dataset import TrialDataset
from hyposti.data.schema import TABLES


def _shifted(frames: dict[str, pd.DataFrame], days: int) -> dict[str, pd.DataFrame]:
    """Every typed date column (datetime64) ``days`` later. A date column of another type holds
    something that is not a date, which the schema check refuses whether it moved or not."""
    moved = {}
    for name, frame in frames.items():
        dates = [
            c.name
            for c in TABLES[name].columns
            if c.dtype == "date"
            and c.name in frame
            and pd.api.types.is_datetime64_dtype(frame[c.name])
        ]
        moved[name] = frame.assign(**{c: frame[c] + pd.Timedelta(days=days) for c in dates})
    return moved


def shift_calendar(ds: TrialDataset, days: int) -> TrialDataset:
    """The same dataset with every date column ``days`` later (negative: earlier)."""
    return TrialDataset.from_frames(products=ds.products, **_shifted(ds.tables(), days))


def dated_no_later_than(
    frames: dict[str, pd.DataFrame], cutoff: dt.date, generated_on: dt.date
) -> dict[str, pd.DataFrame]:
    """Synthetic tables of data cut-off ``cutoff`` as of ``generated_on``: the calendar moved
    back so that the cut-off is no later than the generation date, which the study table records
    with the data source. Tables in, tables out: the caller checks the result once, with the
    schema check it runs anyway, instead of once before moving the calendar and once after."""
    late = (cutoff - generated_on).days
    moved = _shifted(frames, -late) if late > 0 else dict(frames)
    moved["study"] = moved["study"].assign(generated_on=pd.Timestamp(generated_on))
    return moved
