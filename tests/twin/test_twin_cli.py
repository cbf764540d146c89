"""`hyposti twin run|compare` from the command line: JSON only with --json, errors without
tracebacks."""

import json

import pytest

from hyposti.cli.main import run


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert run(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_run_reports_every_dose_with_its_se(capsys, tmp_path):
    out = run_json(
        capsys, "twin", "run", "--trials", "2", "--seed", "3", "--patients", "1",
        "--workers", "0", "--dataset", str(tmp_path / "ds"), "--json",
    )  # fmt: skip
    assert [r["scenario"] for r in out["results"]] == ["gated CAR", "conventional CAR"]
    for r in out["results"]:
        assert r["trials"] == 2
        assert [d["dose_level"] for d in r["doses"]] == [1, 2, 3]
        for d in r["doses"]:
            for key in ("orr", "pfs_6m", "crs_grade3plus", "dlt", "p_select"):
                assert f"{key}_se" in d
    assert (tmp_path / "ds" / "subjects.parquet").is_file()


def test_compare_puts_the_arms_side_by_side(capsys):
    out = run_json(capsys, "twin", "compare", "--patients", "2", "--seed", "4", "--json")
    assert [(r["dose_level"], r["arm"]) for r in out["rows"]] == [
        (d, arm) for d in (1, 2, 3) for arm in ("gated", "conventional")
    ]
    assert all(r["patients"] == 2 for r in out["rows"])


def test_bad_input_is_a_message(capsys):
    assert run(["twin", "run", "--trials", "2", "--seed", "1", "--workers", "-1"]) == 2
    assert "--workers" in capsys.readouterr().err
    assert run(["twin", "run", "--trials", "1", "--seed", "1", "--workers", "0"]) == 2
    assert "trials" in capsys.readouterr().err


def test_report_writes_html_and_results(capsys, tmp_path):
    html, results, trials = tmp_path / "twin.html", tmp_path / "twin.json", tmp_path / "run.json"
    assert run(["twin", "run", "--trials", "2", "--seed", "3", "--patients", "1", "--workers",
                "0", "--json"]) == 0  # fmt: skip
    trials.write_text(capsys.readouterr().out, encoding="utf-8")
    out = run_json(
        capsys, "twin", "report", "-o", str(html), "--patients", "2", "--seed", "3",
        "--results", str(results), "--trials", str(trials), "--json",
    )  # fmt: skip
    assert out == {"html": str(html), "results": str(results)}
    page = html.read_text(encoding="utf-8")
    assert "Gated vs conventional CAR" in page
    assert "Whole trials through the protocol" in page and "conventional CAR: 2 trials" in page
    assert json.loads(results.read_text(encoding="utf-8"))["patients_per_cell"] == 2
    assert run(["twin", "report", "-o", str(html)]) == 2  # exists, no --force
    assert "already exists" in capsys.readouterr().err
    assert run(["twin", "report", "-o", str(tmp_path / "x.pdf")]) == 2
    assert ".html" in capsys.readouterr().err


def test_run_with_the_expansion_rules_counts_the_stops(capsys):
    out = run_json(
        capsys, "twin", "run", "--trials", "2", "--seed", "3", "--workers", "0",
        "--expansion-rules", "--json",
    )  # fmt: skip
    from hyposti.twin.sweep import trial_seed
    from hyposti.twin.trial import simulate_twin_trial, twin_model

    for r in out["results"]:
        # The sweep's share is that of the same two trials run directly through the engine.
        model = twin_model(gated=r["gated"])
        trials = [
            simulate_twin_trial(trial_seed(3, t), model, expansion_rules=True) for t in range(2)
        ]
        stopped = [any(s.enrolment_stopped for s in t.expansion_stops) for t in trials]
        assert r["expansion"]["p_stopped"] == sum(stopped) / 2
        assert set(r["expansion"]["rules"]) == {"toxicity_monitoring", "simon_futility"}
    assert run(["twin", "run", "--trials", "2", "--seed", "3", "--patients", "5",
                "--workers", "0", "--expansion-rules"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "expansion_rules" in err and "leave patients unset" in err
