"""BOIN against the published boundary tables, hand-computed selections and small exact cases."""

import math

import numpy as np
import pytest
from scipy.stats import beta as beta_dist

from hyposti.design import Boin, boin_boundaries, boin_lambdas, exact_oc, fit
from hyposti.design.boin import Reason
from hyposti.errors import InputError

# R package BOIN `get.boundary(target = 0.3, ncohort = 10, cohortsize = 3)`, $full_boundary_tab
# (Yan et al. 2020, J Stat Softw 94(13)), n = 1..30. Elimination for n = 21..30 is published in
# the per-cohort table only (n = 21, 24, 27, 30).
PUBLISHED_03_ESCALATE = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                         4, 5, 5, 5, 5, 6, 6, 6, 6, 7]  # fmt: skip
PUBLISHED_03_DEESCALATE = [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 7, 8,
                           8, 8, 9, 9, 9, 10, 10, 11, 11, 11]  # fmt: skip
PUBLISHED_03_ELIMINATE = [None, None, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 9, 10]
PUBLISHED_03_ELIMINATE_BY_COHORT = {21: 10, 24: 11, 27: 12, 30: 14}


def test_published_lambdas() -> None:
    """Liu & Yuan 2015: lambda_e, lambda_d = 0.2365, 0.3585 (0.30) and 0.1968, 0.2984 (0.25)."""
    assert boin_lambdas(0.3, 0.18, 0.42) == pytest.approx((0.2365, 0.3585), abs=5e-5)
    assert boin_lambdas(0.25, 0.15, 0.35) == pytest.approx((0.1968, 0.2984), abs=5e-5)


def test_published_boundary_table_target_030() -> None:
    table = boin_boundaries(0.3, 30)
    assert list(table.escalate_if_dlt_le) == PUBLISHED_03_ESCALATE
    assert list(table.deescalate_if_dlt_ge) == PUBLISHED_03_DEESCALATE
    assert list(table.eliminate_if_dlt_ge[:20]) == PUBLISHED_03_ELIMINATE
    for n, count in PUBLISHED_03_ELIMINATE_BY_COHORT.items():
        assert table.eliminate_if_dlt_ge[n - 1] == count


def test_boundary_table_target_025_from_published_lambdas() -> None:
    """Counts from the published lambdas (0.1968, 0.2984) and the Beta(1,1) safety rule."""
    table = boin_boundaries(0.25, 30)
    for n in range(1, 31):
        eliminate = next(
            (y for y in range(1, n + 1) if n >= 3 and beta_dist.sf(0.25, y + 1, n - y + 1) > 0.95),
            None,
        )
        down = math.floor(0.2984 * n) + 1
        assert table.escalate_if_dlt_le[n - 1] == math.floor(0.1968 * n), n
        assert table.deescalate_if_dlt_ge[n - 1] == (
            down if eliminate is None else min(down, eliminate)
        )
        assert table.eliminate_if_dlt_ge[n - 1] == eliminate


def test_boundaries_json_keys() -> None:
    data = boin_boundaries(0.3, 6).to_dict()
    assert set(data) >= {"lambda_e", "lambda_d", "escalate_if_dlt_le", "deescalate_if_dlt_ge",
                         "eliminate_if_dlt_ge"}  # fmt: skip
    assert data["eliminate_if_dlt_ge"][:2] == [None, None]


DESIGN = Boin(num_doses=5, target=0.3, max_n=30)


@pytest.mark.parametrize(
    ("history", "next_dose", "mtd"),
    [
        ("1NNN", 2, None),  # 0/3 <= 0: escalate
        ("1NNN 2NTN", 2, None),  # 1/3 between 0 and 2: stay
        ("1NNN 2NTT", 1, None),  # 2/3 >= 2: de-escalate
        ("1NNT", 1, None),  # 1/3 at dose 1: stay
        ("1NTT", 1, None),  # de-escalation impossible at dose 1: stay
        ("1TTT", None, None),  # 3/3 eliminates dose 1 and above: stop, no MTD
        ("1NNN 2TTT", 1, None),  # 3/3 eliminates dose 2 and above
        ("1NNN 2TTT 1NNN", 1, None),  # escalation blocked: dose 2 is eliminated
        ("1NNN 2NNN 3NNN 4NNN 5NNN", 5, None),  # top dose: stay
    ],
)
def test_decisions_follow_the_published_table(history: str, next_dose: int, mtd: int) -> None:
    decision = fit(DESIGN, history)
    assert (decision.next_dose, decision.mtd) == (next_dose, mtd)
    assert decision.reason


