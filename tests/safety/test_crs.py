"""ASTCT CRS grade against every row of Lee 2019 (BBMT 25:625) Table 3."""

from __future__ import annotations

import pytest

from hyposti.errors import RecordError
from hyposti.safety.crs import CrsObservation, grade_crs

# Lee 2019 Table 3: (observation, grade the table gives, words the deciding finding must carry)
ROWS = [
    # Grade 1: fever >= 38 C, no hypotension, no hypoxia.
    ({"temperature_c": 38.0}, 1, "fever 38.0 C"),
    # Grade 2: hypotension without vasopressors and/or low-flow cannula (<= 6 L/min) or blow-by.
    ({"temperature_c": 38.5, "hypotension": True}, 2, "not requiring vasopressors"),
    ({"temperature_c": 38.5, "oxygen": "low-flow", "oxygen_flow_l_min": 6.0}, 2, "low-flow"),
    ({"temperature_c": 38.5, "oxygen": "blow-by"}, 2, "blow-by"),
    # Grade 3: one vasopressor with or without vasopressin and/or high-flow (> 6 L/min), facemask,
    # non-rebreather or Venturi mask.
    ({"temperature_c": 39.1, "hypotension": True, "vasopressors": 1}, 3, "one vasopressor"),
    (
        {"temperature_c": 39.1, "hypotension": True, "vasopressors": 1, "vasopressin": True},
        3,
        "one vasopressor with vasopressin",
    ),
    ({"temperature_c": 39.1, "hypotension": True, "vasopressin": True}, 3, "one vasopressor"),
    ({"temperature_c": 39.1, "oxygen": "high-flow", "oxygen_flow_l_min": 6.5}, 3, "high-flow"),
    ({"temperature_c": 39.1, "oxygen": "facemask"}, 3, "facemask"),
    ({"temperature_c": 39.1, "oxygen": "non-rebreather"}, 3, "non-rebreather"),
    ({"temperature_c": 39.1, "oxygen": "venturi"}, 3, "venturi"),
    # Grade 4: multiple vasopressors (excluding vasopressin) and/or positive pressure.
    ({"temperature_c": 40.0, "hypotension": True, "vasopressors": 2}, 4, "2 vasopressors"),
    ({"temperature_c": 40.0, "oxygen": "cpap"}, 4, "cpap"),
    ({"temperature_c": 40.0, "oxygen": "bipap"}, 4, "bipap"),
    ({"temperature_c": 40.0, "oxygen": "mechanical-ventilation"}, 4, "mechanical-ventilation"),
    # Grade 5: death due to CRS.
    (
        {"temperature_c": 40.0, "hypotension": True, "vasopressors": 3, "death_due_to_crs": True},
        5,
        "death due to CRS",
    ),
]


@pytest.mark.parametrize(("obs", "grade", "words"), ROWS)
def test_table_row(obs, grade, words):
    result = grade_crs(CrsObservation(**obs))
    assert result.grade == grade
    assert words in result.deciding_finding
    assert result.deciding_finding.endswith(f"-> grade {grade}")
    assert result.scale == "ASTCT 2019 CRS"


def test_more_severe_of_hypotension_and_hypoxia_decides():
    # Table 3 note: grade is determined by the more severe event.
    result = grade_crs(CrsObservation(temperature_c=38.6, hypotension=True, oxygen="bipap"))
    assert result.grade == 4
    assert "bipap" in result.deciding_finding
    assert {f.domain: f.grade for f in result.all_findings} == {
        "fever": 1,
        "hypotension": 2,
        "hypoxia": 4,
    }


def test_no_fever_unmasked_means_no_crs_even_with_hypotension():
    result = grade_crs(CrsObservation(temperature_c=37.9, hypotension=True, vasopressors=1))
    assert result.grade == 0
    assert "not masked" in result.deciding_finding


def test_masked_fever_lets_hypotension_and_hypoxia_drive():
    # Lee 2019: after antipyretic or anti-cytokine therapy fever is no longer required.
    result = grade_crs(
        CrsObservation(temperature_c=36.8, fever_masked=True, hypotension=True, vasopressors=1)
    )
    assert result.grade == 3
    masked_only = grade_crs(CrsObservation(temperature_c=36.8, fever_masked=True))
    assert masked_only.grade == 0


@pytest.mark.parametrize(
    ("obs", "field"),
    [
        ({"temperature_c": 39.0, "vasopressors": 1}, "hypotension"),  # vasopressor, no hypotension
        (
            {"temperature_c": 39.0, "oxygen": "low-flow", "oxygen_flow_l_min": 8.0},
            "oxygen_flow_l_min",
        ),
        (
            {"temperature_c": 39.0, "oxygen": "high-flow", "oxygen_flow_l_min": 6.0},
            "oxygen_flow_l_min",
        ),
        ({"temperature_c": 39.0, "oxygen": "none", "oxygen_flow_l_min": 2.0}, "oxygen_flow_l_min"),
        ({"temperature_c": 39.0, "oxygen": "helmet"}, "oxygen"),
        ({"temperature_c": 50.0}, "temperature_c"),
        ({"temperature_c": 39.0, "vasopressors": -1, "hypotension": True}, "vasopressors"),
    ],
)
def test_contradictory_or_impossible_observations_are_refused(obs, field):
    """The constructor refuses with a RecordError naming the one field at fault."""
    with pytest.raises(RecordError) as info:
        CrsObservation(**obs)
    assert [p.split(" = ")[0] for p in info.value.problems] == [field]
