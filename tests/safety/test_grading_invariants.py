"""Invariants every grading rule must keep, checked over generated inputs (hypothesis).

CTCAE v5.0 grades are ordered bands: moving a lab value further in the abnormal direction never
lowers its grade; ASTCT and CARTOX grades are the maximum over their domains, so adding a finding
never lowers the grade (Lee 2019 Tables 3 and 5; Neelapu 2018 Table 3).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.safety.crs import OXYGEN_GRADE, CrsObservation, grade_crs
from hyposti.safety.icans import IcansObservation, grade_icans
from hyposti.safety.lab_grading import grade_lab, lab_criteria

CRITERIA = [c for c in lab_criteria() if c.name != "Fibrinogen decreased"]  # baseline-relative


def _unit(criterion) -> str:
    return criterion.unit or "U/L"


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(0, len(CRITERIA) - 1),
    a=st.floats(0.01, 500, allow_nan=False),
    b=st.floats(0.01, 500, allow_nan=False),
)
def test_lab_grade_is_monotone_in_the_abnormal_direction(index, a, b):
    criterion = CRITERIA[index]
    limits = {"lln": 1.0, "uln": 2.0, "baseline": 1.5}
    low, high = sorted((a, b))
    g_low = grade_lab(criterion.name, low, _unit(criterion), **limits).grade
    g_high = grade_lab(criterion.name, high, _unit(criterion), **limits).grade
    if criterion.direction == "H":
        assert g_high >= g_low
    else:
        assert g_low >= g_high


@settings(max_examples=200, deadline=None)
@given(
    temperature=st.floats(38.0, 41.0),
    vasopressors=st.integers(0, 3),
    oxygen=st.sampled_from(sorted(OXYGEN_GRADE)),
)
def test_crs_grade_is_the_worse_of_hypotension_and_hypoxia(temperature, vasopressors, oxygen):
    obs = CrsObservation(
        temperature_c=temperature,
        hypotension=vasopressors > 0,
        vasopressors=vasopressors,
        oxygen=oxygen,
    )
    hypotension = {0: 0, 1: 3, 2: 4, 3: 4}[vasopressors]
    assert grade_crs(obs).grade == max(1, hypotension, OXYGEN_GRADE[oxygen])


@settings(max_examples=200, deadline=None)
@given(
    ice=st.integers(0, 10),
    motor=st.booleans(),
    seizure=st.sampled_from(["none", "rapidly-resolving", "prolonged-or-repetitive"]),
)
def test_adding_a_finding_never_lowers_icans(ice, motor, seizure):
    base = grade_icans(IcansObservation(ice_score=ice)).grade
    more = grade_icans(IcansObservation(ice_score=ice, motor_weakness=motor, seizure=seizure))
    assert more.grade >= base
