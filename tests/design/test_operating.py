"""Exact operating characteristics: probabilities sum to one, expectations are consistent."""

import math

import numpy as np
import pytest

from hyposti.design import Boin, Crm, ThreePlusThree, exact_oc
from hyposti.design.operating import state_graph
from hyposti.errors import InputError

DESIGNS = [
    ThreePlusThree.variant("conventional", 4),
    ThreePlusThree.variant("registry-literal", 4),
    ThreePlusThree.variant("escalation-only", 4),
    Boin(num_doses=4, target=0.3, max_n=18),
    Crm(num_doses=4, target=0.25, skeleton=(0.1, 0.2, 0.3, 0.45), max_n=12),
]
TOX = [0.05, 0.15, 0.3, 0.5]


@pytest.mark.parametrize("design", DESIGNS, ids=repr)
def test_probabilities_sum_to_one_and_expectations_are_consistent(design) -> None:
    oc = exact_oc(design, TOX)
    assert oc.prob_select.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(oc.prob_select >= 0)
    assert oc.expected_n == pytest.approx(oc.expected_n_at_dose.sum(), abs=1e-12)
    # Each patient at dose j has a DLT with probability p_j, so E[DLT] = sum_j p_j E[n_j].
    assert oc.expected_dlt == pytest.approx(float(np.dot(TOX, oc.expected_n_at_dose)), abs=1e-10)


def test_fixed_sample_designs_always_use_max_n_without_early_stops() -> None:
    oc = exact_oc(Boin(num_doses=3, target=0.3, max_n=12), [0.0, 0.0, 0.0])
    assert oc.expected_n == pytest.approx(12.0)
    np.testing.assert_allclose(oc.prob_select, [0, 0, 0, 1])


def test_json_keys() -> None:
    data = exact_oc(DESIGNS[0], TOX).to_dict()
    assert {"prob_select", "expected_n", "expected_dlt", "expected_n_at_dose"} <= set(data)
    assert len(data["prob_select"]) == 5


@pytest.mark.parametrize("tox", [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 1.2], [0.1, -0.1, 0.2, 0.3]])
def test_bad_true_toxicity_is_refused(tox: list[float]) -> None:
    with pytest.raises(InputError) as err:
        exact_oc(DESIGNS[0], tox)
    assert err.value.field == "true_tox"


def path_enumeration(design, true_tox: list[float]) -> tuple[np.ndarray, float, np.ndarray]:
    """Every cohort-outcome path, never merging two paths: P(select), E[DLT], E[n_j].

    The independent reference for exact_oc's merged dynamic programme: a tree of (size + 1)^k
    nodes at depth k, each node one path with the binomial probability of its outcomes.
    """
    size, num_doses = design.cohort_size, design.num_doses
    p = np.asarray(true_tox)
    n = np.zeros((1, num_doses), dtype=np.int64)
    y = np.zeros((1, num_doses), dtype=np.int64)
    dose = np.array([design.start_dose])
    prob = np.ones(1)
    select, dlt, n_at = np.zeros(num_doses + 1), 0.0, np.zeros(num_doses)
    while prob.size:
        parent = np.repeat(np.arange(prob.size), size + 1)
        k = np.tile(np.arange(size + 1), prob.size)
        d = dose[parent]
        n, y = n[parent], y[parent]
        n[np.arange(parent.size), d - 1] += size
        y[np.arange(parent.size), d - 1] += k
        pd = p[d - 1]
        prob = prob[parent] * np.array([math.comb(size, int(j)) for j in k]) * pd**k
        prob *= (1 - pd) ** (size - k)
        step = design.step(n, y, d)
        done = step.next_dose == 0
        np.add.at(select, step.mtd[done], prob[done])
        dlt += float(prob[done] @ y[done].sum(axis=1))
        n_at += prob[done] @ n[done]
        go = ~done
        n, y, dose, prob = n[go], y[go], step.next_dose[go], prob[go]
    return select, dlt, n_at


