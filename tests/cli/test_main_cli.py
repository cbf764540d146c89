"""`hyposti.cli.main.run`: the machine's refusals and Ctrl-C end cleanly, with the shell's codes."""

import errno
import json
import os

import numpy as np

import hyposti.analysis.binomial as binomial
from hyposti.cli.main import run
from hyposti.cli.output import to_json


def test_ctrl_c_is_exit_130_without_traceback(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(binomial, "clopper_pearson", interrupted)
    assert run(["orr", "2", "30"]) == 130  # 128 + SIGINT (2), as a shell reports it
    assert "Traceback" not in capsys.readouterr().err


def test_a_refused_write_is_exit_2_naming_the_path(monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/out.json")

    monkeypatch.setattr(binomial, "clopper_pearson", full)
    assert run(["orr", "2", "30"]) == 2
    err = capsys.readouterr().err
    assert "/data/out.json" in err and "No space left on device" in err
    assert "Traceback" not in err


def test_markup_in_a_value_is_printed_as_text(capsys):
    assert run(["calendar", "--infusion-date", "[/x]"]) == 2
    err = capsys.readouterr().err
    assert "'[/x]'" in err and "must be a date YYYY-MM-DD" in err


def test_json_output_writes_non_finite_numbers_as_null():
    # RFC 8259 has no NaN or Infinity; json.dumps(allow_nan=False) would raise on them.
    payload = {"a": float("-inf"), "b": [np.float64("nan"), np.array([1.5, np.inf])], "c": (2,)}
    assert json.loads(to_json(payload)) == {"a": None, "b": [None, [1.5, None]], "c": [2]}


def test_a_value_of_the_wrong_type_is_quoted_in_the_usage_error(capsys):
    # Typer printed only pydantic's rule: "Invalid value for '--dose-level': Input should be a
    # valid integer, ..." without the 2.5 typed.
    assert run(["dose", "--weight-kg", "62", "--dose-level", "2.5"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Invalid value for '--dose-level': '2.5': Input should be a valid integer" in err
    assert run(["orr", "two", "30"]) == 2
    assert "Invalid value for 'responders': 'two': " in " ".join(capsys.readouterr().err.split())
    # a rule that quotes the value already keeps it once, and loses pydantic's "Value error, "
    assert run(["dose", "--weight-kg", "62", "--dose-level", "2", "--bsa-formula", "foo"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'--bsa-formula': 'foo' is not one of 'mosteller', 'dubois'" in err
