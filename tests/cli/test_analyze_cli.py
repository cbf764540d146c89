"""`hyposti analyze DIR` on the example dataset written to a folder, and `hyposti data`."""

import json

from hyposti.cli.main import run


def test_analyze_json_and_tables(tmp_path, capsys):
    assert run(["data", "example", str(tmp_path), "--format", "parquet"]) == 0
    capsys.readouterr()
    assert run(["analyze", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["efficacy"]["orr_confirmed"]["all"]["count"] == 2
    assert out["efficacy"]["pfs"]["median"] == 140
    assert run(["analyze", str(tmp_path)]) == 0
    assert "ORR, confirmed" in capsys.readouterr().out


def test_analyze_reports_bad_dataset(tmp_path, capsys):
    run(["data", "example", str(tmp_path)])
    path = tmp_path / "adverse_events.csv"
    text = path.read_text().replace("2024-01-12", "2023-01-12", 1)
    path.write_text(text)
    assert run(["analyze", str(tmp_path)]) == 2
    assert "adverse_events row 1 column 'onset_date'" in capsys.readouterr().err


def test_data_schema_and_check(tmp_path, capsys):
    assert run(["data", "schema", "--json"]) == 0
    tables = [t["name"] for t in json.loads(capsys.readouterr().out)["tables"]]
    assert tables[0] == "study" and "kinetics" in tables
    run(["data", "example", str(tmp_path)])
    capsys.readouterr()
    assert run(["data", "check", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"]["subjects"] == 8


def test_kinetics_tables_state_their_units(tmp_path):
    # The dataset's kinetics table holds copies_per_ug over study_day (data schema), so a level
    # is copies/ug, an AUC copies·day/ug and a time days; the headers said only "Cmax".
    from io import StringIO

    from rich.console import Console

    from hyposti.analysis.trial import analyze_trial
    from hyposti.cli.analyze import _render
    from hyposti.data.dataset import read_dataset
    from hyposti.protocol import load_protocol

    assert run(["data", "example", str(tmp_path)]) == 0
    out = StringIO()
    result = analyze_trial(read_dataset(tmp_path), load_protocol())
    _render(result, Console(file=out, width=250, color_system=None))
    text = out.getvalue()
    headers = (
        "Cmax, copies/ug",
        "AUC0-28d, copies·day/ug",
        "AUClast, copies·day/ug",
        "Tmax, days: median (range)",
        "Level, copies/ug: geometric mean (CV%)",
    )
    assert all(header in text for header in headers)
