"""`hyposti demo`: rules in force, exact operating characteristics, and a whole simulated trial."""

import json

import pytest

from hyposti.cli.main import run
from hyposti.data import read_dataset


def _passes(p: float) -> float:
    """P(a 3+3 escalates past a dose with DLT probability p) = (1-p)^3 + 3p(1-p)^5 (Storer 1989)."""
    return (1 - p) ** 3 + 3 * p * (1 - p) ** 5


def test_demo_json_carries_rules_oc_trial_and_report(tmp_path, capsys):
    assert run(["demo", "--seed", "7", "-o", str(tmp_path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)

    assert payload["design"]["variant"] == "conventional"
    rows = payload["design_comparison"]
    assert {r["design"] for r in rows} == {
        "3+3 conventional",
        "3+3 registry-literal",
        "3+3 escalation-only",
        "BOIN 0.25",
        "CRM 0.25",
    }
    for row in rows:
        assert sum(row["prob_select"]) == pytest.approx(1, abs=1e-12)

    # Escalation-only 3+3 on three doses, in closed form from the pass probabilities.
    row = next(
        r
        for r in rows
        if r["design"] == "3+3 escalation-only" and r["scenario"] == "working priors"
    )
    q1, q2, q3 = (_passes(p) for p in row["true_tox"])
    expected = [1 - q1, q1 * (1 - q2), q1 * q2 * (1 - q3), q1 * q2 * q3]
    assert row["prob_select"] == pytest.approx(expected, abs=1e-12)

    ds = read_dataset(payload["dataset"])
    infused = int(ds.subjects["infusion_date"].notna().sum())
    assert infused == payload["headline"]["orr_confirmed"]["n"]
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert payload["report"].endswith("report.html") and "<svg" in report


def test_demo_prints_the_rules_tables_and_where_the_report_is(tmp_path, capsys):
    assert run(["demo", "--seed", "7", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "less than or equal to 2 DLT among 6" in out
    assert "working priors: true DLT rates 5.0%, 15.0%, 27.5%" in out
    assert "Confirmed ORR (RECIST 1.1)" in out
    assert str(tmp_path / "report.html") in out
