"""`hyposti export sdtm|adam|check` on datasets written by the CLI itself."""

import json

import pyreadstat

from hyposti.cli.main import run


def test_export_sdtm_adam_and_check(tmp_path, capsys):
    data = tmp_path / "trial"
    assert run(["simulate-trial", "--seed", "3", "-o", str(data), "--json"]) == 0
    capsys.readouterr()
    assert run(["export", "sdtm", str(data), "-o", str(tmp_path / "sdtm"), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["format"] == "xpt" and written["define"] == "define.xml"
    files = {d["file"] for d in written["datasets"]}
    assert {"dm.xpt", "ae.xpt", "suppae.xpt", "ts.xpt", "rs.xpt"} <= files
    assert (tmp_path / "sdtm" / "define.xml").exists()
    dm, meta = pyreadstat.read_xport(str(tmp_path / "sdtm" / "dm.xpt"))
    assert meta.table_name == "DM" and dm["USUBJID"].is_unique
    out = tmp_path / "adam"
    assert run(["export", "adam", str(data), "-o", str(out), "--format", "json", "--json"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [
        "adae.json",
        "adpc.json",
        "adpp.json",
        "adrs.json",
        "adsl.json",
        "adtte.json",
        "define.xml",
    ]
    for folder in ("sdtm", "adam"):
        assert run(["export", "check", str(tmp_path / folder), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["errors"] == 0 and report["findings"] == []


def test_check_exits_2_on_an_error_with_rule_dataset_variable_row(tmp_path, capsys):
    data = tmp_path / "example"
    assert run(["data", "example", str(data)]) == 0
    assert run(["export", "sdtm", str(data), "-o", str(tmp_path / "sdtm")]) == 0
    capsys.readouterr()
    assert run(["export", "check", str(tmp_path / "sdtm"), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    # the example gives no site to S07 and S08 (DM rows 7 and 8)
    assert [(f["rule_id"], f["domain"], f["variable"], f["row"]) for f in report["findings"]] == [
        ("HC0012", "DM", "SITEID", 7),
        ("HC0012", "DM", "SITEID", 8),
    ]
    assert run(["export", "check", str(tmp_path / "sdtm")]) == 2
    assert "HC0012" in capsys.readouterr().out


def test_bad_input_is_a_message(tmp_path, capsys):
    assert run(["export", "check", str(tmp_path / "missing")]) == 2
    assert "must be an existing folder" in " ".join(capsys.readouterr().err.split())
    run(["data", "example", str(tmp_path / "d")])
    capsys.readouterr()
    assert run(["export", "adam", str(tmp_path / "d"), "-o", str(tmp_path / "o"),
                "--format", "sas"]) == 2  # fmt: skip
    assert "--format = 'sas'" in " ".join(capsys.readouterr().err.split())


def test_adam_into_the_sdtm_folder_is_refused_and_writes_nothing(tmp_path, capsys):
    # Written there, ADaM's define.xml would replace SDTM's and leave DM..SUPPAE undescribed
    # (each package keeps its own folder and define.xml in a submission).
    data, sdtm = tmp_path / "d", tmp_path / "sdtm"
    assert run(["data", "example", str(data)]) == 0
    assert run(["export", "sdtm", str(data), "-o", str(sdtm)]) == 0
    before = {p.name: p.read_bytes() for p in sdtm.iterdir()}
    capsys.readouterr()
    assert run(["export", "adam", str(data), "-o", str(sdtm)]) == 2
    error = " ".join(capsys.readouterr().err.split())
    assert f"--output = '{sdtm}'" in error and "another package (AE, CM, DM," in error
    assert {p.name: p.read_bytes() for p in sdtm.iterdir()} == before
    # the same package again is written over, as a re-export after a new data cut is
    assert run(["export", "sdtm", str(data), "-o", str(sdtm)]) == 0
