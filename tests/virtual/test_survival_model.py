"""Virtual survival: exponential competing times against their closed-form medians and means."""

import math

import numpy as np
import pytest

from hyposti.virtual.parameters import SurvivalParameters
from hyposti.virtual.survival_model import sample_survival

HORIZON = 100_000


def _params(**changes: float) -> SurvivalParameters:
    base = {
        "post_progression_median_days": 150.0,
        "pre_progression_death_hazard_per_day": 0.0,
        "dropout_hazard_per_day": 0.0,
    }
    return SurvivalParameters(**(base | changes))


def test_post_progression_survival_has_the_parameter_median() -> None:
    rng = np.random.default_rng(1)
    n = 20_000
    after = [
        sample_survival(rng, _params(), 100.0, None, HORIZON).death_day - 100 for _ in range(n)
    ]
    # Sample median of an exponential: SD = 1 / (2 f(m) sqrt(n)) = m / (ln 2 sqrt(n)), about 1%.
    assert np.median(after) == pytest.approx(150.0, rel=0.03)


def test_intercurrent_death_is_exponential_with_the_parameter_hazard() -> None:
    rng = np.random.default_rng(2)
    params = _params(pre_progression_death_hazard_per_day=0.002)
    days = [sample_survival(rng, params, None, None, HORIZON).death_day for _ in range(20_000)]
    # Mean 1/h (days are rounded up: +0.5); the sample mean's SD is (1/h)/sqrt(n), under 1%.
    assert np.mean(days) == pytest.approx(1 / 0.002, rel=0.03)


def test_a_fatal_event_sets_the_day_and_cause_when_it_comes_first() -> None:
    outcome = sample_survival(np.random.default_rng(3), _params(), 400.0, (9, "Pneumonitis"), 1095)
    assert outcome.death_day == 9
    assert outcome.death_cause == "adverse event: Pneumonitis"
    assert outcome.follow_up_end_day == 9


def test_dropout_censors_a_later_death_and_the_horizon_censors_both() -> None:
    rng = np.random.default_rng(4)
    params = _params(dropout_hazard_per_day=0.01)
    for _ in range(2_000):
        outcome = sample_survival(rng, params, 50.0, None, 1095)
        if outcome.dropout_day is not None:
            assert outcome.death_day is None
            assert outcome.dropout_reason in ("withdrawal of consent", "lost to follow-up")
        assert (outcome.follow_up_end_day or 0) <= 1095
    quiet = sample_survival(rng, _params(), None, None, 1095)
    assert quiet.death_day is None and quiet.follow_up_end_day is None


def test_share_dropping_out_before_a_day_is_one_minus_exp() -> None:
    rng = np.random.default_rng(5)
    params = _params(dropout_hazard_per_day=0.001)
    n = 10_000
    early = sum(
        (o.dropout_day or math.inf) <= 365
        for o in (sample_survival(rng, params, None, None, 1095) for _ in range(n))
    )
    expected = 1 - math.exp(-0.001 * 365)
    assert early / n == pytest.approx(expected, abs=5 * math.sqrt(expected * (1 - expected) / n))
