"""Bayesian toxicity monitoring (Thall, Simon & Estey 1995) against brute force and closed forms."""

import itertools

import pytest
from scipy.stats import beta as beta_dist

from hyposti.design.toxicity_monitoring import (
    MAX_MONITOR_N,
    ToxicityMonitor,
    monitor_sequence,
)
from hyposti.errors import InputError

RULES = [
    ToxicityMonitor(prior_a=1, prior_b=1, theta=0.33, threshold=0.9, max_n=21),
    ToxicityMonitor(prior_a=0.6, prior_b=1.4, theta=0.3, threshold=0.85, max_n=30),
    ToxicityMonitor(prior_a=2, prior_b=8, theta=0.2, threshold=0.95, max_n=40),
]


def stops(rule: ToxicityMonitor, n: int, y: int) -> bool:
    """The rule read directly: scipy's beta survival function of the conjugate posterior."""
    return beta_dist.sf(rule.theta, rule.prior_a + y, rule.prior_b + n - y) > rule.threshold


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_boundaries_match_brute_force_over_every_count(rule) -> None:
    expected = []
    for n in range(1, rule.max_n + 1):
        stopping = [y for y in range(n + 1) if stops(rule, n, y)]
        expected.append(min(stopping) if stopping else None)
    assert rule.boundaries().stop_if_dlt_ge == tuple(expected)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.33, 0.5, 1.0])
@pytest.mark.parametrize(
    "rule",
    [
        ToxicityMonitor(prior_a=1, prior_b=1, theta=0.33, threshold=0.8, max_n=10),
        ToxicityMonitor(prior_a=0.5, prior_b=2.5, theta=0.2, threshold=0.7, max_n=11),
    ],
    ids=repr,
)
def test_stopping_probability_matches_enumeration_of_all_sequences(rule, p) -> None:
    """All 2^N DLT sequences, each stopped at its first crossing (read with scipy directly)."""
    crossed = {(n, y): stops(rule, n, y) for n in range(1, rule.max_n + 1) for y in range(n + 1)}
    prob_stop = expected_n = 0.0
    for sequence in itertools.product((0, 1), repeat=rule.max_n):
        weight = p ** sum(sequence) * (1 - p) ** (rule.max_n - sum(sequence))
        size, y = rule.max_n, 0
        for n, dlt in enumerate(sequence, start=1):
            y += dlt
            if crossed[n, y]:
                size = n
                prob_stop += weight
                break
        expected_n += weight * size
    oc = rule.operating(p)
    assert oc.prob_stop == pytest.approx(prob_stop, abs=1e-12)
    assert oc.expected_n == pytest.approx(expected_n, abs=1e-10)
    assert oc.prob_stop_by_n[-1] == pytest.approx(prob_stop, abs=1e-12)


def test_a_rule_that_stops_at_the_first_dlt_has_geometric_closed_forms() -> None:
    # Beta(1,1), theta 0.1, c 0.85: with 0 DLTs in n, P(p > 0.1) = 0.9^(n+1) <= 0.81 < 0.85 (no
    # stop); with 1 DLT in n <= 5, P = 0.9^n (1 + 0.1 n) >= 0.9^5 * 1.5 = 0.886 > 0.85 (stop).
    rule = ToxicityMonitor(prior_a=1, prior_b=1, theta=0.1, threshold=0.85, max_n=5)
    assert rule.boundaries().stop_if_dlt_ge == (1, 1, 1, 1, 1)
    for p in (0.05, 0.2, 0.6):
        oc = rule.operating(p)
        # Stop unless all 5 are free of DLT; E[N] = sum_{k=0}^{4} (1-p)^k = (1 - (1-p)^5) / p.
        assert oc.prob_stop == pytest.approx(1 - (1 - p) ** 5, abs=1e-12)
        assert oc.expected_n == pytest.approx((1 - (1 - p) ** 5) / p, abs=1e-12)


