"""`hyposti design ...`: stable JSON keys, readable output, and clean errors for bad input."""

import json

import pytest

from hyposti.cli.main import run


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert run(["design", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_decide_with_the_protocol_design(capsys) -> None:
    out = run_json(capsys, "decide", "--outcomes", "1NNN 2NTN")
    assert out["next_dose"] == 2 and out["stop"] is False and out["mtd"] is None
    assert "treat 3 more patients at dose 2 (3e6 cells/kg)" in out["reason"]
    assert out["n_at_dose"] == [3, 3, 0]


def test_decide_registry_literal_variant(capsys) -> None:
    out = run_json(
        capsys, "decide", "--design", "3+3", "--variant", "registry-literal",
        "--outcomes", "1NNN 2TNN 2NTN",
    )  # fmt: skip
    assert (out["stop"], out["mtd"]) == (True, 2)


def test_decide_human_output_names_the_dose_and_reason(capsys) -> None:
    assert run(["design", "decide", "--outcomes", "1NNN 2TTN"]) == 0
    text = capsys.readouterr().out
    assert "dose 1 (1e6 cells/kg)" in text and "Reason:" in text


def test_boundaries_json_is_the_published_table(capsys) -> None:
    out = run_json(capsys, "boundaries", "--design", "boin", "--target", "0.3", "--max-n", "30")
    assert out["lambda_e"] == pytest.approx(0.2365, abs=5e-5)
    assert out["lambda_d"] == pytest.approx(0.3585, abs=5e-5)
    assert len(out["escalate_if_dlt_le"]) == 30
    assert out["escalate_if_dlt_le"][:6] == [0, 0, 0, 0, 1, 1]
    assert out["deescalate_if_dlt_ge"][:6] == [1, 1, 2, 2, 2, 3]
    assert out["eliminate_if_dlt_ge"][:6] == [None, None, 3, 3, 4, 4]


def test_oc_exact_3_plus_3_matches_the_closed_form(capsys) -> None:
    p = 0.2
    out = run_json(
        capsys, "oc", "--design", "3+3", "--variant", "escalation-only", "--doses", "1",
        "--true-tox", str(p), "--exact",
    )  # fmt: skip
    assert out["prob_select"][1] == pytest.approx((1 - p) ** 3 + 3 * p * (1 - p) ** 5)
    assert {"expected_n", "expected_dlt", "expected_n_at_dose"} <= set(out)


def test_oc_simulated_reports_standard_errors(capsys) -> None:
    out = run_json(
        capsys, "oc", "--design", "boin", "--target", "0.3", "--max-n", "12",
        "--true-tox", "0.05,0.15,0.3", "--trials", "500", "--seed", "3",
    )  # fmt: skip
    assert out["trials"] == 500 and out["seed"] == 3
    assert len(out["se_prob_select"]) == 4
    assert out["se_expected_n"] >= 0


def test_oc_human_output(capsys) -> None:
    assert run(["design", "oc", "--true-tox", "0.05,0.15,0.3"]) == 0
    text = capsys.readouterr().out
    assert "P(selected as MTD)" in text and "no dose" in text


def test_paths_json_tree(capsys) -> None:
    out = run_json(capsys, "paths", "--cohorts", "2", "--true-tox", "0.05,0.15,0.3")
    assert [c["cohort"] for c in out["children"]] == ["1NNN", "1NNT", "1NTT", "1TTT"]
    assert sum(c["probability"] for c in out["children"]) == pytest.approx(1.0)
    assert out["children"][0]["children"][0]["cohort"] == "2NNN"


def test_paths_human_output_for_a_large_tree(capsys) -> None:
    argv = ["design", "paths", "--design", "boin", "--target", "0.3", "--max-n", "30",
            "--doses", "5", "--cohorts", "6", "--true-tox", "0.05,0.1,0.2,0.3,0.45"]  # fmt: skip
    assert run(argv) == 0
    assert "Cohort" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decide", "--outcomes", "1NXN"], "outcomes = '1NXN'"),
        (["decide", "--outcomes", "4NNN"], "not one of the doses 1..3"),
        (["boundaries", "--target", "1.5", "--max-n", "30"], "target = 1.5"),
        (["oc", "--doses", "3e6,1e6,1e7", "--true-tox", "0.1,0.2,0.3"], "doses[1]"),
        (["oc", "--true-tox", "0.1,0.2"], "true_tox"),
        (["oc", "--true-tox", "0.1,0.2,0.3", "--trials", "100"], "seed"),
        (
            ["decide", "--design", "crm", "--target", "0.3", "--max-n", "9", "--outcomes", "1NNN"],
            "skeleton",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(capsys, argv: list[str], message: str) -> None:
    assert run(["design", *argv]) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")
