"""`hyposti protocol show|validate` as a user runs them."""

import json

import yaml

from hyposti.cli.main import run
from hyposti.protocol import shipped_protocol_path


def test_show_prints_the_mtd_reading_and_labels_editable_defaults(capsys):
    assert run(["protocol", "show"]) == 0
    out = capsys.readouterr().out
    assert "NCT05681650" in out
    assert "less than or equal to 2 DLT among 6" in out
    assert "Reading in force: conventional" in out
    assert "sponsor-editable default, not from the registry" in out
    # The protocol file's products and its DLT relatedness rule (nct05681650.yaml `dlt`).
    text = " ".join(out.split())
    assert "HypoSti.CAR-HER2 T cells (car_t), nab-paclitaxel (nab_paclitaxel)" in text
    assert "a DLT must be related (possible, probable, definite) to car_t" in text


def test_show_json_is_the_whole_protocol(capsys):
    assert run(["protocol", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identifiers"]["nct_id"] == "NCT05681650"
    assert len(data["eligibility"]["criteria"]) == 25


def test_validate_accepts_a_good_file_and_rejects_a_bad_one(tmp_path, capsys):
    assert run(["protocol", "validate", str(shipped_protocol_path()), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True

    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    data["investigational_product"]["dose_levels"][0]["cells_per_kg"] = -1
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert run(["protocol", "validate", str(bad), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert report["problems"][0].startswith("investigational_product.dose_levels[0].cells_per_kg")


def test_unknown_command_is_a_usage_error_not_a_traceback(capsys):
    assert run(["protocol", "bogus"]) == 2
    assert "No such command" in capsys.readouterr().err


def _shown_at(width: int) -> str:
    from io import StringIO

    from rich.console import Console

    from hyposti.cli.protocol import render_protocol
    from hyposti.protocol import load_protocol

    out = StringIO()
    render_protocol(load_protocol(), Console(file=out, width=width, color_system=None))
    return out.getvalue()


def test_show_at_80_columns_cuts_nothing():
    # The registry's brief title is longer than a rule line at 80 columns: it was cut with "…".
    text = _shown_at(80)
    assert "…" not in text
    ids = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))["identifiers"]
    flat = " ".join(text.split())
    assert ids["brief_title"] in flat and ids["official_title"] in flat


def test_show_spells_settings_as_the_file_does_never_as_python_reprs():
    text = _shown_at(80)
    for repr_start in ("FrozenMapping(", "WindowRule(", "VisitBlock(", "DltClause(", "('", "None"):
        assert repr_start not in text
    # wide enough that each setting sits on one line
    flat = " ".join(_shown_at(240).split())
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    # A list of names in square brackets was taken for Rich markup and vanished.
    visit = data["schedule"]["visits"][0]
    assert f"visits[0].assessments │ [{', '.join(visit['assessments'])}]" in flat
    dex = data["corticosteroid_equivalence"]["equivalent_dose_mg"]["dexamethasone"]
    assert f"equivalent_dose_mg.dexamethasone │ {dex}" in flat
    assert f"bsa_cap_m2 │ {'null' if data['dosing']['bsa_cap_m2'] is None else ''}" in flat
