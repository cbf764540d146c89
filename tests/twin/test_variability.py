"""Between-patient draws against the closed-form moments of the log-normal."""

import numpy as np
import pytest

from hyposti.twin.parameters import NAMES, load_twin_parameters
from hyposti.twin.variability import sample_individuals, standard_deviates

PARAMS = load_twin_parameters()
N = 200_000


@pytest.fixture(scope="module")
def draws():
    return sample_individuals(np.random.default_rng(20260101), PARAMS, N)


@pytest.mark.parametrize("name", ["tmax_days", "initial_copies_per_dose", "carrying_diameter_mm"])
def test_median_and_cv(draws, name):
    p = PARAMS.parameters[name]
    x = draws[name]
    s = np.sqrt(np.log1p(p.cv**2))
    # ln x ~ N(ln value, s^2): the mean of the logs has SE s / sqrt(N); 5 SE tolerance.
    assert np.log(x).mean() == pytest.approx(np.log(p.value), abs=5 * s / np.sqrt(N))
    # Log-normal mean value * exp(s^2 / 2) (Johnson, Kotz & Balakrishnan eq. 14.8a); its SE is
    # value * sqrt((exp(s^2) - 1) exp(s^2)) / sqrt(N).
    mean = p.value * np.exp(s**2 / 2)
    se = p.value * np.sqrt(np.expm1(s**2) * np.exp(s**2) / N)
    assert x.mean() == pytest.approx(mean, abs=5 * se)
    # The log SD recovers s (SE about s / sqrt(2N)).
    assert np.log(x).std() == pytest.approx(s, abs=5 * s / np.sqrt(2 * N))


def test_fixed_parameters_do_not_vary(draws):
    assert np.all(draws["gate_fold_change"] == PARAMS.value("gate_fold_change"))


def test_persistent_fraction_stays_a_fraction_with_its_median(draws):
    fb = draws["persistent_fraction"]
    assert np.all((fb > 0) & (fb < 1))
    # The logit is symmetric about logit(value), so the median is the typical value; the
    # sample median's SE is about 1.2533 sd / sqrt(N) on the logit scale.
    logit = np.log(fb / (1 - fb))
    centre = np.log(0.01 / 0.99)
    assert np.median(logit) == pytest.approx(centre, abs=5 * 1.2533 * logit.std() / np.sqrt(N))


def test_correlations_of_the_logs():
    z = standard_deviates(np.random.default_rng(7), PARAMS, N)
    for c in PARAMS.correlations:
        i, j = NAMES.index(c.first), NAMES.index(c.second)
        r = np.corrcoef(z[i], z[j])[0, 1]
        # SE of a sample correlation about (1 - rho^2) / sqrt(N).
        assert r == pytest.approx(c.rho, abs=5 * (1 - c.rho**2) / np.sqrt(N))
    unrelated = (NAMES.index("tmax_days"), NAMES.index("carrying_diameter_mm"))
    assert abs(np.corrcoef(z[unrelated[0]], z[unrelated[1]])[0, 1]) < 5 / np.sqrt(N)


def test_bad_count_is_refused():
    from hyposti.errors import InputError

    with pytest.raises(InputError, match="patients"):
        sample_individuals(np.random.default_rng(1), PARAMS, 0)
