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
