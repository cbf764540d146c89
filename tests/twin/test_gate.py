"""The hypoxia gate and tumour oxygen against closed forms and an independent integrator."""

import numpy as np
import pytest
from scipy import integrate, stats

from hyposti.errors import InputError
from hyposti.twin.gate import Gate, gate_from_parameters
from hyposti.twin.oxygen import hypoxic_fraction, lognormal_expectation
from hyposti.twin.parameters import load_twin_parameters


def test_hill_at_threshold_is_half_way():
    # No leak, fold 20: basal 1/20 = 0.05; at p = K the Hill term is 1/2, so e = 0.05 + 0.95/2.
    gate = Gate(gated=True, fold_change=20.0, threshold_mmhg=11.4, hill=3.0, leak=0.0)
    assert gate.expression(np.array([11.4]))[0] == pytest.approx(0.525, rel=1e-12)
    # Half-way between basal and maximum, whatever the Hill coefficient.
    steep = Gate(gated=True, fold_change=20.0, threshold_mmhg=11.4, hill=8.0, leak=0.0)
    assert steep.expression(np.array([11.4]))[0] == pytest.approx((1.0 + 0.05) / 2, rel=1e-12)


def test_limits_and_leak():
    gate = Gate(gated=True, fold_change=10.0, threshold_mmhg=7.6, hill=2.0, leak=0.1)
    low, high = gate.expression(np.array([1e-9, 1e9]))
    assert low == pytest.approx(1.0)  # anoxic: full expression
    assert high == pytest.approx(0.1 + 0.9 * 0.1)  # normoxic: leak + (1 - leak) / fold = 0.19
    # Hand value at p = 2K, n = 2: Hill 1 / (1 + 4) = 0.2; 0.1 + 0.9 (0.1 + 0.9 * 0.2) = 0.352.
    assert gate.expression(np.array([15.2]))[0] == pytest.approx(0.352)


def test_conventional_car_ignores_oxygen():
    gate = gate_from_parameters(load_twin_parameters(), gated=False)
    assert np.all(gate.expression(np.array([0.5, 10.0, 100.0])) == 1.0)


def test_mean_expression_matches_quadrature():
    gate = gate_from_parameters(load_twin_parameters(), gated=True)
    median, s = 6.0, 1.0
    density = stats.lognorm(s=s, scale=median).pdf
    expected, _ = integrate.quad(
        lambda p: gate.expression(np.array([p]))[0] * density(p), 0, np.inf, limit=200
    )
    assert gate.mean_expression(np.array([median]), s)[0] == pytest.approx(expected, rel=1e-6)


def test_lognormal_expectation_moments():
    # E[X] = m exp(s^2 / 2), E[X^2] = m^2 exp(2 s^2) for X log-normal (median m, log SD s).
    m, s = np.array([2.7, 10.0]), 0.8
    assert lognormal_expectation(lambda x: x, m, s) == pytest.approx(m * np.exp(s**2 / 2))
    assert lognormal_expectation(lambda x: x**2, m, s) == pytest.approx(m**2 * np.exp(2 * s**2))


def test_hypoxic_fraction():
    # Median 10 mmHg, log SD 1, below 5 mmHg: Phi(ln 0.5) = Phi(-0.6931) = 0.2441.
    assert hypoxic_fraction(np.array([10.0]), 1.0, 5.0)[0] == pytest.approx(0.2441, abs=1e-4)
    # At the median, half the lesion is below it.
    assert hypoxic_fraction(np.array([7.6]), 0.7, 7.6)[0] == pytest.approx(0.5)
    # Against sampling: 10^6 points, SE sqrt(p(1-p)/n) = 0.0004.
    points = np.random.default_rng(3).lognormal(np.log(2.7), 1.0, 1_000_000)
    assert hypoxic_fraction(np.array([2.7]), 1.0, 7.6)[0] == pytest.approx(
        (points < 7.6).mean(), abs=0.002
    )
    with pytest.raises(InputError):
        hypoxic_fraction(np.array([0.0]), 1.0, 7.6)


def test_bad_gate_is_refused():
    with pytest.raises(InputError, match="leak"):
        Gate(gated=True, fold_change=10.0, threshold_mmhg=7.6, hill=2.0, leak=1.5)
