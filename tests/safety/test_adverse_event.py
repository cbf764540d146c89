"""The adverse-event record: CTCAE term and grade checks, scales, dates, attributions."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from hyposti.errors import InputError
from hyposti.safety.adverse_event import AdverseEvent

ATTRIBUTION = {"car_t": "possible", "nab_paclitaxel": "unrelated", "cyclophosphamide": "unlikely"}


def _event(**changes):
    data = {
        "term": "Mucositis oral",
        "grade": 3,
        "onset": "2026-03-10",
        "serious": False,
        "attribution": ATTRIBUTION,
    } | changes
    return AdverseEvent.model_validate(data)


def test_term_is_normalised_and_soc_derived():
    event = _event(term="mucositis ORAL")
    assert event.term == "Mucositis oral"
    assert event.soc == "Gastrointestinal disorders"
    assert event.scale == "CTCAE v5.0"
    assert event.attribution["car_t"] == "possible"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"grade": 6}, "less than or equal to 5"),
        ({"grade": 0}, "greater than or equal to 1"),
        ({"term": "Mucositis"}, "not a CTCAE v5.0 term"),
        # CTCAE v5.0: Lymphocyte count increased has no grade 1 ('-').
        ({"term": "Lymphocyte count increased", "grade": 1}, "no grade 1"),
        ({"resolution": "2026-03-09"}, "resolution precedes onset"),
        ({"scale": "ASTCT 2019 CRS"}, "Cytokine release syndrome"),
        ({"scale": "Lee 2014"}, "ASTCT 2019 CRS"),
        ({"attribution": ATTRIBUTION | {"car_t": "maybe"}}, "probable"),
        ({"attribution": {"CAR-T": "possible"}}, "string_pattern_mismatch|pattern"),
        ({"attribution": {}}, "at least 1 item"),
    ],
)
def test_bad_records_are_refused_naming_the_problem(changes, words):
    with pytest.raises(ValidationError, match=words):
        _event(**changes)


def test_consensus_scales_take_their_syndrome_terms():
    crs = _event(term="Cytokine release syndrome", scale="ASTCT 2019 CRS", grade=4)
    assert crs.soc == "Immune system disorders"
    icans = _event(term="Encephalopathy", verbatim="ICANS", scale="ASTCT 2019 ICANS", grade=3)
    assert icans.soc == "Nervous system disorders"


def test_dates_after_today_are_refused():
    event = _event(resolution="2026-03-20")
    event.check_not_after(dt.date(2026, 3, 20))
    with pytest.raises(InputError) as info:
        event.check_not_after(dt.date(2026, 3, 15), "adverse_events[0].")
    assert info.value.field == "adverse_events[0].resolution"
