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
        (["decide", "--outcomes", "1NNN", "--cohort-size", "0"], "cohort_size = 0: must be >= 1"),
        (
            ["oc", "--true-tox", "0.1,0.2,0.3", "--trials", "1000000000000", "--seed", "1"],
            "simulate 2..10,000,000 trials",
        ),
        (["boundaries", "--target", "0.3", "--max-n", "10000000"], "1..1000 patients"),
        (["simon", "--p0", "0.1", "--p1", "0.3", "--stages", "1/10"], "R1/N1,R/N"),
        (
            ["simon", "--p0", "0.1", "--p1", "0.3", "--stages", "1/10,4/21", "--alpha", "0.05"],
            "--stages evaluates a given design",
        ),
        (["simon", "--p0", "0.3", "--p1", "0.1", "--alpha", "0.05", "--beta", "0.2"], "p1 = 0.1"),
        (["simon", "--p0", "0.1", "--p1", "0.3", "--alpha", "0.05"], "needs --alpha and --beta"),
        (["monitor", "--prior", "1"], "two beta parameters"),
        (["monitor", "--theta", "1.5"], "theta = 1.5"),
        (["monitor", "--max-n", "5000"], "1..1000 patients"),
        (["monitor", "--true-tox", "2"], "true_tox = 2"),
        (["monitor", "--outcomes", "NNXT"], "one letter per patient"),
        (["monitor", "--trials", "100", "--seed", "1"], "simulation needs --true-tox"),
        (["monitor", "--true-tox", "0.3", "--trials", "100"], "both --trials N and --seed S"),
        (["monitor", "--max-n", "3", "--outcomes", "NNNN"], "more patients than max_n = 3"),
    ],
)
def test_bad_input_gets_a_clear_error(capsys, argv: list[str], message: str) -> None:
    assert run(["design", *argv]) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_decide_answers_an_incomplete_cohort_as_r_escalation_does(capsys) -> None:
    # R escalation: get_three_plus_three(num_doses = 3) %>% fit("1N") -> dose 1, continue TRUE.
    out = run_json(capsys, "decide", "--outcomes", "1N")
    assert (out["next_dose"], out["stop"]) == (1, False)
    assert out["reason"].startswith("cohort incomplete: 1 of 3 evaluable")


def test_decide_flags_a_skipped_dose(capsys) -> None:
    out = run_json(capsys, "decide", "--outcomes", "1NNN 3NNN")
    assert len(out["deviations"]) == 1
    assert "escalation goes one level at a time" in out["deviations"][0]
    assert run(["design", "decide", "--outcomes", "1NNN 3NNN"]) == 0
    assert "Deviation:" in capsys.readouterr().out


def test_simon_search_prints_simons_published_designs(capsys) -> None:
    # Simon 1989 Table 1, p0 0.05, p1 0.25, alpha 0.05, beta 0.2: optimal 0/9, 2/17 (EN 11.9,
    # PET 0.63), minimax 0/12, 2/16 (EN 13.8, PET 0.54); PET of 0/9 = 0.95^9, of 0/12 = 0.95^12.
    out = run_json(
        capsys, "simon", "--p0", "0.05", "--p1", "0.25", "--alpha", "0.05", "--beta", "0.2"
    )
    optimal, minimax = out["optimal"], out["minimax"]
    assert [optimal[k] for k in ("r1", "n1", "r", "n")] == [0, 9, 2, 17]
    assert [minimax[k] for k in ("r1", "n1", "r", "n")] == [0, 12, 2, 16]
    assert optimal["pet_p0"] == pytest.approx(0.95**9, abs=1e-12)
    assert optimal["en_p0"] == pytest.approx(9 + 8 * (1 - 0.95**9), abs=1e-12)
    assert minimax["pet_p0"] == pytest.approx(0.95**12, abs=1e-12)
    assert optimal["alpha"] < 0.05 and optimal["power"] > 0.8


def test_simon_stages_evaluates_one_design(capsys) -> None:
    out = run_json(capsys, "simon", "--p0", "0.1", "--p1", "0.3", "--stages", "1/10,5/29")
    # PET = P(X <= 1 | 10, 0.1) = 0.9^10 + 10 (0.1) 0.9^9 = 0.7361; EN = 10 + 19 (1 - PET).
    pet = 0.9**10 + 10 * 0.1 * 0.9**9
    assert out["pet_p0"] == pytest.approx(pet, abs=1e-12)
    assert out["en_p0"] == pytest.approx(10 + 19 * (1 - pet), abs=1e-12)
    assert {"alpha", "power"} <= set(out)


