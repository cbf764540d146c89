"""Dates typed on the command line: every date option reads them one way and refuses them alike."""

from pathlib import Path

import pytest

from hyposti.cli.main import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _argv(option: str, value: str, tmp_path: Path) -> list[str]:
    return {
        "--infusion-date": ["calendar", "--infusion-date", value],
        "--first-dose-date": [
            "calendar", "--infusion-date", "2027-03-01", "--first-dose-date", value
        ],
        "screen --today": ["screen", str(EXAMPLES / "screening/eligible.json"), "--today", value],
        "dlt --today": ["dlt", str(EXAMPLES / "dlt/dose_level_1_cohort.json"), "--today", value],
        "--as-of": ["simulate-trial", "--seed", "1", "-o", str(tmp_path / "t"), "--as-of", value],
    }[option]  # fmt: skip


OPTIONS = ["--infusion-date", "--first-dose-date", "screen --today", "dlt --today", "--as-of"]


@pytest.mark.parametrize("option", OPTIONS)
def test_a_day_not_on_the_calendar_is_told_so(option, tmp_path, capsys):
    # 2026 is not a leap year. The message asked for "a date YYYY-MM-DD", the form already given
    # (dlt: "a date is written YYYY-MM-DD"; simulate-trial: "does not match the formats").
    assert run(_argv(option, "2026-02-29", tmp_path)) == 2
    err = " ".join(capsys.readouterr().err.split())
    name = option.split()[-1]
    assert f"{name} = '2026-02-29': is not a day of the calendar: day is out of range" in err
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("option", OPTIONS)
def test_a_date_in_another_form_is_asked_for_as_yyyy_mm_dd(option, tmp_path, capsys):
    assert run(_argv(option, "01/03/2027", tmp_path)) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{option.split()[-1]} = '01/03/2027': must be a date YYYY-MM-DD" in err
