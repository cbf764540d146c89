"""Monte Carlo simulation agrees with the exact results within 4 Monte Carlo standard errors."""

import numpy as np
import pytest

from hyposti.design import Boin, Crm, ThreePlusThree, exact_oc, simulate_oc
from hyposti.errors import InputError

CASES = [
    (ThreePlusThree.variant("conventional", 3), [0.1, 0.25, 0.45]),
    (ThreePlusThree.variant("escalation-only", 3), [0.05, 0.2, 0.35]),
    (Boin(num_doses=5, target=0.3, max_n=30), [0.05, 0.1, 0.2, 0.3, 0.45]),
    (Crm(num_doses=3, target=0.25, skeleton=(0.1, 0.25, 0.4), max_n=12), [0.1, 0.25, 0.45]),
]


@pytest.mark.parametrize(("design", "tox"), CASES, ids=lambda v: repr(v)[:40])
def test_simulation_agrees_with_exact_within_4_standard_errors(design, tox) -> None:
    exact = exact_oc(design, tox)
    sim = simulate_oc(design, tox, trials=20_000, seed=20240601)
    for value, estimate, se in [
        *zip(exact.prob_select, sim.prob_select, sim.se_prob_select, strict=True),
        *zip(
            exact.expected_n_at_dose, sim.expected_n_at_dose, sim.se_expected_n_at_dose, strict=True
        ),
        (exact.expected_n, sim.expected_n, sim.se_expected_n),
        (exact.expected_dlt, sim.expected_dlt, sim.se_expected_dlt),
    ]:
        # A zero standard error means a constant; it must then equal the exact value.
        assert abs(estimate - value) <= 4 * se + 1e-9


def test_same_seed_same_answer_different_seed_different_answer() -> None:
    design, tox = CASES[2]
    a = simulate_oc(design, tox, trials=2_000, seed=7)
    b = simulate_oc(design, tox, trials=2_000, seed=7)
    c = simulate_oc(design, tox, trials=2_000, seed=8)
    np.testing.assert_array_equal(a.prob_select, b.prob_select)
    assert not np.array_equal(a.prob_select, c.prob_select)


def test_standard_error_of_a_proportion() -> None:
    design, tox = CASES[0]
    sim = simulate_oc(design, tox, trials=5_000, seed=1)
    p = sim.prob_select
    np.testing.assert_allclose(sim.se_prob_select, np.sqrt(p * (1 - p) / 4_999), rtol=1e-12)
    assert sim.to_dict()["se_expected_n"] == sim.se_expected_n


def test_needs_two_trials() -> None:
    with pytest.raises(InputError, match="trials"):
        simulate_oc(CASES[0][0], CASES[0][1], trials=1, seed=1)


def test_trial_count_is_capped_before_anything_is_allocated() -> None:
    from hyposti.design.simulate import MAX_TRIALS

    with pytest.raises(InputError, match="10,000,000"):
        simulate_oc(CASES[0][0], CASES[0][1], trials=10**12, seed=1)
    assert MAX_TRIALS == 10**7
