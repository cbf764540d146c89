"""The twin report: calibration against the published targets and the arms at every dose."""

import contextlib
import io
import json
import math
import re
from html import unescape

import matplotlib.pyplot as plt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyposti.cli.main import run
from hyposti.errors import InputError
from hyposti.protocol import load_protocol
from hyposti.report.twin import EXPANSION_RULE_LABELS, read_twin_run, render_twin_html
from hyposti.report.twin_figures import calibration_rows
from hyposti.twin.evidence import twin_evidence
from hyposti.twin.operating import EXPANSION_RULES
from hyposti.twin.parameters import load_twin_parameters
from hyposti.virtual.parameters import load_parameters

PROTOCOL = load_protocol()


@pytest.fixture(scope="module")
def evidence():
    return twin_evidence(
        load_twin_parameters(), load_parameters(), PROTOCOL, seed=5, patients_per_cell=4,
        clinical_patients=500,
    ).to_dict()  # fmt: skip


def test_calibration_rows_hold_the_published_targets(evidence):
    rows = {r["figure"]: r for r in calibration_rows(evidence)}
    # Stein 2019 Table 2 and Feng 2018, read independently of the modules.
    assert rows["Cmax median, copies/ug"]["target"] == 24_000
    assert rows["Cmax log SD"]["target"] == pytest.approx(math.sqrt(2.4))
    assert rows["Tmax median, d"]["target"] == 9.3
    assert rows["AUC0-28 median, copies·d/ug"]["target"] == 172_000
    assert rows["ORR"]["target"] == pytest.approx(1 / 11)
    # The interval of a median is exp(+-1.96 SE) around it on the log scale.
    cmax = rows["Cmax median, copies/ug"]
    assert math.log(cmax["high"] / cmax["value"]) == pytest.approx(
        1.959964 * evidence["kinetic_fit"]["log_median_se"]["cmax"]
    )


def test_report_shows_every_dose_and_arm_and_three_figures(evidence):
    html = render_twin_html(evidence, PROTOCOL)
    for level, dose in ((1, "1e6"), (2, "3e6"), (3, "1e7")):  # the registry's three doses
        for arm in ("gated", "conventional"):
            assert re.search(rf"DL{level} \({dose}/kg\)</td><td>{arm}</td>", html)
    assert html.count("<svg") == 3
    assert 'id="calibration"' in html and 'id="comparison"' in html
    assert 'href="http' not in html and "<script" not in html  # namespaces only, nothing fetched


# Whole trials: `hyposti twin run --json` as the CLI prints it, small enough to run in seconds, with
# a seed at which the conventional CAR's trials split between dose levels 2 and 3 (0 < p < 1).
TRIALS, RUN_ARGS = 6, ("--seed", "3", "--patients", "9", "--workers", "0", "--json")


@pytest.fixture(scope="module")
def twin_run(tmp_path_factory):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run(["twin", "run", "--trials", str(TRIALS), *RUN_ARGS]) == 0
    path = tmp_path_factory.mktemp("run") / "run.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _estimate(cell: str) -> tuple[float, float]:
    value, se = cell.split(" ± ")
    return float(value), float(se)


def test_whole_trials_section_shows_the_runs_numbers(evidence, twin_run):
    data = json.loads(twin_run.read_text(encoding="utf-8"))
    html = render_twin_html(evidence, PROTOCOL, trials=read_twin_run("--trials", twin_run))
    section = html[html.index('<h2 id="trials">') :]
    assert html.count("<svg") == 4 and 'href="#trials"' in html
    tables = re.findall(r'<table class="trials">(.*?)</table>', section, re.S)
    assert len(tables) == len(data["results"]) == 2
    split = 0
    for table, result in zip(tables, data["results"], strict=True):
        assert result["scenario"] in section
        rows = [_cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]]
        for cells, dose in zip(rows, result["doses"], strict=False):
            assert cells[0].startswith(f"DL{dose['dose_level']} (")
            p, se = _estimate(cells[1])
            assert p == round(dose["p_select"], 3)
            # A proportion of M trials has SE sqrt(p (1 - p) / M) (Morris et al. 2019, Table 6).
            assert se == pytest.approx(math.sqrt(p * (1 - p) / TRIALS), abs=6e-4)
            split += 0 < p < 1
            assert _estimate(cells[2]) == pytest.approx(
                (dose["mean_patients"], dose["mean_patients_se"]), abs=5e-3
            )
            for cell, key in zip(
                cells[3:], ("orr", "pfs_6m", "crs_grade3plus", "dlt"), strict=True
            ):
                if dose[key] is None:
                    assert cell == "–"
                else:
                    assert _estimate(cell) == (round(dose[key], 3), round(dose[f"{key}_se"], 3))
        none = rows[-1]
        assert none[0] == "No dose selected" and len(rows) == len(result["doses"]) + 1
        assert _estimate(none[1]) == (round(result["p_no_mtd"], 3), round(result["p_no_mtd_se"], 3))
    assert split >= 2  # the SE check above met a proportion strictly between 0 and 1


