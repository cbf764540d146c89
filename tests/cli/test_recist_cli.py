"""`hyposti recist` as a user runs it: JSON and human output, iRECIST, schema, bad input."""

import json

from hyposti.cli.main import run

PATIENT = {
    "patient_id": "P-101",
    "reference_date": "2025-01-06",
    "baseline_date": "2024-12-30",
    "lesions": [
        {"lesion_id": "L1", "organ": "liver", "diameter_mm": 30, "target": True},
        {
            "lesion_id": "N1",
            "organ": "mediastinum",
            "nodal": True,
            "diameter_mm": 20,
            "target": True,
        },
        {"lesion_id": "B1", "organ": "bone", "target": False},
    ],
    "assessments": [
        {
            "date": "2025-02-17",
            "targets": [
                {"lesion_id": "L1", "diameter_mm": 20},
                {"lesion_id": "N1", "diameter_mm": 12},
            ],
            "non_target": "NON-CR/NON-PD",
        },
        {
            "date": "2025-03-31",
            "targets": [
                {"lesion_id": "L1", "state": "disappeared"},
                {"lesion_id": "N1", "diameter_mm": 8},
            ],
            "non_target": "CR",
        },
        {
            "date": "2025-05-12",
            "targets": [
                {"lesion_id": "L1", "diameter_mm": 14},
                {"lesion_id": "N1", "diameter_mm": 8},
            ],
            "non_target": "CR",
        },
    ],
}


def _write(tmp_path, payload):
    path = tmp_path / "patients.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def test_json_output_for_one_patient(tmp_path, capsys):
    assert run(["recist", _write(tmp_path, PATIENT), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (p,) = out["patients"]
    # Sums 50 -> 32 (-36%, PR) -> 8 mm (node < 10 mm: CR) -> 22 mm (+14 mm over nadir 8: PD).
    assert [t["overall_response"] for t in p["time_points"]] == ["PR", "CR", "PD"]
    assert p["bor_confirmed"] == "PR"
    assert (p["first_response_date"], p["response_confirmed_date"]) == ("2025-02-17", "2025-03-31")
    assert p["progression_date"] == "2025-05-12"
    assert p["best_pct_change"] == -84.0


def test_many_patients_irecist_and_human_output(tmp_path, capsys):
    other = {**PATIENT, "patient_id": "P-102"}
    path = _write(tmp_path, {"patients": [PATIENT, other]})
    assert run(["recist", path, "--criteria", "irecist", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["criteria"] == "irecist"
    assert [p["time_points"][2]["overall_response"] for p in out["patients"]] == ["iUPD", "iUPD"]
    assert out["patients"][0]["unconfirmed_progression_date"] == "2025-05-12"
    assert run(["recist", path]) == 0
    text = capsys.readouterr().out
    assert "Patient P-101" in text and "Patient P-102" in text
    assert "RECIST 1.1 Table 1: target PR" in text


def test_schema(capsys):
    assert run(["recist", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "PatientTumourData" in schema["$defs"]


def test_bad_input_is_a_clear_error(tmp_path, capsys):
    bad = json.loads(json.dumps(PATIENT))
    bad["assessments"][0]["targets"].append({"lesion_id": "X9", "diameter_mm": 11})
    assert run(["recist", _write(tmp_path, bad)]) == 2
    err = capsys.readouterr().err
    assert "P-101" in err and "2025-02-17" in err and "X9" in err
    assert run(["recist", _write(tmp_path, PATIENT), "--criteria", "who"]) == 2
    assert "recist11 or irecist" in capsys.readouterr().err


def test_a_schema_problem_names_the_record_and_its_path_in_the_file(tmp_path, capsys):
    # pydantic's error reached the top as "invalid input" with the path "[1].lesions[0]...".
    bad = json.loads(json.dumps(PATIENT))
    bad["lesions"][0]["diameter_mm"] = -3
    assert run(["recist", _write(tmp_path, {"patients": [PATIENT, bad]})]) == 2
    err = capsys.readouterr().err
    assert "patient tumour data: 1 problem(s)" in err
    assert "  - patients[1].lesions[0].diameter_mm = -3: " in err
    assert run(["recist", _write(tmp_path, bad)]) == 2
    assert "  - lesions[0].diameter_mm = -3: " in capsys.readouterr().err
