"""The conformance rules: silent on a clean package, and each rule finds the breach planted for
it at the planted dataset, variable and row."""

import json

import pyreadstat
import pytest

from hyposti.standards.conformance import RULES, check_folder
from hyposti.standards.dataset_json import to_dataset_json
from hyposti.standards.spec import Dataset
from hyposti.standards.xpt import write_xpt

from .conftest import CREATED


def _hits(findings):
    return {(f.rule_id, f.domain, f.variable, f.row) for f in findings}


@pytest.mark.parametrize("kind", ["sdtm", "adam"])
@pytest.mark.parametrize("fmt", ["xpt", "json"])
def test_synthetic_trial_packages_are_clean(synthetic_packages, kind, fmt):
    _built, folders = synthetic_packages
    assert check_folder(folders[(kind, fmt)]) == []


def test_example_dataset_gap_is_reported(example_sdtm, tmp_path):
    # the example trial gives a site only to the six infused subjects (data/example.py _PLAN):
    # S07 and S08, DM rows 7 and 8, have none, and SITEID is required (SDTMIG 3.4 DM)
    for name in ("DM", "AE"):
        write_xpt(example_sdtm[name], tmp_path)
    assert _hits(check_folder(tmp_path)) == {
        ("HC0012", "DM", "SITEID", 7),
        ("HC0012", "DM", "SITEID", 8),
    }


def _write(frame, name, path, labels=None):
    pyreadstat.write_xport(
        frame,
        str(path / f"{name.lower()}.xpt"),
        table_name=name,
        column_labels=labels or list(frame.columns),
        file_format_version=5,
    )


def test_each_rule_finds_its_planted_breach(synthetic_packages, tmp_path):
    built, _folders = synthetic_packages
    sdtm = {d.name: d for d in built["sdtm"]}
    adam = {d.name: d for d in built["adam"]}
    dm = sdtm["DM"].frame.copy()
    dm.loc[len(dm)] = dm.iloc[1]  # the last row repeats row 2's key
    dm.loc[0, "SEX"] = "X"  # row 1 outside the non-extensible SEX codelist
    write_xpt(Dataset(sdtm["DM"].spec, dm), tmp_path)
    starts = dict(zip(dm["USUBJID"], dm["RFSTDTC"], strict=True))
    ae = sdtm["AE"].frame.copy()
    first = ae["USUBJID"].iloc[0]
    assert ae["USUBJID"].iloc[1] == first  # two events of one subject at rows 1 and 2
    ae.loc[1, "AESEQ"] = ae.loc[0, "AESEQ"]  # row 2: --SEQ repeats within the subject
    ae.loc[2, "AESTDTC"] = "2024-13-01"  # row 3: month 13
    ae.loc[3, "AESTDY"] = 0  # row 4: day 0 does not exist
    ae.loc[4, "AESTDY"] = ae.loc[4, "AESTDY"] + 1  # row 5: one day off
    assert starts[ae.loc[4, "USUBJID"]] != ""
    ex = sdtm["EX"].frame.copy()
    ex.loc[0, "EXROUTE"] = "ORAL"  # row 1: outside the shipped subset of extensible ROUTE
    write_xpt(Dataset(sdtm["AE"].spec, ae), tmp_path)
    write_xpt(Dataset(sdtm["EX"].spec, ex), tmp_path)
    ds = sdtm["DS"].frame.drop(columns=["DSTERM"])  # a required variable left out
    _write(ds, "DS", tmp_path)
    adsl = adam["ADSL"].frame.copy()
    adsl.loc[len(adsl)] = adsl.iloc[0]  # last row repeats the first subject
    write_xpt(Dataset(adam["ADSL"].spec, adsl), tmp_path)
    adtte = adam["ADTTE"].frame.copy()
    adtte.loc[0, "CNSR"] = 2
    adtte.loc[1, "AVAL"] = -1.0
    write_xpt(Dataset(adam["ADTTE"].spec, adtte), tmp_path)
    doc = to_dataset_json(adam["ADPC"], "S", "M", CREATED)
    doc["label"] = "L" * 41
    doc["columns"][3]["name"] = "PARAMCODE"  # 9 characters
    doc["records"] += 1
    del doc["itemGroupOID"]
    (tmp_path / "adpc.json").write_text(json.dumps(doc))

    hits = _hits(check_folder(tmp_path))
    n = len(adsl)
    expected = {
        ("HC0020", "DM", None, len(dm)),
        ("HC0040", "DM", "SEX", 1),
        ("HC0021", "AE", "AESEQ", 2),
        ("HC0030", "AE", "AESTDTC", 3),
        ("HC0031", "AE", "AESTDY", 4),
        ("HC0031", "AE", "AESTDY", 5),
        ("HC0041", "EX", "EXROUTE", 1),
        ("HC0010", "DS", "DSTERM", None),
        ("HC0050", "ADSL", "USUBJID", n),
        ("HC0020", "ADSL", None, n),
        ("HC0060", "ADTTE", "CNSR", 1),
        ("HC0061", "ADTTE", "AVAL", 2),
        ("HC0002", "ADPC", None, None),
        ("HC0001", "ADPC", "PARAMCODE", None),
        ("HC0071", "ADPC", None, None),
        ("HC0070", "ADPC", None, None),
        # the renamed column leaves the required PARAMCD missing
        ("HC0010", "ADPC", "PARAMCD", None),
    }
    assert hits == expected


def test_rule_ids_unique_and_sourced():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(r.source and r.description for r in RULES)


def test_a_define_xml_breaking_its_schema_is_reported_at_its_line(synthetic_packages, tmp_path):
    """HC0080: Define-XML 2.1 section 5.3.1 requires def:Structure on every ItemGroupDef."""
    import shutil

    _built, folders = synthetic_packages
    source = folders[("sdtm", "xpt")]
    for f in source.glob("*.xpt"):
        shutil.copy(f, tmp_path / f.name)
    lines = (source / "define.xml").read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "def:Structure=" in line)
    lines[at] = lines[at].replace("def:Structure=", "def:Structurx=")
    (tmp_path / "define.xml").write_text("".join(lines), encoding="utf-8")
    hits = _hits(check_folder(tmp_path))
    assert ("HC0080", "define.xml", None, at + 1) in hits
    assert {h[0] for h in hits} == {"HC0080"}


def test_define_xml_and_the_files_beside_it_must_match(synthetic_packages, tmp_path):
    """HC0081 (CDISC Metadata Submission Guidelines v1.0 s3.2.1): a stray ADaM file in the SDTM
    folder is described nowhere, and a removed AE file leaves define.xml's AE without data."""
    import shutil

    _built, folders = synthetic_packages
    shutil.copytree(folders[("sdtm", "xpt")], tmp_path, dirs_exist_ok=True)
    shutil.copy(folders[("adam", "xpt")] / "adsl.xpt", tmp_path / "adsl.xpt")
    (tmp_path / "ae.xpt").unlink()
    findings = [f for f in check_folder(tmp_path) if f.rule_id == "HC0081"]
    assert [(f.domain, f.message) for f in findings] == [
        ("ADSL", "adsl.xpt is not described in define.xml"),
        ("AE", "define.xml describes AE in ae.xpt, which is not in the folder"),
    ]
    assert all(f.severity == "error" for f in findings)
