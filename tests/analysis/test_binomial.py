"""Clopper-Pearson intervals against scipy's exact binomial interval (an independent route)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from hyposti.analysis.binomial import clopper_pearson
from hyposti.errors import InputError


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_matches_scipy_binomtest_exact(case):
    x, n = case
    ci = binomtest(x, n).proportion_ci(confidence_level=0.95, method="exact")
    p = clopper_pearson(x, n)
    assert p.rate == x / n
    assert p.lower == pytest.approx(ci.low, abs=1e-12)
    assert p.upper == pytest.approx(ci.high, abs=1e-12)


def test_published_example_and_edges():
    # 0/10: upper = 1 - 0.025^(1/10) = 0.3085 (closed form when x = 0)
    p = clopper_pearson(0, 10)
    assert p.lower == 0.0 and p.upper == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-12)
    q = clopper_pearson(10, 10)
    assert q.upper == 1.0 and q.lower == pytest.approx(0.025 ** (1 / 10), rel=1e-12)
    empty = clopper_pearson(0, 0)
    assert (empty.rate, empty.lower, empty.upper) == (None, None, None)


@pytest.mark.parametrize(("x", "n", "field"), [(7, 6, "responders"), (-1, 6, "responders"),
                                               (1, -2, "n")])  # fmt: skip
def test_bad_counts_name_the_field(x, n, field):
    with pytest.raises(InputError) as err:
        clopper_pearson(x, n)
    assert err.value.field == field
