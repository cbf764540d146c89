"""ASTCT ICANS grade against every row of Lee 2019 (BBMT 25:625) Tables 4-5 (adults)."""

from __future__ import annotations

import pytest

from hyposti.errors import InputError, RecordError
from hyposti.safety.icans import IcansObservation, grade_icans, ice_score

ROWS = [
    # ICE score row: 7-9 -> 1, 3-6 -> 2, 0-2 -> 3, 0 because unarousable -> 4.
    ({"ice_score": 9}, 1, "ICE score 9/10"),
    ({"ice_score": 7}, 1, "ICE score 7/10"),
    ({"ice_score": 6}, 2, "ICE score 6/10"),
    ({"ice_score": 3}, 2, "ICE score 3/10"),
    ({"ice_score": 2}, 3, "ICE score 2/10"),
    ({"ice_score": 0}, 3, "ICE score 0/10"),
    ({"ice_score": 0, "consciousness": "unarousable"}, 4, "ICE 0 because unarousable"),
    # Depressed level of consciousness row.
    ({"ice_score": 10, "consciousness": "awakens-spontaneously"}, 1, "awakens spontaneously"),
    ({"ice_score": 10, "consciousness": "awakens-to-voice"}, 2, "awakens to voice"),
    ({"ice_score": 10, "consciousness": "awakens-to-touch"}, 3, "tactile"),
    ({"consciousness": "unarousable"}, 4, "unarousable"),
    # Seizure row.
    ({"ice_score": 10, "seizure": "rapidly-resolving"}, 3, "resolving rapidly"),
    ({"ice_score": 10, "seizure": "prolonged-or-repetitive"}, 4, "> 5 min"),
    # Motor findings row.
    ({"ice_score": 10, "motor_weakness": True}, 4, "hemiparesis or paraparesis"),
    # Raised ICP / cerebral oedema row.
    ({"ice_score": 10, "icp": ("focal-oedema",)}, 3, "focal/local oedema"),
    ({"ice_score": 10, "icp": ("diffuse-oedema",)}, 4, "diffuse cerebral oedema"),
    ({"ice_score": 10, "icp": ("posturing",)}, 4, "posturing"),
    ({"ice_score": 10, "icp": ("cranial-nerve-vi-palsy",)}, 4, "cranial nerve VI"),
    ({"ice_score": 10, "icp": ("papilloedema",)}, 4, "papilloedema"),
    ({"ice_score": 10, "icp": ("cushings-triad",)}, 4, "Cushing's triad"),
    ({"ice_score": 10, "death_due_to_icans": True}, 5, "death due to ICANS"),
]


@pytest.mark.parametrize(("obs", "grade", "words"), ROWS)
def test_table_row(obs, grade, words):
    result = grade_icans(IcansObservation(**obs))
    assert result.grade == grade
    assert words in result.deciding_finding
    assert result.scale == "ASTCT 2019 ICANS"


def test_ice_10_and_nothing_else_is_no_icans():
    result = grade_icans(IcansObservation(ice_score=10))
    assert result.grade == 0
    assert "no ICANS" in result.deciding_finding


def test_most_severe_domain_decides():
    result = grade_icans(
        IcansObservation(ice_score=8, consciousness="awakens-to-voice", icp=("focal-oedema",))
    )
    assert result.grade == 3
    assert "focal" in result.deciding_finding


def test_ice_items_add_up_to_ten():
    # Lee 2019 Table 4: orientation 4, naming 3, commands 1, writing 1, attention 1.
    assert ice_score(4, 3, 1, 1, 1) == 10
    assert ice_score(2, 3, 1, 0, 0) == 6
    with pytest.raises(InputError) as info:
        ice_score(5, 3, 1, 1, 1)
    assert info.value.field == "orientation"


@pytest.mark.parametrize(
    ("obs", "field"),
    [
        ({}, "ice_score"),
        ({"ice_score": 11}, "ice_score"),
        ({"ice_score": 5, "consciousness": "unarousable"}, "ice_score"),
        ({"ice_score": 10, "icp": ("haemorrhage",)}, "icp[0]"),
    ],
)
def test_bad_observations_are_refused(obs, field):
    """The constructor refuses with a RecordError naming the one field at fault."""
    with pytest.raises(RecordError) as info:
        IcansObservation(**obs)
    assert [p.split(" = ")[0] for p in info.value.problems] == [field]
