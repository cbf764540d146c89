"""The outcome notation: parsing, formatting, tallies and the errors that name the bad cohort."""

import numpy as np
import pytest

from hyposti.design.outcomes import Cohort, format_outcomes, parse_outcomes, tally
from hyposti.errors import InputError


def test_parse_reads_dose_and_each_patient() -> None:
    cohorts = parse_outcomes("1NNN 2NTN", num_doses=3)
    assert cohorts == (
        Cohort(dose=1, dlts=(False, False, False)),
        Cohort(dose=2, dlts=(False, True, False)),
    )
    assert cohorts[1].num_dlts == 1


def test_format_round_trips() -> None:
    text = "1NNN 2NTN 2TTN 10N"
    assert format_outcomes(parse_outcomes(text, num_doses=10)) == text


def test_empty_history_is_no_cohorts() -> None:
    assert parse_outcomes("  ", num_doses=3) == ()


def test_tally_counts_patients_and_dlts_per_dose() -> None:
    n, y = tally(parse_outcomes("1NNN 2NTN 2TTN", 3), 3)
    assert n.tolist() == [3, 6, 0]
    assert y.tolist() == [0, 3, 0]
    assert isinstance(n, np.ndarray)


@pytest.mark.parametrize("bad", ["1NXN", "NNN", "1", "1nnn x", "2N-N"])
def test_bad_cohort_string_names_the_token(bad: str) -> None:
    with pytest.raises(InputError) as err:
        parse_outcomes(bad, num_doses=3)
    assert err.value.field == "outcomes"


@pytest.mark.parametrize("bad", ["0NNN", "4NNN"])
def test_dose_outside_range_is_refused(bad: str) -> None:
    with pytest.raises(InputError, match=r"not one of the doses 1\.\.3"):
        parse_outcomes(bad, num_doses=3)


def test_tally_refuses_a_constructed_cohort_at_a_missing_dose() -> None:
    with pytest.raises(InputError, match=r"cohorts\[0\]\.dose"):
        tally([Cohort(dose=5, dlts=(False,))], num_doses=3)
