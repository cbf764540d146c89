"""CARTOX CRES grade against every row of Neelapu 2018 (Nat Rev Clin Oncol 15:47) Table 3."""

from __future__ import annotations

import pytest

from hyposti.errors import InputError, RecordError
from hyposti.safety.cres import CresObservation, cartox10_score, grade_cres

ROWS = [
    # Neurological assessment score (CARTOX-10) row.
    ({"cartox10": 9}, 1, "CARTOX-10 score 9/10"),
    ({"cartox10": 7}, 1, "CARTOX-10 score 7/10"),
    ({"cartox10": 6}, 2, "CARTOX-10 score 6/10"),
    ({"cartox10": 3}, 2, "CARTOX-10 score 3/10"),
    ({"cartox10": 2}, 3, "CARTOX-10 score 2/10"),
    ({"cartox10": 0}, 3, "CARTOX-10 score 0/10"),
    ({"obtunded": True}, 4, "obtunded"),
    # Raised intracranial pressure row.
    ({"cartox10": 10, "papilloedema_stage": 1}, 3, "papilloedema stage 1"),
    ({"cartox10": 10, "papilloedema_stage": 2}, 3, "papilloedema stage 2"),
    ({"cartox10": 10, "papilloedema_stage": 3}, 4, "papilloedema stage 3"),
    ({"cartox10": 10, "papilloedema_stage": 5}, 4, "papilloedema stage 5"),
    ({"cartox10": 10, "csf_opening_pressure_mmhg": 18}, 3, "raised CSF opening pressure 18"),
    ({"cartox10": 10, "csf_opening_pressure_mmhg": 20}, 4, "CSF opening pressure 20 mmHg"),
    ({"cartox10": 10, "cerebral_oedema": True}, 4, "cerebral oedema"),
    # Seizures or motor weakness row.
    ({"cartox10": 10, "seizure": "partial"}, 3, "partial seizure"),
    ({"cartox10": 10, "seizure": "non-convulsive-benzodiazepine-responsive"}, 3, "benzodiazepine"),
    ({"cartox10": 10, "seizure": "generalised"}, 4, "generalised seizure"),
    ({"cartox10": 10, "seizure": "convulsive-status"}, 4, "convulsive status epilepticus"),
    ({"cartox10": 10, "seizure": "non-convulsive-status"}, 4, "non-convulsive status"),
    ({"cartox10": 10, "motor_weakness": True}, 4, "motor weakness"),
]


@pytest.mark.parametrize(("obs", "grade", "words"), ROWS)
def test_table_row(obs, grade, words):
    result = grade_cres(CresObservation(**obs))
    assert result.grade == grade
    assert words in result.deciding_finding
    assert result.scale == "CARTOX CRES"


def test_normal_csf_pressure_is_not_a_finding():
    result = grade_cres(CresObservation(cartox10=10, csf_opening_pressure_mmhg=12))
    assert result.grade == 0


def test_most_severe_row_decides():
    result = grade_cres(CresObservation(cartox10=5, papilloedema_stage=1, seizure="generalised"))
    assert result.grade == 4
    assert "generalised" in result.deciding_finding


def test_cartox10_items_add_up_to_ten():
    # Neelapu 2018: orientation 5, naming 3, writing 1, counting backwards 1.
    assert cartox10_score(5, 3, 1, 1) == 10
    assert cartox10_score(3, 2, 1, 0) == 6
    with pytest.raises(InputError) as info:
        cartox10_score(5, 4, 1, 1)
    assert info.value.field == "naming"


@pytest.mark.parametrize(
    ("obs", "field"),
    [
        ({}, "cartox10"),
        ({"cartox10": 11}, "cartox10"),
        ({"cartox10": 5, "obtunded": True}, "cartox10"),
        ({"cartox10": 10, "papilloedema_stage": 6}, "papilloedema_stage"),
        ({"cartox10": 10, "seizure": "absence"}, "seizure"),
    ],
)
def test_bad_observations_are_refused(obs, field):
    """The constructor refuses with a RecordError naming the one field at fault."""
    with pytest.raises(RecordError) as info:
        CresObservation(**obs)
    assert [p.split(" = ")[0] for p in info.value.problems] == [field]
