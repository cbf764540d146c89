"""`hyposti screen`: human table, --json only JSON, --schema, clean errors."""

import json
from pathlib import Path

from hyposti.cli.main import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "screening"


def test_json_output_is_the_screening_result(capsys):
    assert run(["screen", str(EXAMPLES / "ineligible.json"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "ineligible"
    assert result["failing"] == ["I1", "I2", "I6", "I7", "E3", "E12"]
    assert len(result["criteria"]) == 25
    # an exclusion criterion that applies excludes, as the verdict table says it; "E3 not met"
    # read as if E3 did not apply
    assert result["summary"] == "ineligible: I1, I2, I6, I7 not met; excluded by E3, E12"


def test_human_output_names_status_and_exclusions_in_words(capsys):
    assert run(["screen", str(EXAMPLES / "eligible.json")]) == 0
    out = capsys.readouterr().out
    assert "ELIGIBLE" in out and "not excluded" in out and "I10" in out


def test_schema_describes_the_record(capsys):
    assert run(["screen", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "ScreeningRecord"
    assert "labs" in schema["properties"] and "Lab" in schema["$defs"]


def test_today_before_the_screening_date_is_refused(capsys):
    code = run(["screen", str(EXAMPLES / "eligible.json"), "--today", "2026-11-19"])
    assert code == 2
    assert "screening_date" in capsys.readouterr().err


def test_unreadable_or_invalid_records_get_clean_errors(capsys, tmp_path):
    assert run(["screen", str(tmp_path / "absent.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"participant_id": "X", "screening_date": "2026-11-20", "disease": {"ecog": 7}}'
    )
    assert run(["screen", str(bad)]) == 2
    assert "disease.ecog" in capsys.readouterr().err
    assert run(["screen"]) == 2
    assert "--schema" in capsys.readouterr().err