def test_posterior_after_all_dlts_has_a_closed_form() -> None:
    # Beta(1,1) prior, n DLTs of n: posterior Beta(n+1, 1), P(p > theta) = 1 - theta^(n+1).
    # n = 1: 1 - 0.33^2 = 0.8911 <= 0.9 (continue); n = 2: 1 - 0.33^3 = 0.9641 > 0.9 (stop).
    rule = ToxicityMonitor(prior_a=1, prior_b=1, theta=0.33, threshold=0.9, max_n=21)
    first, second = rule.decide(1, 1), rule.decide(2, 2)
    assert first.posterior == pytest.approx(1 - 0.33**2, abs=1e-12) and not first.stop
    assert second.posterior == pytest.approx(1 - 0.33**3, abs=1e-12) and second.stop
    assert "stop enrolling" in second.reason and "2/2 DLTs" in second.reason


def test_a_sequence_stops_at_its_first_crossing() -> None:
    rule = ToxicityMonitor(prior_a=1, prior_b=1, theta=0.33, threshold=0.9, max_n=21)
    crossing = monitor_sequence(rule, [False, True, False, True, True, False])
    # 3 DLTs in 5: Beta(4, 3), P(p > 0.33) = 0.9031 > 0.9 (3 in 4 would already stop: check it
    # does not, since the third DLT arrives with the fifth patient).
    assert (crossing.n, crossing.dlts) == (5, 3)
    assert monitor_sequence(rule, [False] * 21) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"prior_a": 0}, "prior_a"),
        ({"prior_b": -1}, "prior_b"),
        ({"theta": 1.0}, "theta"),
        ({"threshold": 0}, "threshold"),
        ({"max_n": 0}, "max_n"),
        ({"max_n": MAX_MONITOR_N + 1}, "max_n"),
    ],
)
def test_bad_parameters_are_refused_by_name(kwargs, field) -> None:
    params = {"prior_a": 1, "prior_b": 1, "theta": 0.3, "threshold": 0.9, "max_n": 20} | kwargs
    with pytest.raises(InputError, match=field):
        ToxicityMonitor(**params)


def test_decide_refuses_impossible_counts() -> None:
    rule = ToxicityMonitor(prior_a=1, prior_b=1, theta=0.3, threshold=0.9, max_n=20)
    with pytest.raises(InputError, match="dlts"):
        rule.decide(3, 4)
    with pytest.raises(InputError, match="n = 21"):
        rule.decide(21, 1)


def test_a_uniform_prior_reproduces_boins_published_elimination_table() -> None:
    # BOIN's safety rule is this rule with Beta(1,1), theta = target, c = 0.95 (Liu & Yuan 2015,
    # section 2.3). R BOIN get.boundary(target = 0.3, ...) prints, for n = 3..20:
    # 3 3 4 4 5 5 5 6 6 7 7 8 8 8 9 9 9 10 (Yan et al. 2020, J Stat Softw 94(13)); BOIN applies
    # it from n = 3 on, so n = 1, 2 are left out here.
    published = [3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 9, 10]
    rule = ToxicityMonitor(prior_a=1, prior_b=1, theta=0.3, threshold=0.95, max_n=30)
    table = rule.boundaries().stop_if_dlt_ge
    assert list(table[2:20]) == published
    assert (table[20], table[23], table[26], table[29]) == (10, 11, 12, 14)


@pytest.mark.parametrize("p", [0.1, 0.33, 0.5])
def test_simulation_agrees_with_the_exact_recursion_within_its_standard_error(p) -> None:
    from hyposti.design.toxicity_monitoring import simulate_monitor

    rule = RULES[0]
    exact = rule.operating(p)
    sim = simulate_monitor(rule, p, trials=40_000, seed=11)
    # Seeded, so deterministic; 4 standard errors leave a 6e-5 chance for a correct engine.
    assert abs(sim.prob_stop - exact.prob_stop) < 4 * sim.se_prob_stop + 1e-12
    assert abs(sim.expected_n - exact.expected_n) < 4 * sim.se_expected_n + 1e-12
    assert simulate_monitor(rule, p, trials=40_000, seed=11) == sim


def test_simulated_cohorts_are_capped() -> None:
    from hyposti.design.toxicity_monitoring import simulate_monitor

    with pytest.raises(InputError, match="10,000,000"):
        simulate_monitor(RULES[0], 0.3, trials=10**12, seed=1)
