"""Virtual screening: each planned failure is the engine's failed criterion, at the planned rate."""

import datetime as dt
import math

import numpy as np
import pytest

from hyposti.eligibility.engine import screen
from hyposti.protocol import load_protocol
from hyposti.virtual.parameters import load_parameters
from hyposti.virtual.screening_model import sample_candidate, screening_record

PROTOCOL = load_protocol()
PARAMS = load_parameters()
CRITERIA = [c.id for c in PROTOCOL.eligibility.criteria]
SCREENING = dt.date(2024, 3, 4)


def _screen(rng, screening_params, index: int):
    candidate = sample_candidate(
        rng, PARAMS.population, screening_params, PROTOCOL, f"C{index}", 2, False
    )
    enrolment = SCREENING + dt.timedelta(days=2)
    record = screening_record(
        rng,
        candidate,
        PROTOCOL,
        screening_params,
        SCREENING,
        enrolment,
        SCREENING + dt.timedelta(days=10),
    )
    return candidate, screen(record, PROTOCOL, enrolment)


@pytest.mark.parametrize("criterion", sorted(PARAMS.screening.failure_probability))
def test_a_planned_failure_is_the_criterion_the_engine_fails(criterion: str) -> None:
    only = PARAMS.screening.model_copy(update={"failure_probability": {criterion: 0.999999}})
    rng = np.random.default_rng(CRITERIA.index(criterion))
    for i in range(4):
        candidate, result = _screen(rng, only, i)
        assert candidate.planned_failures == (criterion,)
        assert result.status == "ineligible"
        assert criterion in result.failing, result.summary


def test_without_planned_failures_candidates_are_eligible_bar_borderline_labs() -> None:
    none = PARAMS.screening.model_copy(update={"failure_probability": {}})
    rng = np.random.default_rng(99)
    results = [_screen(rng, none, i)[1] for i in range(300)]
    unplanned = {c for r in results for c in r.failing}
    assert unplanned <= {"I7"}  # organ function: creatinine clearance of older, lighter patients
    assert sum(r.status == "eligible" for r in results) / len(results) > 0.9
    assert not any(r.missing_fields or r.pending_review for r in results)


def test_planned_failures_occur_at_the_parameter_probabilities() -> None:
    rng = np.random.default_rng(5)
    n = 6_000
    counts = dict.fromkeys(CRITERIA, 0)
    for i in range(n):
        candidate = sample_candidate(
            rng, PARAMS.population, PARAMS.screening, PROTOCOL, f"C{i}", 2, False
        )
        for c in candidate.planned_failures:
            counts[c] += 1
    for criterion, p in PARAMS.screening.failure_probability.items():
        assert counts[criterion] / n == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))


def test_ages_respect_the_protocol_range_unless_i1_is_planned_to_fail() -> None:
    rng = np.random.default_rng(6)
    low, high = PROTOCOL.eligibility.age_range_years
    for i in range(2_000):
        c = sample_candidate(rng, PARAMS.population, PARAMS.screening, PROTOCOL, f"C{i}", 1, False)
        if "I1" not in c.planned_failures:
            assert low <= c.age_years <= high
