"""The simulated trial as files: schema-valid, byte-identical for a seed, different for another."""

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from hyposti.data import TABLES, read_dataset, write_dataset
from hyposti.virtual.tables import _frame, _records_frame, trial_dataset
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


def test_lab_and_vital_rows_are_the_screening_draws() -> None:
    """lab_results and vital_signs repeat what screening recorded (the eligibility record the
    engine judged, and the weight and height the doses were computed from): nothing new drawn."""
    from hyposti.data.schema import LAB_TESTS

    trial = simulate_trial(11)
    ds = trial_dataset(trial)
    labs = ds.lab_results.set_index(["subject_id", "test"])
    vitals = ds.vital_signs.set_index(["subject_id", "test"])
    for s in trial.screened:
        for test, (field, unit) in LAB_TESTS.items():
            lab = getattr(s.record.labs, field)
            row = labs.loc[(s.subject_id, test)]
            assert (row["value"], row["collection_date"].date()) == (lab.value, lab.date)
            assert (row["unit"] or "") == unit
            assert pd.isna(row["normal_low"])
            if hasattr(lab, "uln"):
                assert row["normal_high"] == lab.uln
        assert vitals.loc[(s.subject_id, "weight"), "value"] == s.candidate.weight_kg
        assert vitals.loc[(s.subject_id, "height"), "value"] == s.candidate.height_cm
        spo2 = vitals.loc[(s.subject_id, "spo2")]
        assert spo2["value"] == s.record.labs.spo2_room_air_percent.value
    assert len(ds.lab_results) == len(trial.screened) * len(LAB_TESTS)


def test_date_columns_reach_the_schema_check_as_the_dates_its_parser_reads() -> None:
    values = [dt.date(2024, 2, 29), None, dt.date(1999, 12, 31)]
    typed = _frame(TABLES["disposition"], {"off_study_date": values})
    parsed = pd.to_datetime(pd.Series(["2024-02-29", None, "1999-12-31"]), format="ISO8601")
    pd.testing.assert_series_equal(typed["off_study_date"], parsed, check_names=False)


def test_a_date_column_holding_anything_else_is_left_for_the_schema_check_to_name() -> None:
    # text; beyond datetime64[ns]; a date and time; a float
    for other in ("31/12/2024", dt.date(9999, 12, 31), dt.datetime(2024, 1, 1, 8), float("nan")):
        column = _frame(TABLES["disposition"], {"off_study_date": [dt.date(2024, 2, 29), other]})
        assert column["off_study_date"].tolist() == [dt.date(2024, 2, 29), other]


def test_columns_are_typed_as_the_schema_says_only_when_every_value_has_that_type() -> None:
    def dtype(table: str, column: str, values: list[object]) -> str:
        return str(_frame(TABLES[table], {column: values})[column].dtype)

    assert dtype("kinetics", "copies_per_ug", [3, 2.5, None]) == "float64"  # None: NaN
    assert dtype("kinetics", "copies_per_ug", [3, "2.5"]) == "object"
    assert dtype("kinetics", "copies_per_ug", [True, 2.5]) == "object"  # a flag is no number
    assert dtype("adverse_events", "serious", [True, False]) == "bool"
    assert dtype("adverse_events", "serious", [True, None]) == "object"  # as pandas holds them
    assert dtype("adverse_events", "term", ["Fatigue", None]) == "object"
    assert _frame(TABLES["adverse_events"], {"term": ["Fatigue", 7]})["term"].tolist() == [
        "Fatigue",
        7,
    ]


def test_a_table_without_rows_has_the_schema_columns() -> None:
    frame = _records_frame("medications", [], ("car_t",))
    assert tuple(frame.columns) == TABLES["medications"].column_names
    assert len(frame) == 0
