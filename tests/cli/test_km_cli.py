"""`hyposti km` on the Freireich 6-MP arm: R survfit's median, CI and SE; bad rows named."""

import json
import math
from pathlib import Path

import pytest

from hyposti.cli.main import run

ROWS = [(6, 1), (6, 1), (6, 1), (6, 0), (7, 1), (9, 0), (10, 1), (10, 0), (11, 0), (13, 1),
        (16, 1), (17, 0), (19, 0), (20, 0), (22, 1), (23, 1), (25, 0), (32, 0), (32, 0), (34, 0),
        (35, 0)]  # fmt: skip


def write(tmp_path, rows):
    path = tmp_path / "mp6.csv"
    path.write_text("weeks,relapse\n" + "\n".join(f"{t},{e}" for t, e in rows) + "\n")
    return path


def test_km_json_matches_r(tmp_path, capsys):
    path = write(tmp_path, ROWS)
    code = run(["km", str(path), "--time", "weeks", "--event", "relapse", "--conf-type", "log",
                "--at", "10,40", "--json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["median"], out["median_lower"], out["median_upper"]) == (23, 16, None)
    assert out["at"][0]["n_at_risk"] == 15 and round(out["at"][0]["survival"], 3) == 0.753
    assert out["at"][1]["survival"] is None


def test_km_human_output_and_bad_row(tmp_path, capsys):
    path = write(tmp_path, ROWS)
    assert run(["km", str(path), "--time", "weeks", "--event", "relapse"]) == 0
    assert "median 23" in capsys.readouterr().out
    bad = write(tmp_path, [*ROWS[:3], (8, 2)])
    assert run(["km", str(bad), "--time", "weeks", "--event", "relapse"]) == 2
    err = capsys.readouterr().err
    assert "mp6.csv row 4 column 'relapse'" in err


def test_km_prints_the_greenwood_standard_error_of_the_example_file(capsys):
    # examples/km/six_mp_remission.csv is the Freireich 6-MP arm above. R
    # summary(survfit(Surv(weeks, relapse) ~ 1)) prints the SE of S(t) (Klein & Moeschberger
    # 2003, Table 4.1A); survfit's own `std.err` is the SE of the cumulative hazard, so the one
    # reported is S(t) * sqrt(sum d / (n (n - d))), rebuilt here by hand from (n at risk, deaths).
    risk_sets = {6: (21, 3), 7: (17, 1), 10: (15, 1), 13: (12, 1), 16: (11, 1), 22: (7, 1),
                 23: (6, 1)}  # fmt: skip
    r_summary = {6: 0.0764, 7: 0.0869, 10: 0.0963, 13: 0.1068, 16: 0.1141, 22: 0.1282,
                 23: 0.1346}  # fmt: skip
    path = Path(__file__).parents[2] / "examples" / "km" / "six_mp_remission.csv"
    times = ",".join(str(t) for t in risk_sets)
    args = ["km", str(path), "--time", "weeks", "--event", "relapse", "--at", times]
    assert run([*args, "--json"]) == 0
    rows = {row["time"]: row for row in json.loads(capsys.readouterr().out)["at"]}
    survival, greenwood = 1.0, 0.0
    for t, (n, d) in risk_sets.items():
        survival *= 1 - d / n
        greenwood += d / (n * (n - d))
        hand = survival * math.sqrt(greenwood)
        assert rows[t]["std_error"] == pytest.approx(hand, rel=1e-12)
        assert rows[t]["std_error"] == pytest.approx(r_summary[t], abs=5e-5)  # R prints 4 dp
    assert run(args) == 0
    text = capsys.readouterr().out
    assert "SE" in text and "0.1346" in text and "Greenwood" in text


def test_km_prints_ne_for_limits_not_estimable_and_nr_for_not_reached(tmp_path, capsys):
    # all five relapse at week 10: median 10, both limits NE (R prints NA, NA)
    path = write(tmp_path, [(10, 1)] * 5)
    assert run(["km", str(path), "--time", "weeks", "--event", "relapse"]) == 0
    assert "median 10 (95% CI NE–NE)" in " ".join(capsys.readouterr().out.split())
    # the 6-MP arm, log transform: the upper limit is not reached (R: 16, NA)
    path = write(tmp_path, ROWS)
    assert (
        run(["km", str(path), "--time", "weeks", "--event", "relapse", "--conf-type", "log"]) == 0
    )
    assert "median 23 (95% CI 16–NR)" in " ".join(capsys.readouterr().out.split())


def test_km_refuses_a_negative_or_undefined_time_to_read_survival_at(tmp_path, capsys):
    path = write(tmp_path, ROWS)
    for at, shown in (("-5", "-5.0"), ("nan", "NaN")):
        assert run(["km", str(path), "--time", "weeks", "--event", "relapse", "--at", at]) == 2
        err = " ".join(capsys.readouterr().err.split())
        assert f"at[0] = {shown}: a time must be a finite number >= 0" in err


@pytest.mark.parametrize(
    ("cell", "column", "said"),
    [
        ("-3,1", "weeks", "'-3' must be a finite number >= 0"),
        ("inf,1", "weeks", "'inf' must be a finite number >= 0"),
        ("nan,1", "weeks", "'nan' must be a finite number >= 0"),
        ("8,2", "relapse", "'2' must be 1 (event) or 0"),
        ("8,", "relapse", "empty must be 1 (event) or 0"),
    ],
)
def test_km_bad_cell_is_quoted_as_written_with_its_row(cell, column, said, tmp_path, capsys):
    # The cell was shown as NumPy's repr (np.int64(-3), np.float64(nan)), and an infinite time
    # passed the file check to be refused by the engine as 'time[3]', without file or row.
    path = tmp_path / "mp6.csv"
    path.write_text("weeks,relapse\n6,1\n6,0\n7,1\n" + cell + "\n", encoding="utf-8")
    assert run(["km", str(path), "--time", "weeks", "--event", "relapse"]) == 2
    err = capsys.readouterr().err
    assert f"mp6.csv row 4 column '{column}': {said}" in err and "np." not in err
