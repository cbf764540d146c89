"""`hyposti dlt PATIENT.json`: verdicts with reasons, evaluability, and the cohort history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hyposti.cli.main import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "dlt"


def _err(capsys) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(capsys.readouterr().err.split())


def _json(capsys, argv):
    assert run([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_grade_3_crs_on_day_2_is_a_dlt(capsys):
    out = _json(capsys, ["dlt", str(EXAMPLES / "crs_grade3_dlt.json"), "--today", "2026-06-01"])
    verdicts = {e["term"]: e for e in out["events"]}
    assert verdicts["Cytokine release syndrome"]["is_dlt"] is True
    # Neutropenia during preconditioning: outside the window and not related to the CAR-T.
    neutropenia = verdicts["Neutrophil count decreased"]
    assert neutropenia["is_dlt"] is False
    assert neutropenia["study_day"] == -2
    assert verdicts["Rash maculo-papular"]["reasons"][0].startswith("below threshold")
    assert out["evaluability"] == "evaluable"


def test_withdrawal_before_day_28_is_not_evaluable(capsys):
    out = _json(capsys, ["dlt", str(EXAMPLES / "withdrew_day12.json"), "--today", "2026-06-01"])
    assert out["evaluability"] == "not evaluable"
    assert "day 12" in out["evaluability_reason"]


def test_cohort_file_gives_the_dose_finding_history(capsys):
    out = _json(
        capsys, ["dlt", str(EXAMPLES / "dose_level_1_cohort.json"), "--today", "2026-06-01"]
    )
    history = out["dose_finding_history"]
    assert history["outcomes"] == "1TNN"
    assert history["needs_replacement"] == ["NCT05681650-002"]


def test_human_output(capsys):
    assert run(["dlt", str(EXAMPLES / "crs_grade3_dlt.json"), "--today", "2026-06-01"]) == 0
    assert "DLT-evaluability" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda p: p | {"infusion": "2026-02-01"}, "infusion"),
        (lambda p: p | {"adverse_events": [p["adverse_events"][0] | {"grade": 6}]}, "grade"),
        (
            lambda p: p | {"adverse_events": [p["adverse_events"][0] | {"term": "Neutropenia"}]},
            "closest",
        ),
        (lambda p: p | {"last_follow_up": "2027-01-01"}, "after today"),
        (lambda p: p | {"dose_level": 4}, "dose levels 1..3"),
    ],
)
def test_bad_patient_files_exit_2_naming_the_field(tmp_path, capsys, mutate, words):
    patient = json.loads((EXAMPLES / "crs_grade3_dlt.json").read_text())
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(mutate(patient)))
    assert run(["dlt", str(path), "--today", "2026-06-01"]) == 2
    err = _err(capsys)
    assert words in err
    assert "Traceback" not in err


def test_missing_file_and_bad_today(tmp_path, capsys):
    assert run(["dlt", str(tmp_path / "nope.json")]) == 2
    assert "no such file" in _err(capsys)
    assert run(["dlt", str(EXAMPLES / "crs_grade3_dlt.json"), "--today", "01/06/2026"]) == 2
    assert "YYYY-MM-DD" in _err(capsys)


def test_a_schema_problem_in_a_cohort_file_names_its_patient(tmp_path, capsys):
    # Four patients in the file; the third's cohort is -1. The message said only "cohort = -1".
    cohort = json.loads((EXAMPLES / "dose_level_1_cohort.json").read_text(encoding="utf-8"))
    cohort[2]["cohort"] = -1
    cohort[0]["adverse_events"][0]["grade"] = 6
    path = tmp_path / "cohort.json"
    path.write_text(json.dumps(cohort), encoding="utf-8")
    assert run(["dlt", str(path), "--today", "2026-06-01"]) == 2
    err = _err(capsys)
    assert "patients[0].adverse_events[0].grade = 6" in err
    cohort[0]["adverse_events"][0]["grade"] = 3
    path.write_text(json.dumps(cohort), encoding="utf-8")
    assert run(["dlt", str(path), "--today", "2026-06-01"]) == 2
    assert "patients[2].cohort = -1" in _err(capsys)
