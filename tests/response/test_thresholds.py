"""The RECIST 1.1 size rules give the same answer on arrays as on single values, and the exact
answer of integer arithmetic (Eisenhauer 2009 s4.3.1)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.response.thresholds import meets_pd, meets_pr, target_gone

TENTHS = st.lists(st.integers(0, 3000), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(TENTHS, TENTHS)
def test_array_rules_equal_exact_integer_arithmetic(sums, others):
    # Sums in tenths of a millimetre; the exact rules in integers: PD needs 5 x increase >= nadir
    # and an increase >= 5 mm (50 tenths); PR needs 10 x decrease >= 3 x baseline.
    n = min(len(sums), len(others))
    s, o = np.array(sums[:n]), np.array(others[:n])
    increase = s - o
    exact_pd = (increase >= 50) & (5 * increase >= o)
    exact_pr = 10 * (o - s) >= 3 * o
    assert (meets_pd(s / 10, o / 10) == exact_pd).all()
    assert (meets_pr(s / 10, o / 10) == exact_pr).all()
    # The scalar form (the per-patient engine's) agrees element by element.
    assert [meets_pd(a / 10, b / 10) for a, b in zip(s.tolist(), o.tolist(), strict=True)] == (
        exact_pd.tolist()
    )


def test_published_boundaries():
    # s4.3.1: nadir 50 mm -> 60 mm is +20% and +10 mm: PD; nadir 20 mm -> 24 mm is +20% but only
    # +4 mm: not PD; an unknown sum (NaN) is never PD. Baseline 50 -> 35 mm is -30%: PR.
    assert meets_pd(60.0, 50.0) and not meets_pd(24.0, 20.0)
    assert not meets_pd(np.array([np.nan]), np.array([50.0]))[0]
    assert meets_pr(35.0, 50.0) and not meets_pr(35.1, 50.0)


def test_a_node_below_10mm_is_gone_a_non_node_only_at_0mm():
    # s4.3.1 CR: target nodes < 10 mm short axis, non-nodal targets disappeared.
    assert target_gone(9.9, True) and not target_gone(10.0, True)
    assert target_gone(0.0, False) and not target_gone(1.0, False)
    values, nodal = np.array([9.9, 10.0, 0.0, 1.0]), np.array([True, True, False, False])
    assert target_gone(values, nodal).tolist() == [True, False, True, False]
