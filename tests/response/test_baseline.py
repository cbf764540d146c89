"""Baseline rules (Eisenhauer 2009 s3.1, s4.2) and the errors bad input gets."""

import datetime as dt

import pytest

from hyposti.errors import InputError, RecordError, parse_record
from hyposti.response import (
    Assessment,
    BaselineLesion,
    LesionMeasurement,
    PatientTumourData,
    assess_patient,
    validate_baseline,
)
from tests.response.response_builders import day, patient, spec, visit


def lesion(lesion_id, organ, size, target=True, **kw):
    return BaselineLesion(lesion_id=lesion_id, organ=organ, diameter_mm=size, target=target, **kw)


def problems(*lesions):
    data = PatientTumourData(
        patient_id="P-9", reference_date=day(0), baseline_date=day(-7), lesions=list(lesions)
    )
    return validate_baseline(data)


def test_a_proper_baseline_has_no_problems():
    assert problems(lesion("L1", "liver", 10), lesion("N1", "node", 15, nodal=True)) == []


def test_at_most_five_targets_and_two_per_organ_with_nodes_one_organ():
    six = problems(*(lesion(f"T{i}", f"organ{i}", 20) for i in range(6)))
    assert len(six) == 1 and six[0].lesion_ids == [f"T{i}" for i in range(6)]
    liver = problems(lesion("A", "liver", 20), lesion("B", "Liver", 20), lesion("C", "liver", 20))
    assert liver[0].lesion_ids == ["A", "B", "C"] and "2 per organ" in liver[0].rule
    nodes = problems(
        lesion("N1", "axilla", 20, nodal=True),
        lesion("N2", "mediastinum", 20, nodal=True),
        lesion("N3", "groin", 20, nodal=True),
    )
    assert nodes[0].lesion_ids == ["N1", "N2", "N3"] and "lymph nodes" in nodes[0].rule


def test_measurability_thresholds_by_method():
    assert problems(lesion("L1", "liver", 9.9))[0].lesion_ids == ["L1"]
    assert problems(lesion("N1", "node", 14.9, nodal=True))[0].lesion_ids == ["N1"]
    assert problems(lesion("X", "lung", 19, method="chest_xray")) != []
    assert problems(lesion("X", "lung", 20, method="chest_xray")) == []
    # 8 mm slices: the floor is twice the slice thickness, 16 mm.
    assert problems(lesion("C", "liver", 15, slice_thickness_mm=8)) != []
    assert problems(lesion("C", "liver", 16, slice_thickness_mm=8)) == []
    assert problems(lesion("K", "skin", 10, method="caliper")) == []


def test_normal_node_recorded_as_non_target_is_reported():
    found = problems(lesion("L1", "liver", 20), lesion("N1", "node", 8, target=False, nodal=True))
    assert found[0].lesion_ids == ["N1"] and "normal" in found[0].rule


def test_problems_are_reported_on_the_result_not_fixed():
    data = patient({"A": 8}, [visit(42, {"A": 8})])
    r = assess_patient(data, spec())
    assert r.baseline_problems[0].lesion_ids == ["A"]
    assert any("not measurable" in f for f in r.data_quality_flags)
    assert r.baseline_sum_mm == 8


def _error(data):
    with pytest.raises(InputError) as info:
        assess_patient(data, spec())
    return str(info.value)


def test_follow_up_lesion_not_at_baseline_names_patient_date_and_lesion():
    message = _error(patient({"A": 30}, [visit(42, {"A": 30, "Z": 12})]))
    assert "P-001" in message and "2025-02-17" in message and "Z" in message
    assert "not among the baseline target lesions" in message


@pytest.mark.parametrize(
    ("diameter", "rule"),
    [
        (-3, "Input should be greater than or equal to 0"),
        (1e308, "Input should be less than or equal to 1000"),  # was "% base -inf"
        (float("inf"), "Input should be a finite number"),
    ],
)
def test_a_diameter_outside_0_to_1000_mm_is_refused_by_the_record(diameter, rule):
    with pytest.raises(RecordError) as info:
        parse_record(LesionMeasurement, {"lesion_id": "A", "diameter_mm": diameter})
    assert info.value.problems == [f"diameter_mm = {diameter!r}: {rule}"]


def test_assessments_out_of_date_order():
    message = _error(patient({"A": 30}, [visit(84, {"A": 30}), visit(42, {"A": 30})]))
    assert "P-001" in message and "2025-02-17" in message and "increasing date order" in message


def test_missing_baseline():
    data = PatientTumourData(
        patient_id="P-7",
        reference_date=day(0),
        baseline_date=day(-7),
        assessments=[Assessment(date=day(42))],
    )
    message = _error(data)
    assert "P-7" in message and "no baseline lesions" in message


def test_missing_target_entry_and_missing_non_target_status():
    assert "not_evaluated" in _error(patient({"A": 30, "B": 20}, [visit(42, {"A": 30})]))
    assert "non-target status required" in _error(
        patient({"A": 30}, [visit(42, {"A": 30}, nt=None)])
    )


def test_merged_lesion_must_name_a_measured_host():
    bad = PatientTumourData(
        patient_id="P-1",
        reference_date=day(0),
        baseline_date=day(-7),
        lesions=[lesion("A", "liver", 20), lesion("B", "lung", 20)],
        assessments=[
            Assessment(
                date=dt.date(2025, 3, 1),
                targets=[
                    LesionMeasurement(lesion_id="A", state="disappeared"),
                    LesionMeasurement(lesion_id="B", state="merged", merged_into="A"),
                ],
            )
        ],
    )
    assert "must be measured" in _error(bad)
