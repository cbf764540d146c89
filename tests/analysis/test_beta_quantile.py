"""Beta quantiles without scipy, held to scipy's betaincinv and to closed forms."""

import math

import pytest
from scipy.special import betaincinv

from hyposti.analysis.beta_quantile import beta_quantile, regularized_beta

QUANTILES = (0.005, 0.025, 0.5, 0.975, 0.995)


@pytest.mark.parametrize("n", range(1, 61))
def test_clopper_pearson_quantiles_match_scipy_for_trial_sizes(n):
    # every (x, n) a trial of up to 60 patients can report: both bounds' beta parameters
    for x in range(n + 1):
        for a, b in ((x, n - x + 1), (x + 1, n - x)):
            if a > 0 and b > 0:
                for q in QUANTILES:
                    assert beta_quantile(q, a, b) == pytest.approx(betaincinv(a, b, q), rel=1e-12)


@pytest.mark.parametrize(("n", "rel"), [(1000, 1e-10), (100_000, 1e-8)])
def test_large_samples_stay_close_to_scipy(n, rel):
    # lgamma(a + b) - lgamma(b) loses ~1e-16 x lgamma(n) to cancellation: ~1e-10 at n = 1e5
    for x in (1, n // 3, n - 1):
        for q in (0.025, 0.975):
            assert beta_quantile(q, x, n - x + 1) == pytest.approx(
                betaincinv(x, n - x + 1, q), rel=rel
            )


@pytest.mark.parametrize("b", [1, 2, 7, 30])
def test_closed_form_of_beta_1_b(b):
    # I_x(1, b) = 1 - (1 - x)^b, so its quantile is 1 - (1 - p)^(1 / b)
    for p in QUANTILES:
        assert beta_quantile(p, 1, b) == pytest.approx(1 - (1 - p) ** (1 / b), rel=1e-12)
        x = 0.3
        assert regularized_beta(1, b, x) == pytest.approx(1 - (1 - x) ** b, rel=1e-13)


def test_symmetry_and_ends():
    assert regularized_beta(3, 5, 0.0) == 0.0 and regularized_beta(3, 5, 1.0) == 1.0
    # I_x(a, b) = 1 - I_{1-x}(b, a)
    assert regularized_beta(3, 5, 0.4) == pytest.approx(1 - regularized_beta(5, 3, 0.6), rel=1e-14)
    assert math.isclose(beta_quantile(0.5, 4, 4), 0.5, rel_tol=1e-14)