# Six trials run with --expansion-rules: two stopped early (one by each rule), and one more in
# which monitoring fired only after the last infusion. Shares of 6 with SE sqrt(p (1 - p) / 6).
EXPANSION = {
    "p_stopped": 2 / 6, "p_stopped_se": math.sqrt(2 / 6 * 4 / 6 / 6),
    "rules": {
        "toxicity_monitoring": {"p": 2 / 6, "se": math.sqrt(2 / 6 * 4 / 6 / 6)},
        "simon_futility": {"p": 1 / 6, "se": math.sqrt(1 / 6 * 5 / 6 / 6)},
    },
}  # fmt: skip


def test_a_run_under_the_expansion_rules_shows_how_often_each_rule_fired(
    evidence, twin_run, tmp_path
):
    assert [rule for rule, _ in EXPANSION_RULE_LABELS] == list(EXPANSION_RULES)
    data = json.loads(twin_run.read_text(encoding="utf-8"))
    data["results"][1]["expansion"] = EXPANSION
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    html = render_twin_html(evidence, PROTOCOL, trials=read_twin_run("--trials", path))
    blocks = re.findall(r'<table class="trials expansion">(.*?)</table>', html, re.S)
    assert len(blocks) == 1  # only the scenario run under the rules
    assert html.index(data["results"][1]["scenario"]) < html.index(blocks[0])
    rows = [_cells(unescape(r)) for r in re.findall(r"<tr>(.*?)</tr>", blocks[0], re.S)[1:]]
    assert rows == [
        ["Enrolment stopped early", "0.333 ± 0.192"],
        ["Toxicity monitoring (Thall, Simon & Estey 1995) fired", "0.333 ± 0.192"],
        ["Simon's stage-1 futility (Simon 1989) fired", "0.167 ± 0.152"],
    ]
    assert "counts as not stopped" in html


def _broken(tmp_path, twin_run, edit) -> str:
    data = json.loads(twin_run.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / f"broken-{len(list(tmp_path.glob('broken-*')))}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_report_refuses_a_file_that_is_not_a_twin_run(twin_run, tmp_path, capsys):
    compare = tmp_path / "compare.json"
    compare.write_text(json.dumps({"seed": 1, "patients_per_cell": 2, "rows": []}), "utf-8")
    text = tmp_path / "notes.json"
    text.write_text("doses: 3\n", encoding="utf-8")
    cases = [
        (str(compare), "no key 'protocol'"),
        (_broken(tmp_path, twin_run, lambda d: d["results"][1]["doses"][2].pop("dlt_se")),
         "results[1].doses[2] has no key 'dlt_se'"),
        (_broken(tmp_path, twin_run, lambda d: d["results"][0].update(p_no_mtd="0.5")),
         "results[0].p_no_mtd = '0.5' must be a number"),
        (_broken(tmp_path, twin_run, lambda d: d["results"][0]["doses"][0].update(dose_level=[1])),
         "must be a number"),
        (_broken(tmp_path, twin_run, lambda d: d["results"][0].update(expansion={"rules": {}})),
         "results[0].expansion has no key 'p_stopped'"),
        (_broken(tmp_path, twin_run, lambda d: d["results"][0].update(
            expansion={**EXPANSION, "rules": {"toxicity_monitoring": {"p": 0, "se": 0}}})),
         "results[0].expansion.rules has no key 'simon_futility'"),
        (_broken(tmp_path, twin_run, lambda d: d["results"][0].update(expansion={
            **EXPANSION, "rules": {**EXPANSION["rules"], "simon_futility": {"p": 1.5, "se": 0}}})),
         "results[0].expansion.rules.simon_futility.p = 1.5 must be a number from 0 to 1"),
        (str(text), "is not valid JSON"),
        (str(tmp_path / "absent.json"), "no such file"),
    ]  # fmt: skip
    for path, rule in cases:
        assert run(["twin", "report", "-o", str(tmp_path / "r.html"), "--trials", path]) == 2
        err = capsys.readouterr().err
        assert "--trials" in err and path in err and rule in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


LEAF_VALUES = st.sampled_from(
    [None, True, 0, -1, 2, 0.5, 1.5, 1e308, -1e308, 2**70, "", "0.5", [], {}, [1], {"a": 1}]
)


def _leaf_paths(value, path=()):
    if isinstance(value, dict | list):
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            yield from _leaf_paths(item, (*path, key))
    yield path


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_a_mutated_run_is_refused_by_name_or_rendered(evidence, twin_run, tmp_path, data):
    """Any one value of a real run's JSON replaced: InputError, or a page that renders. Few
    examples: a whole page takes about 2 s (its kinetics figure most); 550 more mutations were run
    by hand while writing the checks (none crashed)."""
    run_data = json.loads(twin_run.read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from([p for p in _leaf_paths(run_data) if p]), label="path")
    parent = run_data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(LEAF_VALUES, label="value")
    mutated = tmp_path / "mutated.json"
    mutated.write_text(json.dumps(run_data), encoding="utf-8")
    try:
        checked = read_twin_run("--trials", mutated)
    except InputError as exc:
        assert str(mutated) in str(exc)
        return
    assert '<h2 id="trials">' in render_twin_html(evidence, PROTOCOL, trials=checked)
    plt.close("all")
