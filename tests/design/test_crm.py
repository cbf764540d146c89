"""CRM (empiric model, dfcrm defaults) against posterior integrals from scipy.integrate.quad."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import norm

from hyposti.design import Crm, fit
from hyposti.errors import InputError

SKELETON = (0.05, 0.10, 0.20, 0.35, 0.50, 0.70)  # dfcrm `crm` help-page example prior
SD = math.sqrt(1.34)
LIMIT = 15 * SD  # the N(0, 1.34) prior density there is below 1e-48


def likelihood(b: float, n: list[int], y: list[int]) -> float:
    p = [s ** math.exp(b) for s in SKELETON]
    return math.prod(pj**yj * (1 - pj) ** (nj - yj) for pj, nj, yj in zip(p, n, y, strict=True))


def quad_posterior(n: list[int], y: list[int]) -> tuple[float, list[float], float]:
    """E[beta], E[p_j] and P(p_1 > 0.2) by adaptive quadrature over the N(0, 1.34) prior."""

    def weight(b: float) -> float:
        return likelihood(b, n, y) * norm.pdf(b, scale=SD)

    total = quad(weight, -LIMIT, LIMIT, epsabs=1e-13)[0]
    beta_mean = quad(lambda b: b * weight(b), -LIMIT, LIMIT, epsabs=1e-13)[0] / total
    p_mean = [
        quad(lambda b, s=s: s ** math.exp(b) * weight(b), -LIMIT, LIMIT, epsabs=1e-13)[0] / total
        for s in SKELETON
    ]
    cut = math.log(math.log(0.2) / math.log(SKELETON[0]))
    over = quad(weight, -LIMIT, cut, epsabs=1e-13)[0] / total
    return beta_mean, p_mean, over


HISTORIES = [
    ([3, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]),
    ([3, 3, 3, 0, 0, 0], [0, 0, 1, 0, 0, 0]),
    ([0, 0, 3, 4, 3, 0], [0, 0, 1, 2, 1, 0]),  # dfcrm help-page example: levels 3,4,4,3,3,4,3,2,2,2
    ([6, 3, 0, 0, 0, 0], [3, 3, 0, 0, 0, 0]),
]


@pytest.mark.parametrize(("n", "y"), HISTORIES)
def test_posterior_matches_adaptive_quadrature(n: list[int], y: list[int]) -> None:
    beta_mean, p_mean, over = quad_posterior(n, y)
    plugin = Crm(6, 0.2, SKELETON, max_n=30, cohort_size=1)
    p, p_over = plugin.posterior(np.array([n]), np.array([y]))
    np.testing.assert_allclose(p[0], [s ** math.exp(beta_mean) for s in SKELETON], atol=1e-7)
    assert p_over[0] == pytest.approx(over, abs=1e-7)
    mean = Crm(6, 0.2, SKELETON, max_n=30, cohort_size=1, estimate="mean")
    np.testing.assert_allclose(
        mean.posterior(np.array([n]), np.array([y]))[0][0], p_mean, atol=1e-7
    )


def test_recommends_the_dose_closest_to_target_by_quadrature() -> None:
    """dfcrm help-page data (10 patients): the dose whose plug-in estimate is closest to 0.2."""
    n, y = HISTORIES[2]
    beta_mean, _, _ = quad_posterior(n, y)
    estimates = [s ** math.exp(beta_mean) for s in SKELETON]
    expected = int(np.argmin([abs(e - 0.2) for e in estimates])) + 1
    history = "3N 4N 4T 3N 3N 4T 3T 2N 2N 2N"
    decision = fit(Crm(6, 0.2, SKELETON, max_n=30, cohort_size=1), history)
    assert decision.next_dose == expected


def test_no_skipping_untried_doses() -> None:
    design = Crm(6, 0.3, SKELETON, max_n=30)
    decision = fit(design, "1NNN")
    assert decision.next_dose == 2
    assert "no skipping" in decision.reason


def test_safety_stop_when_dose_one_is_too_toxic() -> None:
    design = Crm(6, 0.2, SKELETON, max_n=30)
    n, y = [6, 0, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0]
    _, _, over = quad_posterior(n, y)
    assert over > 0.9
    decision = fit(design, "1TTN 1TTN")
    assert decision.stop and decision.mtd is None
    assert f"{over:.3f}" in decision.reason


def test_cap_selects_a_tried_dose() -> None:
    decision = fit(Crm(6, 0.3, SKELETON, max_n=6), "1NNN 2NNN")
    assert decision.stop and decision.mtd == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"skeleton": (0.1, 0.05, 0.2, 0.35, 0.5, 0.7)}, "skeleton"),
        ({"skeleton": (0.05, 0.1)}, "skeleton"),
        ({"skeleton": (0.0, 0.1, 0.2, 0.35, 0.5, 0.7)}, "skeleton"),
        ({"target": 1.0}, "target"),
        ({"estimate": "mode"}, "estimate"),
        ({"prior_variance": 0.0}, "prior_variance"),
    ],
)
def test_bad_parameters_name_the_field(kwargs: dict, field: str) -> None:
    params = {"num_doses": 6, "target": 0.2, "skeleton": SKELETON, "max_n": 30} | kwargs
    with pytest.raises(InputError) as err:
        Crm(**params)
    assert err.value.field == field
