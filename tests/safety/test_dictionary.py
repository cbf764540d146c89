"""The CTCAE v5.0 dictionary against the counts and texts NCI publishes (CTCAE_SOURCES.md)."""

from __future__ import annotations

from collections import Counter

import pytest

from hyposti.errors import InputError
from hyposti.safety.dictionary import (
    all_terms,
    closest_terms,
    lookup,
    lookup_meddra,
    system_organ_classes,
)


def test_837_terms_in_26_system_organ_classes():
    assert len(all_terms()) == 837
    assert len(system_organ_classes()) == 26
    assert len({t.meddra_code for t in all_terms()}) == 837


def test_not_available_grade_counts_match_the_provenance_note():
    # CTCAE_SOURCES.md: '-' counts per grade 192, 92, 87, 286, 343.
    counts = Counter(g for t in all_terms() for g in range(1, 6) if g not in t.available_grades)
    assert [counts[g] for g in range(1, 6)] == [192, 92, 87, 286, 343]


def test_lookup_returns_nci_texts():
    entry = lookup("platelet count decreased")
    assert entry.term == "Platelet count decreased"
    assert entry.soc == "Investigations"
    assert entry.grade_text(3) == "<50,000 - 25,000/mm3; <50.0 - 25.0 x 10e9 /L"
    assert entry.grade_text(5) == "-"
    crs = lookup("Cytokine release syndrome")
    assert crs.soc == "Immune system disorders"
    assert crs.grade_text(1) == "Fever with or without constitutional symptoms"
    assert lookup("Mucositis oral").soc == "Gastrointestinal disorders"


def test_meddra_code_lookup():
    assert lookup_meddra("10028130").term == "Mucositis oral"
    with pytest.raises(InputError):
        lookup_meddra("00000000")


def test_unknown_term_is_refused_with_closest_matches():
    with pytest.raises(InputError) as info:
        lookup("Mucositis orale")
    assert info.value.field == "term"
    assert "'Mucositis oral'" in str(info.value)
    assert closest_terms("Neutropenia")  # a common synonym still gets suggestions


def test_grade_not_available_for_the_term_is_refused():
    # Lymphocyte count increased: grade 1 is '-' in CTCAE v5.0.
    entry = lookup("Lymphocyte count increased")
    assert entry.available_grades == (2, 3)
    with pytest.raises(InputError, match="no grade 1"):
        entry.check_grade(1)
    assert entry.check_grade(3) == 3


@pytest.mark.parametrize("grade", [0, 6, -1, True, 2.5])
def test_grade_outside_1_to_5_is_refused(grade):
    with pytest.raises(InputError, match="1 to 5"):
        lookup("Anemia").check_grade(grade)