ENUMERATED = [
    ThreePlusThree.variant("conventional", 4),
    ThreePlusThree.variant("escalation-only", 3),
    Boin(num_doses=3, target=0.3, max_n=18),
    Boin(num_doses=4, target=0.25, max_n=15, n_earlystop=9),
    Boin(num_doses=5, target=0.3, max_n=15, start_dose=2),
    # 8 doses and 24 patients: the state key needs two int64 words.
    Boin(num_doses=8, target=0.3, max_n=24),
    Crm(num_doses=3, target=0.25, skeleton=(0.1, 0.25, 0.4), max_n=12),
]
SCENARIOS = [
    [0.05, 0.1, 0.2, 0.3, 0.45, 0.55, 0.6, 0.7],
    [0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9],
    [0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.12, 0.15],
    [0.0, 0.25, 0.25, 1.0, 1.0, 1.0, 1.0, 1.0],
]


@pytest.mark.parametrize("design", ENUMERATED, ids=repr)
@pytest.mark.parametrize("scenario", range(len(SCENARIOS)))
def test_exact_oc_equals_enumeration_of_every_path(design, scenario: int) -> None:
    tox = SCENARIOS[scenario][: design.num_doses]
    oc = exact_oc(design, tox)
    select, dlt, n_at = path_enumeration(design, tox)
    # Same sums in another order: equal up to floating-point rounding.
    np.testing.assert_allclose(oc.prob_select, select, rtol=0, atol=1e-12)
    np.testing.assert_allclose(oc.expected_n_at_dose, n_at, rtol=0, atol=1e-10)
    assert oc.expected_dlt == pytest.approx(dlt, abs=1e-10)


def test_state_budget_refuses_and_points_to_simulation() -> None:
    design = Boin(num_doses=5, target=0.3, max_n=30)
    with pytest.raises(InputError) as err:
        exact_oc(design, [0.05, 0.1, 0.2, 0.3, 0.45], max_states=10_000)
    assert err.value.field == "design"
    assert "10,000 states" in err.value.rule and "--trials" in err.value.rule
    # CRM decisions count 10 states each against the budget.
    crm = Crm(num_doses=3, target=0.25, skeleton=(0.1, 0.25, 0.4), max_n=12)
    with pytest.raises(InputError):
        exact_oc(crm, [0.1, 0.2, 0.3], max_states=1_000)
    assert exact_oc(crm, [0.1, 0.2, 0.3], max_states=100_000).prob_select.sum() == pytest.approx(1)


def test_one_state_graph_serves_every_scenario_including_certain_outcomes() -> None:
    design = Boin(num_doses=3, target=0.3, max_n=18)
    exact_oc(design, [0.1, 0.2, 0.3])
    assert state_graph(Boin(num_doses=3, target=0.3, max_n=18)) is state_graph(design)
    # True probabilities of 0 and 1 make some outcomes impossible; the graph built for (0, 1)
    # still gives them, with probability 0.
    tox = [0.0, 1.0, 1.0]
    select, dlt, n_at = path_enumeration(design, tox)
    oc = exact_oc(design, tox)
    np.testing.assert_allclose(oc.prob_select, select, rtol=0, atol=1e-12)
    np.testing.assert_allclose(oc.expected_n_at_dose, n_at, rtol=0, atol=1e-10)
    assert oc.expected_dlt == pytest.approx(dlt, abs=1e-10)


def test_counts_past_int8_merge_as_wider_integers() -> None:
    # 129 patients may reach one dose: counts are int32, and the exact computation still equals
    # the enumeration of every path (44^3 of them).
    design = Boin(num_doses=2, target=0.3, max_n=129, cohort_size=43)
    assert design.max_per_dose >= 127
    for tox in ([0.2, 0.35], [0.05, 0.6]):
        oc = exact_oc(design, tox)
        select, dlt, n_at = path_enumeration(design, tox)
        np.testing.assert_allclose(oc.prob_select, select, rtol=0, atol=1e-12)
        np.testing.assert_allclose(oc.expected_n_at_dose, n_at, rtol=0, atol=1e-9)
        assert oc.expected_dlt == pytest.approx(dlt, abs=1e-9)
