"""The simulated trial as files: schema-valid, byte-identical for a seed, different for another."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from hyposti.data import TABLES, read_dataset, write_dataset
from hyposti.virtual.tables import trial_dataset
from hyposti.virtual.trial import simulate_trial


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_same_bytes_different_seed_different(tmp_path: Path, fmt: str) -> None:
    folders = {}
    for name, seed in (("a", 21), ("b", 21), ("c", 22)):
        folders[name] = write_dataset(trial_dataset(simulate_trial(seed)), tmp_path / name, fmt)
    a, b, c = (_digests(folders[k]) for k in "abc")
    assert a == b
    assert set(a) == {f"{t}.{fmt}" for t in TABLES}
    assert a["subjects." + fmt] != c["subjects." + fmt]


def test_csv_and_parquet_read_back_to_the_same_tables(tmp_path: Path) -> None:
    dataset = trial_dataset(simulate_trial(4))
    from_csv = read_dataset(write_dataset(dataset, tmp_path / "csv", "csv"))
    from_parquet = read_dataset(write_dataset(dataset, tmp_path / "parquet", "parquet"))
    for name in TABLES:
        pd.testing.assert_frame_equal(
            getattr(from_csv, name), getattr(from_parquet, name), check_dtype=False, obj=name
        )


def test_every_table_the_trial_produces_is_filled(tmp_path: Path) -> None:
    dataset = read_dataset(write_dataset(trial_dataset(simulate_trial(9)), tmp_path))
    for name in TABLES:
        assert len(getattr(dataset, name)) > 0, name
    scales = set(dataset.adverse_events["scale"])
    assert {"ASTCT 2019 CRS", "CTCAE v5.0"} <= scales  # the safety engine's names, untranslated
    assert dataset.kinetics["copies_per_ug"].isna().any()  # some samples below the LLOQ
    assert set(dataset.kinetics["matrix"]) == {"blood", "tumour"}
