"""CRS, ICANS and CRES observations refuse contradictions and impossible numbers, naming the field,
the value and the rule (Lee 2019 Table 3 defines low-flow oxygen as <= 6 L/min)."""

import pytest

from hyposti.errors import RecordError, parse_record
from hyposti.safety.cres import CresObservation
from hyposti.safety.crs import CrsObservation
from hyposti.safety.icans import IcansObservation


@pytest.mark.parametrize(
    ("model", "data", "problem"),
    [
        (
            CrsObservation,
            {"temperature_c": 39, "oxygen": "low-flow", "oxygen_flow_l_min": 9},
            "oxygen_flow_l_min = 9.0: low-flow nasal cannula is <= 6 L/min by definition",
        ),
        (
            CrsObservation,
            {"temperature_c": 39, "oxygen": "high-flow", "oxygen_flow_l_min": 6},
            "oxygen_flow_l_min = 6.0: high-flow nasal cannula is > 6 L/min by definition",
        ),
        (
            CrsObservation,
            {"temperature_c": 39, "oxygen_flow_l_min": 2},
            "oxygen_flow_l_min = 2.0: a flow needs oxygen support other than 'none'",
        ),
        (
            CrsObservation,
            {"temperature_c": 39, "vasopressors": 1},
            "hypotension = False: vasopressors are recorded: hypotension must be set",
        ),
        (
            CrsObservation,
            {"temperature_c": "NaN"},
            "temperature_c = 'NaN': Input should be a finite number",
        ),
        (
            IcansObservation,
            {},
            "ice_score = empty: required unless the patient is unarousable",
        ),
        (
            IcansObservation,
            {"consciousness": "unarousable", "ice_score": 3},
            "ice_score = 3: an unarousable patient scores 0: record 0 or omit it",
        ),
        (
            CresObservation,
            {"obtunded": True, "cartox10": 4},
            "cartox10 = 4: an obtunded patient cannot be scored: leave it out",
        ),
        (
            CresObservation,
            {"csf_opening_pressure_mmhg": "Infinity", "cartox10": 8},
            "csf_opening_pressure_mmhg = 'Infinity': Input should be a finite number",
        ),
    ],
)
def test_bad_observations_name_field_value_and_rule(model, data, problem):
    with pytest.raises(RecordError) as info:
        parse_record(model, data)
    assert info.value.problems == [problem]