def test_selection_pools_violators_by_inverse_variance() -> None:
    """n = 3, 3, 3 with y = 1, 0, 1: PAVA pools doses 1-2 to 0.0374 (by hand), dose 3 is 0.339."""
    n = np.array([[3, 3, 3, 0, 0]])
    y = np.array([[1, 0, 1, 0, 0]])
    out = np.array([6])
    assert Boin(5, 0.3, 30).select_mtd(n, y, out).tolist() == [3]
    # Both pooled doses lie below a target of 0.1 at the same distance: the higher one wins.
    assert Boin(5, 0.1, 30).select_mtd(n, y, out).tolist() == [2]


def test_selection_tie_above_target_takes_the_lower_dose() -> None:
    """n = 3, 3 with y = 2, 1 pool (equal weights) to 0.5, above 0.3: the lower dose is chosen."""
    n = np.array([[3, 3, 0]])
    y = np.array([[2, 1, 0]])
    assert Boin(3, 0.3, 30).select_mtd(n, y, np.array([4])).tolist() == [1]


def test_selection_of_a_monotone_history() -> None:
    """npts 3,3,15,9,0 and ntox 0,0,4,4,0: estimates .016,.016,.268,.445: dose 3 is closest."""
    n = np.array([[3, 3, 15, 9, 0]])
    y = np.array([[0, 0, 4, 4, 0]])
    assert DESIGN.select_mtd(n, y, np.array([6])).tolist() == [3]


@pytest.mark.parametrize("p", [0.1, 0.3, 0.6])
def test_one_dose_two_cohorts_by_hand(p: float) -> None:
    """Eliminated at 3/3 or at >= 4/6 (published table), otherwise the only dose is the MTD."""
    b3 = [math.comb(3, k) * p**k * (1 - p) ** (3 - k) for k in range(4)]
    none = b3[3] + sum(b3[y1] * sum(b3[y2] for y2 in range(4) if y1 + y2 >= 4) for y1 in range(3))
    oc = exact_oc(Boin(num_doses=1, target=0.3, max_n=6), [p])
    np.testing.assert_allclose(oc.prob_select, [none, 1 - none], atol=1e-12)
    assert oc.expected_n == pytest.approx(3 + 3 * (1 - b3[3]), abs=1e-12)


@pytest.mark.parametrize(("p1", "p2"), [(0.1, 0.3), (0.3, 0.5)])
def test_two_doses_two_cohorts_by_hand(p1: float, p2: float) -> None:
    """0/3 at dose 1 escalates; dose 2 is then chosen only with 0/3 or 1/3 (closer to 0.3)."""
    q1, q2 = 1 - p1, 1 - p2
    b1 = [math.comb(3, k) * p1**k * q1 ** (3 - k) for k in range(4)]
    select_2 = q1**3 * (q2**3 + 3 * p2 * q2**2)
    none = b1[3] + sum(b1[y1] * sum(b1[y2] for y2 in range(4) if y1 + y2 >= 4) for y1 in (1, 2))
    oc = exact_oc(Boin(num_doses=2, target=0.3, max_n=6), [p1, p2])
    np.testing.assert_allclose(oc.prob_select, [none, 1 - none - select_2, select_2], atol=1e-12)


def test_early_stop_when_staying_with_enough_patients() -> None:
    design = Boin(num_doses=3, target=0.3, max_n=30, n_earlystop=6)
    decision = fit(design, "1NNN 2NTN 2NNN")  # 1/6 at dose 2: escalate, not stay
    assert decision.next_dose == 3
    decision = fit(design, "1NNN 2NTN 2NTN")  # 2/6: stay, with 6 patients there: stop
    assert decision.stop and decision.mtd == 2
    assert "n_earlystop" in decision.reason


