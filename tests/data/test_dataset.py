"""Reading and writing the dataset folder as Parquet and CSV gives back the same typed tables."""

import dataclasses

import pandas as pd
import pytest

from hyposti.data import TABLES, DatasetError, TrialDataset, read_dataset, write_dataset
from hyposti.data import dataset as dataset_module
from hyposti.data.example import example_dataset
from hyposti.errors import DataError, InputError


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip(tmp_path, fmt):
    ds = example_dataset()
    write_dataset(ds, tmp_path, fmt)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.{fmt}" for t in TABLES)
    back = read_dataset(tmp_path)
    for name, frame in ds.tables().items():
        pd.testing.assert_frame_equal(frame, back.tables()[name])


def test_csv_error_names_file_row_and_column(tmp_path):
    write_dataset(example_dataset(), tmp_path, "csv")
    path = tmp_path / "kinetics.csv"
    lines = path.read_text().splitlines()
    lines[4] = lines[4].replace(",10.0", ",-10.0", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError) as err:
        read_dataset(tmp_path)
    (v,) = err.value.violations
    assert (v.table, v.row) == ("kinetics", 4)  # CSV line 5 = data row 4


def test_folder_problems(tmp_path):
    with pytest.raises(InputError):
        read_dataset(tmp_path / "absent")
    write_dataset(example_dataset(), tmp_path, "csv")
    write_dataset(example_dataset(), tmp_path / "pq", "parquet")
    (tmp_path / "pq" / "study.parquet").rename(tmp_path / "study.parquet")
    with pytest.raises(DataError, match=r"both study\.parquet and study\.csv"):
        read_dataset(tmp_path)


def test_a_dataset_written_before_lab_and_vital_tables_still_reads(tmp_path):
    """lab_results and vital_signs are optional: a folder without their files reads, empty."""
    write_dataset(example_dataset(), tmp_path, "csv")
    for name in ("lab_results", "vital_signs"):
        (tmp_path / f"{name}.csv").unlink(missing_ok=True)
    ds = read_dataset(tmp_path)
    assert ds.lab_results.empty and ds.vital_signs.empty
    assert list(ds.lab_results.columns) == list(TABLES["lab_results"].column_names)


def test_only_a_dataset_built_by_validation_skips_the_consistency_check(tmp_path, monkeypatch):
    ds = example_dataset()
    write_dataset(ds, tmp_path, "csv")
    checks = []
    monkeypatch.setattr(dataset_module, "check_consistency", checks.append)
    read_dataset(tmp_path).require_consistent()
    ds.require_consistent()
    assert checks == []  # validated on the way in: the rules already ran on these tables
    TrialDataset(**ds.tables()).require_consistent()
    dataclasses.replace(ds, exposure=ds.exposure.iloc[1:]).require_consistent()
    assert len(checks) == 2


def test_a_table_swapped_into_a_validated_dataset_is_checked_again():
    ds = example_dataset()
    # S03's CAR-T row removed: the subject is recorded as infused without one (integrity rule)
    car_t = (ds.exposure["subject_id"] == "S03") & (ds.exposure["dose_unit"] == "cells/kg")
    changed = dataclasses.replace(ds, exposure=ds.exposure.loc[~car_t])
    with pytest.raises(DatasetError, match="subjects row 3 column 'infusion_date'"):
        changed.require_consistent()
