"""Virtual tumours: closed-form growth and kill, RECIST-valid baselines, Poisson new lesions."""

import datetime as dt
import math

import numpy as np
import pytest

from hyposti.protocol import load_protocol
from hyposti.response.patient import assess_patient
from hyposti.response.records import Response, TargetState
from hyposti.virtual.parameters import load_parameters
from hyposti.virtual.tumour_model import (
    VirtualLesion,
    VirtualTumour,
    lesion_sizes,
    read_scans,
    sample_baseline,
    sample_new_lesions,
    true_progression_day,
)

PARAMS = load_parameters().tumour
SPEC = load_protocol().response
INFUSION = dt.date(2024, 1, 10)


def _tumour(*sizes: float, growth: float = 0.0, kill: float = 0.0, organ: str = "liver"):
    lesions = tuple(
        VirtualLesion(f"T{i + 1}", organ, True, size, 1.0, 1.0) for i, size in enumerate(sizes)
    )
    return VirtualTumour(lesions, growth, kill)


def test_sizes_follow_exponential_growth_and_log_kill_in_closed_form() -> None:
    tumour = _tumour(20.0, growth=0.01, kill=1e-4)
    days = np.array([0.0, 10.0, 69.3147])
    exposure = np.array([0.0, 5_000.0, 0.0])
    sizes = lesion_sizes(tumour, days, exposure)[0]
    # Hand calculation: 20 exp(0.01*10 - 1e-4*5000) = 20 exp(-0.4); ln 2 / 0.01 days doubles.
    assert sizes[0] == pytest.approx(20.0)
    assert sizes[1] == pytest.approx(20.0 * math.exp(-0.4))
    assert sizes[2] == pytest.approx(40.0, rel=1e-5)


def test_true_progression_is_the_first_day_at_plus_20_percent_and_5_mm() -> None:
    growth = 0.005
    for size in (10.0, 40.0):
        # RECIST 1.1: +20% over the nadir (the baseline, for pure growth) and at least +5 mm.
        expected = math.ceil(max(math.log(1.2), math.log((size + 5.0) / size)) / growth)
        grid = np.arange(1.0, 400.0)
        day = true_progression_day(_tumour(size, growth=growth), PARAMS, grid, np.zeros_like(grid))
        assert day == expected


def test_no_progression_when_the_tumour_only_shrinks() -> None:
    grid = np.arange(1.0, 200.0)
    exposure = 1_000.0 * grid
    shrinking = _tumour(30.0, kill=1e-5)
    assert true_progression_day(shrinking, PARAMS, grid, exposure) is None


def test_baselines_obey_recist_target_rules_and_the_count_distribution() -> None:
    rng = np.random.default_rng(1)
    n = 4_000
    counts = np.zeros(5)
    for _ in range(n):
        tumour = sample_baseline(rng, PARAMS)
        targets = tumour.targets
        counts[len(targets) - 1] += 1
        organs = [t.organ for t in targets]
        assert max(organs.count(o) for o in organs) <= 2  # RECIST 1.1 s4.2
        for t in targets:
            assert t.baseline_mm >= (15.0 if t.nodal else 10.0)  # RECIST 1.1 s3.1
    expected = np.array(PARAMS.target_count_probabilities)
    sd = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(counts / n - expected) < 5 * sd)


def test_new_lesions_are_poisson_with_the_parameter_hazard() -> None:
    # Constant size (no growth, no kill): the count in T days is Poisson(h T).
    params = PARAMS.model_copy(update={"new_lesion_hazard_per_day": 0.004, "max_new_lesions": 20})
    grid = np.arange(1.0, 251.0)
    rng = np.random.default_rng(2)
    counts = [
        len(sample_new_lesions(rng, params, _tumour(20.0), grid, np.zeros_like(grid)).new_lesions)
        for _ in range(4_000)
    ]
    mean = 0.004 * 250
    assert np.mean(counts) == pytest.approx(mean, abs=5 * math.sqrt(mean / 4_000))
    assert np.var(counts) == pytest.approx(mean, rel=0.1)


def test_readings_follow_recist_states_and_the_engine_reads_a_complete_response() -> None:
    params = PARAMS.model_copy(
        update={"measurement_cv": 0.0, "lesion_not_evaluated_probability": 0.0}
    )
    tumour = _tumour(30.0, 40.0, kill=1e-3)
    # Exposures chosen so that the lesions are 3 mm / 4 mm, then below 1 mm twice.
    days = np.array([28.0, 63.0, 98.0])
    exposure = np.array([math.log(10.0), math.log(40.0), math.log(80.0)]) / 1e-3
    data = read_scans(
        np.random.default_rng(3), tumour, params, "P1", INFUSION, INFUSION - dt.timedelta(days=14),
        days, exposure, np.zeros(0), SPEC.too_small_to_measure_mm,
    )  # fmt: skip
    first, second, third = data.assessments
    assert [m.state for m in first.targets] == [TargetState.TOO_SMALL, TargetState.TOO_SMALL]
    assert [m.state for m in second.targets] == [TargetState.DISAPPEARED] * 2
    assert [m.state for m in third.targets] == [TargetState.DISAPPEARED] * 2
    assert first.date == INFUSION + dt.timedelta(days=28)
    # CR on day 63 confirmed on day 98 (>= 28 days later): RECIST 1.1 Table 3 gives CR.
    response = assess_patient(data, SPEC)
    assert response.bor_confirmed == Response.CR


def test_a_node_is_measured_down_to_its_short_axis_not_called_disappeared() -> None:
    params = PARAMS.model_copy(update={"measurement_cv": 0.0})
    node = VirtualTumour((VirtualLesion("T1", "lymph node", True, 20.0, 1.0, 1.0),), 0.0, 1e-3)
    data = read_scans(
        np.random.default_rng(4), node, params, "P2", INFUSION, INFUSION - dt.timedelta(days=14),
        np.array([28.0]), np.array([math.log(5.0) / 1e-3]), np.zeros(0), 5.0,
    )  # fmt: skip
    (reading,) = data.assessments[0].targets
    assert reading.state == TargetState.MEASURED and reading.diameter_mm == 4.0


def test_growth_rates_are_log_normal_with_the_tail_of_slow_growers() -> None:
    # ln g ~ N(ln median, sd^2); the slow growers who cannot reach RECIST's +20% within a year
    # (g < ln 1.2 / 365) make the PFS tail: their share is Phi((ln(ln 1.2 / 365) - ln m) / sd).
    rng = np.random.default_rng(5)
    n = 4_000
    log_g = np.log([sample_baseline(rng, PARAMS).growth_per_day for _ in range(n)])
    sd = PARAMS.growth_log_sd
    assert log_g.mean() == pytest.approx(
        math.log(PARAMS.growth_median_per_day), abs=5 * sd / n**0.5
    )
    assert log_g.std() == pytest.approx(sd, rel=0.05)
    cut = math.log(math.log(1.2) / 365.0)
    z = (cut - math.log(PARAMS.growth_median_per_day)) / sd
    slow = 0.5 * math.erfc(-z / math.sqrt(2.0))
    observed = float(np.mean(log_g < cut))
    assert observed == pytest.approx(slow, abs=5 * math.sqrt(slow * (1 - slow) / n))
    # Enough slow growers for a 12-month PFS of 10-20% once new lesions and deaths are counted.
    assert 0.15 <= slow <= 0.35