def test_cap_stops_and_selects() -> None:
    design = Boin(num_doses=3, target=0.3, max_n=6)
    decision = fit(design, "1NNN 2NTN")
    assert decision.stop and decision.mtd == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target": 1.3}, "target"),
        ({"target": 0.0}, "target"),
        ({"phi1": 0.4}, "phi1"),
        ({"phi2": 0.2}, "phi2"),
        ({"max_n": 31}, "max_n"),
        ({"n_earlystop": 0}, "n_earlystop"),
    ],
)
def test_bad_parameters_name_the_field(kwargs: dict, field: str) -> None:
    params = {"num_doses": 3, "target": 0.3, "max_n": 30} | kwargs
    with pytest.raises(InputError) as err:
        Boin(**params)
    assert err.value.field == field


def test_more_patients_than_max_n_is_refused() -> None:
    with pytest.raises(InputError, match="max_n"):
        fit(Boin(num_doses=2, target=0.3, max_n=3), "1NNN 2NNN")


def scalar_pava(values: list[float], weights: list[float]) -> list[float]:
    """Weighted pool-adjacent-violators, one block at a time (Barlow et al. 1972)."""
    blocks: list[list[float]] = []  # [sum of w * v, sum of w, entries]
    for v, w in zip(values, weights, strict=True):
        blocks.append([w * v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            wv, w_sum, count = blocks.pop()
            blocks[-1][0] += wv
            blocks[-1][1] += w_sum
            blocks[-1][2] += count
    return [b[0] / b[1] for b in blocks for _ in range(int(b[2]))]


def scalar_select_mtd(design: Boin, n: list[int], y: list[int], first_out: int) -> int:
    """R package BOIN `select.mtd`, one trial: PAVA on the treated doses not eliminated."""
    doses = [j for j in range(1, first_out) if n[j - 1] > 0]
    if not doses:
        return 0
    p_hat = [(y[j - 1] + 0.05) / (n[j - 1] + 0.1) for j in doses]
    variance = [
        (y[j - 1] + 0.05)
        * (n[j - 1] - y[j - 1] + 0.05)
        / ((n[j - 1] + 0.1) ** 2 * (n[j - 1] + 1.1))
        for j in doses
    ]
    fitted = scalar_pava(p_hat, [1 / v for v in variance])
    distance = [abs(p + rank * 1e-10 - design.target) for rank, p in enumerate(fitted, start=1)]
    return doses[distance.index(min(distance))]


def scalar_decision(design: Boin, n: list[int], y: list[int], d: int) -> tuple[int, int, int]:
    """(next dose, MTD, reason) for one state, written out as R package BOIN `get.oc` reads.

    Liu & Yuan 2015, section 2, with the published boundary table (boin_boundaries, checked
    against R above): eliminate a dose with y >= the elimination count (and every dose above
    it), de-escalate if y >= the de-escalation count unless at dose 1, else escalate if y <= the
    escalation count unless the next dose is out or there is none (a count can meet both only
    with extreme parameters), stop at n_earlystop when staying, stop at max_n, and select the
    MTD by isotonic regression.
    """
    table = design.boundaries()
    eliminated = [
        n_j > 0 and table.eliminate_if_dlt_ge[n_j - 1] is not None
        and y_j >= table.eliminate_if_dlt_ge[n_j - 1]
        for n_j, y_j in zip(n, y, strict=True)
    ]  # fmt: skip
    first_out = eliminated.index(True) + 1 if any(eliminated) else design.num_doses + 1
    if first_out == 1:
        return 0, 0, Reason.NO_SAFE_DOSE
    nd, yd = n[d - 1], y[d - 1]
    if d >= first_out:
        next_dose, code = first_out - 1, Reason.ELIMINATED
    elif yd >= table.deescalate_if_dlt_ge[nd - 1]:
        next_dose, code = (d - 1, Reason.DEESCALATE) if d > 1 else (d, Reason.STAY_AT_BOTTOM)
    elif yd <= table.escalate_if_dlt_le[nd - 1]:
        if d < design.num_doses and d + 1 < first_out:
            next_dose, code = d + 1, Reason.ESCALATE
        else:
            next_dose, code = d, Reason.STAY_AT_TOP
    else:
        next_dose, code = d, Reason.STAY
    if design.n_earlystop is not None and nd >= design.n_earlystop and next_dose == d:
        return 0, scalar_select_mtd(design, n, y, first_out), Reason.EARLY_STOP
    if sum(n) >= design.max_n:
        return 0, scalar_select_mtd(design, n, y, first_out), Reason.CAP
    return next_dose, 0, code


@pytest.mark.parametrize(
    "design",
    [
        Boin(num_doses=5, target=0.3, max_n=30),
        Boin(num_doses=4, target=0.25, max_n=24, n_earlystop=9),
        Boin(num_doses=5, target=0.3, max_n=15, start_dose=3),
        Boin(num_doses=3, target=0.35, max_n=18, cohort_size=2, phi1=0.2, phi2=0.5,
             elimination_cutoff=0.9),
        Boin(num_doses=4, target=0.2, max_n=12, cohort_size=1),
        # Counts 1/3, 2/6 and 3/9 meet both boundaries.
        Boin(num_doses=3, target=0.35, max_n=18, phi1=0.3325, elimination_cutoff=0.51),
    ],
    ids=repr,
)  # fmt: skip
def test_vectorised_decisions_equal_the_rule_state_by_state(design: Boin) -> None:
    """Every state a trial can reach, cohort by cohort, decided at once as exact_oc does."""
    size = design.cohort_size
    layer = {((0,) * design.num_doses, (0,) * design.num_doses, design.start_dose)}
    checked = 0
    while layer:
        children = set()
        for n, y, d in layer:
            for dlts in range(size + 1):
                n_child, y_child = list(n), list(y)
                n_child[d - 1] += size
                y_child[d - 1] += dlts
                children.add((tuple(n_child), tuple(y_child), d))
        states = sorted(children)
        step = design.step(
            np.array([s[0] for s in states], dtype=np.int8),
            np.array([s[1] for s in states], dtype=np.int8),
            np.array([s[2] for s in states]),
        )
        layer = set()
        for i, (n, y, d) in enumerate(states):
            expected = scalar_decision(design, list(n), list(y), d)
            got = (int(step.next_dose[i]), int(step.mtd[i]), int(step.code[i]))
            assert got == expected, (n, y, d)
            if expected[0]:
                layer.add((n, y, expected[0]))
        checked += len(states)
    assert checked > 100


def test_selection_reads_each_states_own_eliminated_dose() -> None:
    """Equal counts, different lowest eliminated dose: npts 3,3,15,9 and ntox 0,0,4,4 pick dose 3
    with every dose admissible (test above) and dose 2 with dose 3 out (estimates .016, .016)."""
    n = np.array([[3, 3, 15, 9, 0]] * 2)
    y = np.array([[0, 0, 4, 4, 0]] * 2)
    assert DESIGN.select_mtd(n, y, np.array([6, 3])).tolist() == [3, 2]


@pytest.mark.parametrize(
    ("n", "y", "current", "field"),
    [
        ([[3, 0, 0]], [[4, 0, 0]], [1], "y"),
        ([[31, 0, 0]], [[0, 0, 0]], [1], "n"),
        ([[3, 0, 0]], [[-1, 0, 0]], [1], "y"),
        ([[3, 0, 0]], [[0, 0, 0]], [4], "current"),
        ([[3.0, 0, 0]], [[0, 0, 0]], [1], "n"),
        ([3, 0, 0], [0, 0, 0], [1], "n"),
    ],
)
def test_impossible_counts_are_refused_naming_the_field(
    n: list, y: list, current: list[int], field: str
) -> None:
    design = Boin(num_doses=3, target=0.3, max_n=30)
    with pytest.raises(InputError) as err:
        design.step(np.array(n), np.array(y), np.array(current))
    assert err.value.field == field
