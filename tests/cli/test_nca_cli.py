"""`hyposti nca` on any concentration-time CSV; a negative concentration is named by row."""

import json
import math

import pytest

from hyposti.cli.main import run


def test_nca_json(tmp_path, capsys):
    path = tmp_path / "pk.csv"
    path.write_text("id,day,conc\nA,0,BLQ\nA,7,1000\nA,14,100\nA,28,10\n")
    code = run(["nca", str(path), "--time", "day", "--conc", "conc", "--lloq", "5",
                "--by", "id", "--json"])  # fmt: skip
    assert code == 0
    (profile,) = json.loads(capsys.readouterr().out)["profiles"]
    expected = 1000 * 7 / 2 + 900 * 7 / math.log(10) + 90 * 14 / math.log(10)
    assert profile["auc_0_28"] == pytest.approx(expected, rel=1e-12)
    assert (profile["cmax"], profile["tmax"], profile["tlast"]) == (1000, 7, 28)


def test_nca_negative_value(tmp_path, capsys):
    path = tmp_path / "pk.csv"
    path.write_text("subject_id,study_day,copies_per_ug,lloq\nA,0,0,5\nA,7,-100,5\n")
    assert run(["nca", str(path)]) == 2
    assert "pk.csv row 2 column 'copies_per_ug'" in capsys.readouterr().err


def test_nca_table_prints_three_significant_figures(tmp_path, capsys):
    path = tmp_path / "pk.csv"
    path.write_text("id,day,conc\nA,0,BLQ\nA,7,1000\nA,14,100\nA,28,10\n")
    assert run(["nca", str(path), "--time", "day", "--conc", "conc", "--lloq", "5",
                "--by", "id"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    # AUC0-28 = 3500 + 6300/ln 10 + 1260/ln 10 = 6,783.2 -> 6,780; the same for AUClast, and
    # for AUCall since the last sample (day 28) is quantifiable.
    assert "AUCall" in out and out.count("6,780") == 3 and "1,000" in out and "e+" not in out


@pytest.mark.parametrize(
    ("lloq", "rule"),
    [("-5", "copies/ug lie between 0 and 1e+07"), ("nan", "must be a number")],
)
def test_a_bad_lloq_number_names_the_option_not_a_row_of_the_file(lloq, rule, tmp_path, capsys):
    # The file has no 'lloq' column: '-5' is the number typed, and was blamed on "row 1".
    path = tmp_path / "pk.csv"
    path.write_text("id,day,conc\nA,0,BLQ\nA,7,1000\nA,14,100\n")
    argv = ["nca", str(path), "--time", "day", "--conc", "conc", "--by", "id", "--lloq", lloq]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert f"--lloq = '{lloq}': {rule}" in err and "row" not in err


@pytest.mark.parametrize(("cell", "given"), [("abc", "'abc'"), ("", "empty")])
def test_an_unreadable_lloq_cell_is_quoted_as_written(cell, given, tmp_path, capsys):
    # It was shown as "NaN: must be a number", the text of the cell lost.
    path = tmp_path / "pk.csv"
    path.write_text(f"subject_id,study_day,copies_per_ug,lloq\nA,0,0,5\nA,7,100,{cell}\n")
    assert run(["nca", str(path)]) == 2
    assert f"pk.csv row 2 column 'lloq': {given} is not a number" in capsys.readouterr().err