def test_simon_without_options_uses_the_protocol_reading(capsys) -> None:
    assert run(["design", "simon"]) == 0
    text = capsys.readouterr().out
    assert "p0 = 0.1, p1 = 0.35" in text and "1 of 10" in text and "4 of 21" in text


def test_monitor_prints_the_boundary_and_its_exact_stopping_probability(capsys) -> None:
    out = run_json(
        capsys, "monitor", "--prior", "1,1", "--theta", "0.33", "--threshold", "0.9",
        "--max-n", "5", "--true-tox", "0.5",
    )  # fmt: skip
    # Beta(1,1): k DLTs of k give P(p > 0.33) = 1 - 0.33^(k+1): 0.891 for k = 1 (no stop),
    # 0.964 for k = 2 (stop). 2 of 3: Beta(3,2), P = 1 - (4 x^3 (1-x) + x^4) at x = 0.33 = 0.892
    # (no stop); 3 of 4: Beta(4,2), 0.956 (stop); 2 of 4: Beta(3,3), 0.795; 3 of 5: Beta(4,3),
    # 0.903 (stop): the table is (none, 2, 3, 3, 3).
    assert out["stop_if_dlt_ge"] == [None, 2, 3, 3, 3]
    # At p = 1/2 every sequence has probability 2^-n: stop at n=2 by TT (1/4); at n=4 by NTT+T or
    # TNT+T (2/16); at n=5 by the 5 four-patient sequences with 2 DLTs not starting TT, then T
    # (5/32). P(stop) = 1/4 + 1/8 + 5/32 = 17/32; E[N] = 2/4 + 4/8 + 5 (5/32) + 5 (15/32) = 4.125.
    assert out["prob_stop"] == pytest.approx(17 / 32, abs=1e-12)
    assert out["expected_n"] == pytest.approx(4.125, abs=1e-12)


def test_monitor_without_options_uses_the_protocol_rule(capsys) -> None:
    out = run_json(capsys, "monitor")
    assert (out["prior_a"], out["prior_b"], out["theta"], out["threshold"], out["max_n"]) == (
        0.5, 1.5, 0.33, 0.9, 21,
    )  # fmt: skip
    assert len(out["stop_if_dlt_ge"]) == 21 and "prob_stop" not in out
    assert run(["design", "monitor", "--true-tox", "0.4"]) == 0
    assert "P(stop early)" in capsys.readouterr().out


def test_monitor_tells_where_a_cohort_stands_and_its_first_crossing(capsys) -> None:
    out = run_json(
        capsys, "monitor", "--prior", "1,1", "--theta", "0.33", "--threshold", "0.9",
        "--max-n", "10", "--outcomes", "TNTTN N",
    )  # fmt: skip
    # 3 DLTs by the 4th patient: Beta(4, 2), P(p > 0.33) = 0.956 > 0.9 (see the table above);
    # now 3 of 6: Beta(4, 4), P = 1 - sum_{j=4..7} C(7,j) 0.33^j 0.67^(7-j)
    # = 1 - (0.12484 + 0.03690 + 0.00606 + 0.00043) = 0.832, below 0.9.
    assert (out["crossing"]["n"], out["crossing"]["dlts"]) == (4, 3)
    assert (out["decision"]["n"], out["decision"]["dlts"], out["decision"]["stop"]) == (
        6, 3, False,
    )  # fmt: skip
    assert out["decision"]["posterior_prob_exceeds"] == pytest.approx(0.832, abs=5e-4)


def test_monitor_simulation_sits_beside_the_exact_figures(capsys) -> None:
    out = run_json(capsys, "monitor", "--true-tox", "0.4", "--trials", "20000", "--seed", "5")
    sim = out["simulation"]
    assert abs(sim["prob_stop"] - out["prob_stop"]) < 4 * sim["se_prob_stop"]
    assert abs(sim["expected_n"] - out["expected_n"]) < 4 * sim["se_expected_n"]


def test_a_rare_path_is_not_printed_as_probability_zero(capsys):
    # 3/3 DLTs at dose 1 when its true rate is 0.01: 0.01^3 = 1e-6 by hand, not "0.0000"
    assert run(["design", "paths", "--cohorts", "1", "--true-tox", "0.01,0.15,0.3"]) == 0
    out = capsys.readouterr().out
    assert "1TTT (p = 1.0e-06)" in out and "1NNN (p = 0.9703)" in out  # 0.99^3 = 0.970299
