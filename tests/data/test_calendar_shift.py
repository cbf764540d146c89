"""Synthetic data dated no later than the day it is generated: the whole calendar moves, intervals
and study days stay."""

import datetime as dt

import pandas as pd

from hyposti.data import TrialDataset
from hyposti.data.calendar_shift import dated_no_later_than, shift_calendar
from hyposti.data.example import example_dataset
from hyposti.data.schema import TABLES


def date_columns(ds):
    for name, frame in ds.tables().items():
        for c in TABLES[name].columns:
            if c.dtype == "date" and c.name in frame and frame[c.name].notna().any():
                yield name, c.name


def test_every_date_moves_by_the_same_days_and_study_days_do_not():
    ds = example_dataset()
    moved = shift_calendar(ds, -100)
    columns = list(date_columns(ds))
    assert ("subjects", "infusion_date") in columns and ("lesion_measurements",
                                                         "assessment_date") in columns  # fmt: skip
    for name, column in columns:
        before, after = ds.tables()[name][column], moved.tables()[name][column]
        assert ((before - after).dropna() == pd.Timedelta(days=100)).all(), (name, column)
    pd.testing.assert_series_equal(ds.exposure["study_day"], moved.exposure["study_day"])


def test_a_cut_off_after_the_generation_date_moves_back_to_it():
    ds = example_dataset()  # data cut-off 2025-06-30
    as_of = dt.date(2025, 6, 1)
    dated = TrialDataset.from_frames(
        **dated_no_later_than(ds.tables(), ds.data_cutoff.date(), as_of)
    )
    assert dated.data_cutoff.date() == as_of
    assert dated.study["generated_on"].iloc[0] == pd.Timestamp(as_of)
    # 29 days earlier: 2024-01-10 -> 2023-12-12
    s01 = dated.subjects.set_index("subject_id").loc["S01", "infusion_date"]
    assert s01 == pd.Timestamp("2023-12-12")


def test_a_cut_off_before_the_generation_date_stays():
    ds = example_dataset()
    dated = TrialDataset.from_frames(
        **dated_no_later_than(ds.tables(), ds.data_cutoff.date(), dt.date(2026, 11, 28))
    )
    assert dated.data_cutoff == ds.data_cutoff
    pd.testing.assert_frame_equal(dated.subjects, ds.subjects)
