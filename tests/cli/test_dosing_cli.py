"""`hyposti dose` and `hyposti calendar`: JSON, tables and clean refusals."""

import json

from hyposti.cli.main import run


def test_dose_json(capsys):
    code = run(
        [
            "dose",
            "--weight-kg",
            "70",
            "--height-cm",
            "170",
            "--dose-level",
            "2",
            "--nab-paclitaxel-mg-m2",
            "125",
            "--cyclophosphamide-mg-kg",
            "20",
            "--json",
        ]
    )
    assert code == 0
    record = json.loads(capsys.readouterr().out)
    # 1.82 m2 x 125 = 227.5 -> 228 mg; 20 mg/kg x 70 kg = 1400 mg; 3e6 x 70 = 2.1e8 cells
    assert [a["mg_per_day"] for a in record["preconditioning"]] == [228, 1400]
    assert record["car_t"]["total_cells"] == 2.1e8


def test_dose_table_shows_rounding(capsys):
    assert (
        run(
            [
                "dose",
                "--weight-kg",
                "70",
                "--height-cm",
                "170",
                "--dose-level",
                "1",
                "--bsa-formula",
                "dubois",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "dubois" in out and "Rounding" in out and "not computed" in out


def test_dose_refusals_name_the_rule(capsys):
    assert run(["dose", "--weight-kg", "-5", "--height-cm", "170", "--dose-level", "1"]) == 2
    assert "weight_kg" in capsys.readouterr().err
    assert (
        run(
            [
                "dose",
                "--weight-kg",
                "70",
                "--height-cm",
                "170",
                "--dose-level",
                "1",
                "--cyclophosphamide-mg-kg",
                "40",
            ]
        )
        == 2
    )
    assert "15-30 mg/kg" in capsys.readouterr().err
    assert run(["dose", "--weight-kg", "70", "--dose-level", "1", "--agent-dose", "x"]) == 2
    assert "NAME=DOSE" in capsys.readouterr().err


def test_calendar_json_and_table(capsys):
    assert run(["calendar", "--infusion-date", "2026-12-05", "--json"]) == 0
    cal = json.loads(capsys.readouterr().out)
    assert cal["dlt_window_end"] == "2027-01-02"
    assert cal["visits"][0] == {
        "study_day": -5,
        "date": "2026-11-30",
        "earliest": "2026-11-30",
        "latest": "2026-11-30",
        "kind": "preconditioning",
        "label": "nab-paclitaxel",
        "assessments": ["vital_signs", "haematology_chemistry", "adverse_events"],
    }
    assert run(["calendar", "--infusion-date", "2026-12-05"]) == 0
    assert "DLT window ends" in capsys.readouterr().out


def test_calendar_refusals(capsys):
    assert run(["calendar", "--infusion-date", "05/12/2026"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert (
        run(["calendar", "--infusion-date", "2026-12-05", "--first-dose-date", "2026-12-07"]) == 2
    )
    assert "precede the infusion" in capsys.readouterr().err


def test_calendar_refuses_a_date_outside_the_trial_range(capsys):
    # 9999-12-31 + 3 years of follow-up overflowed Python's date before this bound
    assert run(["calendar", "--infusion-date", "9999-12-31", "--json"]) == 2
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())
    assert "infusion_date = 9999-12-31: a trial date lies between 1900-01-01 and 2199-12-31" in err
    assert "Traceback" not in err and captured.out == ""
