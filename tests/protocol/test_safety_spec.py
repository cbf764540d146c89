"""The protocol's DLT section against the registry record and the CTCAE v5.0 dictionary."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from hyposti.protocol import load_protocol
from hyposti.protocol.safety_spec import DltSpec
from hyposti.safety.dictionary import all_terms, lookup, system_organ_classes


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_dlt_definition_is_the_registry_text_verbatim(registry_text):
    assert _squash(load_protocol().dlt.registry_text) in _squash(registry_text)


def test_window_and_relatedness_follow_the_registry():
    dlt = load_protocol().dlt
    assert (dlt.window_first_day, dlt.window_last_day) == (0, 28)
    assert dlt.related_product == "car_t"
    assert dlt.related_attributions == ("possible", "probable", "definite")
    assert [(c.id, c.min_grade) for c in dlt.clauses] == [
        ("crs_cres", 3),
        ("cutaneous_mucosal", 3),
        ("other", 4),
    ]


def test_clause_terms_and_socs_are_ctcae():
    socs = set(system_organ_classes())
    for clause in load_protocol().dlt.clauses:
        for term in clause.terms:
            assert lookup(term).term == term
        assert set(clause.socs) <= socs


def test_every_ctcae_mucositis_term_is_in_the_mucosal_clause():
    mucosal = next(c for c in load_protocol().dlt.clauses if c.id == "cutaneous_mucosal")
    mucositis = {t.term for t in all_terms() if "mucositis" in t.term.lower()}
    assert mucositis == set(mucosal.terms)


def _spec(**changes):
    data = load_protocol().dlt.model_dump() | changes
    return DltSpec.model_validate(data)


@pytest.mark.parametrize(
    "changes",
    [
        {"window_first_day": 30},
        {"related_attributions": []},
        {"related_attributions": ["likely"]},
        {"clauses": [{"id": "x", "label": "x", "min_grade": 3}]},
        {
            "clauses": [
                {"id": "a", "label": "a", "min_grade": 4, "catch_all": True},
                {"id": "b", "label": "b", "min_grade": 3, "terms": ["Anemia"]},
            ]
        },
        {
            "clauses": [
                {"id": "a", "label": "a", "min_grade": 3, "terms": ["Anemia"]},
                {"id": "a", "label": "b", "min_grade": 4, "catch_all": True},
            ]
        },
    ],
)
def test_malformed_dlt_sections_are_refused(changes):
    with pytest.raises(ValidationError):
        _spec(**changes)
