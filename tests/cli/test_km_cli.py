"""`hyposti km` on the Freireich 6-MP arm: R survfit's median and CI; bad rows named."""

import json

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
