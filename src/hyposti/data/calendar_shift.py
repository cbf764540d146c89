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


def _shifted(ds: TrialDataset, days: int) -> dict[str, pd.DataFrame]:
    frames = {}
    for name, frame in ds.tables().items():
        dates = [c.name for c in TABLES[name].columns if c.dtype == "date" and c.name in frame]
        frames[name] = frame.assign(**{c: frame[c] + pd.Timedelta(days=days) for c in dates})
    return frames


def shift_calendar(ds: TrialDataset, days: int) -> TrialDataset:
    """The same dataset with every date column ``days`` later (negative: earlier)."""
    return TrialDataset.from_frames(products=ds.products, **_shifted(ds, days))


def dated_no_later_than(ds: TrialDataset, generated_on: dt.date) -> TrialDataset:
    """Synthetic data as of ``generated_on``: the calendar moved back so that the data cut-off is
    no later than the generation date, which the study table records with the data source."""
    late = (ds.data_cutoff.date() - generated_on).days
    # moved and dated in one step, so that the schema check runs once on the result
    frames = _shifted(ds, -late) if late > 0 else ds.tables()
    frames["study"] = frames["study"].assign(generated_on=pd.Timestamp(generated_on))
    return TrialDataset.from_frames(products=ds.products, **frames)
