"""`hyposti simulate-trial`: writes the dataset, prints its summary, refuses bad input."""

import gc
import json
from pathlib import Path

import pytest

from hyposti.cli.main import run
from hyposti.data import TABLES, read_dataset


def test_json_summary_matches_the_files_written(tmp_path: Path, capsys) -> None:
    out = tmp_path / "trial"
    code = run(["simulate-trial", "--seed", "12", "-o", str(out), "--format", "csv", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    dataset = read_dataset(out)
    assert summary["screened"] == len(dataset.subjects)
    assert summary["enrolled"] == int(dataset.subjects["infusion_date"].notna().sum())
    failed = dataset.screening.loc[~dataset.screening["met"].astype(bool)]
    assert summary["failed_by_criterion"] == failed["criterion_id"].value_counts().to_dict()
    assert summary["enrolled_by_dose"] == {
        str(level): int((dataset.subjects["dose_level"] == level).sum()) for level in (1, 2, 3)
    }
    tokens = summary["escalation_path"].split()
    assert len(tokens) == len(dataset.escalation)
    for token, row in zip(tokens, dataset.escalation.itertuples(), strict=True):
        assert token.rstrip("NT") == str(row.dose_level)
        assert token.count("T") == row.n_dlt and len(token) - 1 == row.n_patients
    assert summary["rp2d_dose_level"] == dataset.study["rp2d_dose_level"].iloc[0]
    assert summary["format"] == "csv"


def test_human_output_names_the_mtd_and_the_folder(tmp_path: Path, capsys) -> None:
    code = run(["simulate-trial", "--seed", "2", "-o", str(tmp_path / "t")])
    assert code == 0
    text = capsys.readouterr().out
    assert "MTD" in text and "Escalation" in text and str(tmp_path / "t") in text
    assert (tmp_path / "t" / "subjects.parquet").exists()


def test_stress_option_sets_the_number_infused(tmp_path: Path, capsys) -> None:
    code = run(["simulate-trial", "--seed", "2", "-o", str(tmp_path), "--patients", "45", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["enrolled"] == 45


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "--format"),
        (["--patients", "0"], "patients"),
        (["--params", "/nonexistent/params.yaml"], "params"),
    ],
)
def test_bad_input_exits_2_with_the_field_named(tmp_path: Path, capsys, args, message) -> None:
    code = run(["simulate-trial", "--seed", "1", "-o", str(tmp_path), *args])
    assert code == 2
    assert message in capsys.readouterr().err


def test_an_invalid_parameter_file_lists_its_problems(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "params.yaml"
    bad.write_text("schema_version: 1\ncalendar: {start_date: 2023-02-01}\n")
    code = run(["simulate-trial", "--seed", "1", "-o", str(tmp_path / "o"), "--params", str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert "calendar.screenings_per_month" in err and "population" in err


def test_the_same_seed_writes_the_same_bytes_and_the_collector_is_restored(
    tmp_path: Path, capsys
) -> None:
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        assert run(["simulate-trial", "--seed", "6", "-o", str(folder), "--format", "csv"]) == 0
        assert gc.isenabled()
    first, second = ({p.name: p.read_bytes() for p in f.iterdir()} for f in folders)
    assert first == second and len(first) == len(TABLES)


def test_no_record_is_dated_after_the_generation_date(tmp_path: Path, capsys) -> None:
    out = tmp_path / "trial"
    code = run(["simulate-trial", "--seed", "3", "-o", str(out), "--as-of", "2024-06-01", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["generated_on"] == summary["data_cutoff"] == "2024-06-01"
    dataset = read_dataset(out)
    assert dataset.study["data_source"].iloc[0] == "synthetic"
    latest = max(
        frame[c.name].max()
        for name, frame in dataset.tables().items()
        for c in TABLES[name].columns
        if c.dtype == "date" and frame[c.name].notna().any()
    )
    assert latest <= dataset.study["generated_on"].iloc[0]


def test_the_status_line_stays_off_stdout(tmp_path, capsys):
    # The finished status line left a blank line at the head of the summary on stdout.
    out = tmp_path / "trial"
    assert run(["simulate-trial", "--seed", "3", "-o", str(out), "--as-of", "2024-06-01"]) == 0
    assert capsys.readouterr().out.startswith("─")
