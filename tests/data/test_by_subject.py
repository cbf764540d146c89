"""The subjects' columns on another table's rows: values and blanks written out by hand."""

import numpy as np
import pandas as pd

from hyposti.data.by_subject import BySubject

SUBJECTS = pd.DataFrame(
    {
        "subject_id": ["S01", "S02", "S01"],  # the second S01 row is not the subject's
        "infusion_date": pd.to_datetime(["2024-01-10", None, "2030-01-01"]),
        "dose_level": pd.array([2, None, 9], dtype="Int64"),
        "sex": ["F", "M", "M"],
    }
)


def test_each_row_reads_its_subjects_first_row_and_a_stranger_reads_blanks():
    frame = pd.DataFrame({"subject_id": ["S02", "S09", "S01", None]}, index=[10, 11, 12, 13])
    infusion, level, sex = BySubject(SUBJECTS).aligned(frame, "infusion_date", "dose_level", "sex")
    assert list(infusion.index) == [10, 11, 12, 13]
    assert infusion.dtype == "datetime64[ns]"
    assert [str(v.date()) if not pd.isna(v) else None for v in infusion] == [
        None,
        None,
        "2024-01-10",
        None,
    ]
    assert level.dtype == "Int64"
    assert level.isna().tolist() == [True, True, False, True]
    assert level[12] == 2
    assert sex.dtype == object
    assert sex[12] == "F" and sex[10] == "M"
    assert np.isnan(sex[11]) and np.isnan(sex[13])


def test_no_subjects_gives_every_row_a_blank():
    frame = pd.DataFrame({"subject_id": ["S01"]})
    (level,) = BySubject(SUBJECTS.iloc[0:0]).aligned(frame, "dose_level")
    assert level.isna().all() and len(level) == 1
