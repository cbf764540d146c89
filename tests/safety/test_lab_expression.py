"""The admiral fragment reader: R semantics (NA, precedence) and refusal of anything else."""

from __future__ import annotations

import json
import pickle
from importlib import resources

import pytest

from hyposti.errors import DataError
from hyposti.safety.lab_expression import first_true, parse_fragment


def _value(text: str, **env):
    (branch,) = parse_fragment(f'{text} ~ "1"', "test")
    return branch.test(env)


def test_every_shipped_fragment_parses():
    entries = json.loads(
        resources.files("hyposti.safety").joinpath("data/ctcae_v5_lab_grading.json").read_text()
    )
    fragments = [e[k] for e in entries for k in e if k.endswith("_CODE")]
    assert len(fragments) > 150
    for fragment in fragments:
        assert parse_fragment(fragment, "shipped")


def test_arithmetic_and_comparison():
    assert (
        _value(
            "signif(AVAL, signif_dig) > signif(2.5*ANRHI, signif_dig)",
            AVAL=101.0,
            ANRHI=40.0,
            signif_dig=15.0,
        )
        is True
    )
    assert _value("AVAL > ANRHI + 40", AVAL=215.0, ANRHI=175.0) is False
    assert _value("PCHG <= -75", PCHG=-75.0) is True


def test_r_three_valued_logic():
    # R: NA > 1 is NA; NA & FALSE is FALSE; NA | TRUE is TRUE; is.na(NA) is TRUE.
    assert _value("AVAL > 1", AVAL=None) is None
    assert _value("AVAL > 1 & ANRHI > 1", AVAL=None, ANRHI=0.0) is False
    assert _value("AVAL > 1 | ANRHI > 1", AVAL=None, ANRHI=2.0) is True
    assert _value("is.na(AVAL) | is.na(ANRHI)", AVAL=1.0, ANRHI=None) is True
    assert _value("!is.na(BASE)", BASE=None) is False


def test_not_binds_looser_than_comparison_and_in_is_never_na():
    assert _value("!(BNRIND %in% high_indicator)", BNRIND=None, high_indicator="HIGH") is True
    assert _value("!AVAL > 1", AVAL=2.0) is False


def test_case_when_takes_the_first_true_branch_and_skips_na():
    branches = parse_fragment(
        'AVAL > ANRHI ~ "2", AVAL > 1 ~ "1", is.na(AVAL) ~ NA_character_', "test"
    )
    assert first_true(branches, {"AVAL": 5.0, "ANRHI": None}).outcome == "1"
    assert first_true(branches, {"AVAL": None, "ANRHI": 1.0}).outcome is None


@pytest.mark.parametrize(
    "text",
    [
        'system("rm -rf /") ~ "1"',
        'AVAL > 1 ~ "1"; quit()',
        'eval(AVAL) ~ "1"',
        'LBORRES > 1 ~ "1"',
        "AVAL > 1 ~ AVAL",
        'AVAL > ~ "1"',
        'signif(AVAL) > 1 ~ "1"',
    ],
)
def test_anything_outside_the_grammar_is_refused(text):
    with pytest.raises(DataError):
        parse_fragment(text, "test")


def test_a_parsed_branch_survives_pickling_with_its_compiled_test():
    (branch,) = parse_fragment('signif(AVAL, signif_dig) < 0.5 ~ "4"', "test")
    copy = pickle.loads(pickle.dumps(branch))
    assert copy == branch
    assert copy.test({"AVAL": 0.4, "signif_dig": 15.0}) is True
