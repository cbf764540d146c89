"""`hyposti orr`: exact CI as scipy computes it; bad counts exit 2 with a message."""

import json

import pytest
from scipy.stats import binomtest

from hyposti.cli.main import run


def test_orr_json(capsys):
    assert run(["orr", "3", "19", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ci = binomtest(3, 19).proportion_ci(method="exact")
    assert out["rate"] == pytest.approx(3 / 19)
    assert (out["lower"], out["upper"]) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_orr_human_and_error(capsys):
    assert run(["orr", "1", "11"]) == 0
    assert "1/11 = 9.1%" in capsys.readouterr().out
    assert run(["orr", "7", "6"]) == 2
    assert "cannot exceed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-1", "10"], "responders = -1: must be a whole number >= 0"),
        (["2", "-3"], "n = -3: must be a whole number >= 0"),
        (["11", "10"], "responders = 11: cannot exceed the number of patients n = 10"),
    ],
)
def test_a_negative_or_excess_count_names_the_argument_and_the_rule(capsys, args, message):
    # "-1" once read as an unknown option; it must reach the binomial rule
    assert run(["orr", *args]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert message in err and "Traceback" not in err


def test_a_mistyped_option_is_named_as_one(capsys):
    # Unknown options pass the parser (for "-1"), so "--levle 0.9" was reported as
    # "Got unexpected extra argument(s) (--levle 0.9)".
    assert run(["orr", "2", "30", "--levle", "0.9"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "No such option: --levle (Possible options: --level)" in err
    assert run(["orr", "2", "30", "5"]) == 2
    assert "unexpected extra argument(s) (5)" in capsys.readouterr().err
