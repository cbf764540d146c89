"""`hyposti grade crs|icans|cres|lab` and `hyposti ctcae`: JSON output and clean refusals."""

from __future__ import annotations

import json

import pytest

from hyposti.cli.main import run


def _err(capsys) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(capsys.readouterr().err.split())


def _json(capsys, argv):
    assert run([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_crs_one_vasopressor_and_high_flow_is_grade_3(capsys):
    # Lee 2019 Table 3: one vasopressor or high-flow cannula -> grade 3.
    out = _json(
        capsys,
        ["grade", "crs", "--temperature-c", "39.1", "--vasopressors", "1", "--oxygen", "high-flow"],
    )
    assert out["grade"] == 3
    assert out["scale"] == "ASTCT 2019 CRS"
    assert out["deciding_finding"].endswith("-> grade 3")


def test_icans_ice_5_is_grade_2(capsys):
    out = _json(capsys, ["grade", "icans", "--ice", "5"])
    assert out["grade"] == 2
    assert out["deciding_finding"] == "ICE score 5/10 -> grade 2"


def test_icans_repeated_icp_findings(capsys):
    out = _json(
        capsys, ["grade", "icans", "--ice", "10", "--icp", "focal-oedema", "--icp", "papilloedema"]
    )
    assert out["grade"] == 4


def test_cres_csf_pressure_20_is_grade_4(capsys):
    out = _json(capsys, ["grade", "cres", "--cartox10", "8", "--csf-pressure-mmhg", "20"])
    assert out["grade"] == 4


def test_lab_platelets_40_is_grade_3(capsys):
    # CTCAE v5.0 grade 3: "<50.0 - 25.0 x 10e9 /L".
    out = _json(
        capsys,
        ["grade", "lab", "--test", "Platelet count decreased", "--value", "40", "--unit", "10^9/L"],
    )
    assert out["grade"] == 3
    assert out["ctcae_text"] == "<50,000 - 25,000/mm3; <50.0 - 25.0 x 10e9 /L"


def test_lab_tests_lists_all_forty(capsys):
    assert len(_json(capsys, ["grade", "lab-tests"])) == 40


def test_human_output_names_the_deciding_finding(capsys):
    assert run(["grade", "crs", "--temperature-c", "38.4"]) == 0
    assert "CRS grade 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            [
                "grade",
                "lab",
                "--test",
                "Platelet count decreased",
                "--value",
                "40",
                "--unit",
                "g/L",
            ],
            "10^9/L",
        ),
        (
            [
                "grade",
                "lab",
                "--test",
                "Platelet count decreased",
                "--value",
                "-4",
                "--unit",
                "10^9/L",
            ],
            "negative",
        ),
        (["grade", "crs", "--temperature-c", "39", "--oxygen", "helmet"], "oxygen"),
        (["grade", "icans", "--consciousness", "sleepy"], "consciousness"),
        (["grade", "cres"], "cartox10"),
    ],
)
def test_bad_input_exits_2_with_the_field(capsys, argv, words):
    assert run(argv) == 2
    err = _err(capsys)
    assert words in err
    assert "Traceback" not in err


def test_ctcae_lookup_json(capsys):
    out = _json(capsys, ["ctcae", "Mucositis oral"])
    assert out["soc"] == "Gastrointestinal disorders"
    assert out["meddra_code"] == "10028130"
    assert out["grades"][2] == "Severe pain; interfering with oral intake"
    assert out["available_grades"] == [1, 2, 3, 4, 5]


def test_ctcae_unknown_term_suggests(capsys):
    assert run(["ctcae", "Cytokine release syndrom"]) == 2
    assert "'Cytokine release syndrome'" in _err(capsys)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["icans", "--ice", "11"], "ICANS findings: 1 problem(s) - --ice = 11: "),
        (["cres", "--papilloedema-stage", "9"], "- --papilloedema-stage = 9: "),
        (["crs", "--temperature-c", "39", "--oxygen", "high"], "CRS findings: 1 problem(s)"),
        (["crs", "--temperature-c", "39", "--oxygen", "high"], "- --oxygen = 'high': "),
        (["crs", "--temperature-c", "39", "--oxygen-flow", "4"], "- --oxygen-flow = 4.0: "),
    ],
)
def test_a_refused_finding_names_the_option_typed(argv, said, capsys):
    # pydantic's error reached the top as "invalid input" naming the record's field
    # (ice_score = 11), an option that does not exist.
    assert run(["grade", *argv]) == 2
    err = _err(capsys)
    assert said in err and "invalid input" not in err
