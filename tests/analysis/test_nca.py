"""NCA against profiles computed by hand with the linear-up / log-down formulas written out."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.analysis.nca import BlqRule, nca_profile
from hyposti.errors import InputError


def log_down(c1, c2, dt):
    return (c1 - c2) * dt / math.log(c1 / c2)


def linear(c1, c2, dt):
    return (c1 + c2) * dt / 2


def test_log_down_interpolation_at_day_28():
    r = nca_profile([0, 7, 14, 35], [None, 1000, 250, 10], lloq=5)
    c28 = 250 * (10 / 250) ** (14 / 21)  # log-linear between day 14 and day 35
    auc_to_14 = linear(0, 1000, 7) + log_down(1000, 250, 7)
    assert r.auc_0_28 == pytest.approx(auc_to_14 + log_down(250, c28, 14), rel=1e-12)
    assert r.auc_last == pytest.approx(auc_to_14 + log_down(250, 10, 21), rel=1e-12)
    assert (r.cmax, r.tmax, r.clast, r.tlast) == (1000, 7, 10, 35)


def test_falling_segment_to_zero_with_trailing_blq_as_zero():
    days, copies = [0, 3, 7, 14, 21, 28], [0, 200, 800, 100, None, None]
    auc_last = linear(0, 200, 3) + linear(200, 800, 4) + log_down(800, 100, 7)
    pknca = nca_profile(days, copies, lloq=10, blq=BlqRule(trailing="zero"))
    # 100 -> 0 cannot be log-trapezoid: linear; 0 -> 0 has no area.
    assert pknca.auc_0_28 == pytest.approx(auc_last + linear(100, 0, 7) + 0, rel=1e-12)
    assert pknca.auc_last == pytest.approx(auc_last, rel=1e-12)
    assert (pknca.tlast, pknca.clast) == (14, 100)
    default = nca_profile(days, copies, lloq=10)
    assert default.auc_last == pytest.approx(auc_last, rel=1e-12)
    assert default.auc_0_28 is None  # trailing BLQ missing: profile ends at day 14
    assert any("ends at day 14" in n for n in default.notes)


def test_middle_blq_dropped_or_zero():
    days, copies = [0, 4, 7, 14, 21, 28], [None, 50, 3, 400, 100, 20]
    tail = log_down(400, 100, 7) + log_down(100, 20, 7)
    dropped = nca_profile(days, copies, lloq=10)
    assert dropped.auc_0_28 == pytest.approx(linear(0, 50, 4) + linear(50, 400, 10) + tail)
    zero = nca_profile(days, copies, lloq=10, blq=BlqRule(middle="zero"))
    expected = linear(0, 50, 4) + linear(50, 0, 3) + linear(0, 400, 7) + tail
    assert zero.auc_0_28 == pytest.approx(expected, rel=1e-12)
    assert (dropped.cmax, dropped.tmax, dropped.n_blq) == (400, 14, 2)


def test_no_day_zero_sample_assumes_zero_and_ignores_pre_infusion():
    r = nca_profile([-3, 7, 14], [None, 1000, 100], lloq=10)
    assert r.auc_last == pytest.approx(linear(0, 1000, 7) + log_down(1000, 100, 7), rel=1e-12)
    assert r.auc_0_28 is None


def test_all_below_lloq():
    r = nca_profile([0, 7, 14], [None, 2, None], lloq=10)
    assert (r.cmax, r.tmax, r.clast, r.tlast, r.auc_last) == (None, None, None, None, 0.0)


@pytest.mark.parametrize(
    ("days", "copies", "field"),
    [([0, 7], [10, -5], "copies_per_ug[1]"), ([0, 0], [1, 2], "study_day")],
)
def test_bad_values_name_the_field(days, copies, field):
    with pytest.raises(InputError) as err:
        nca_profile(days, copies, lloq=1)
    assert err.value.field == field


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.5, 60), min_size=2, max_size=8, unique=True),
    st.floats(0.01, 0.5),
    st.floats(10, 1e5),
)
def test_log_down_is_exact_for_a_monoexponential_decline(days, k, c0):
    # C(t) = C0 exp(-k t) sampled from day 0: the integral is (C(0) - C(tlast)) / k exactly.
    t = np.sort(np.r_[0.0, days])
    c = c0 * np.exp(-k * t)
    r = nca_profile(t, c, lloq=0)
    assert r.auc_last == pytest.approx((c[0] - c[-1]) / k, rel=1e-9)
    if t[-1] >= 28:
        assert r.auc_0_28 == pytest.approx(c0 * (1 - math.exp(-28 * k)) / k, rel=1e-9)


# AUCall, as Phoenix WinNonlin and PKNCA's `aucall` define it: AUClast plus the linear triangle
# from (Tlast, Clast) to 0 at the first below-LLOQ sample after Tlast; later samples add nothing.
def test_auc_all_adds_the_triangle_to_the_first_blq_after_tlast():
    days, copies = [0, 3, 7, 14, 21, 28], [0, 200, 800, 100, None, None]
    auc_last = linear(0, 200, 3) + linear(200, 800, 4) + log_down(800, 100, 7)
    for rule in (BlqRule(), BlqRule(trailing="zero")):
        r = nca_profile(days, copies, lloq=10, blq=rule)
        assert r.auc_last == pytest.approx(auc_last, rel=1e-12)
        # 100 copies on day 14 to 0 on day 21: (100 + 0) x 7 / 2 = 350, nothing after day 21.
        assert r.auc_all == pytest.approx(auc_last + 350.0, rel=1e-12)


def test_auc_all_equals_auc_last_when_the_last_sample_is_quantifiable():
    r = nca_profile([0, 7, 14, 35], [None, 1000, 250, 10], lloq=5)
    assert r.auc_all == r.auc_last


def test_a_measured_zero_is_below_the_limit_so_clast_is_never_zero():
    # With LLOQ 0 a measured 0 on day 21 used to become Clast = 0 at Tlast = 21.
    r = nca_profile([0, 7, 14, 21], [0, 1000, 100, 0], lloq=0)
    assert (r.tlast, r.clast, r.n_blq) == (14, 100, 2)
    assert r.auc_last == pytest.approx(linear(0, 1000, 7) + log_down(1000, 100, 7), rel=1e-12)
    assert r.auc_all == pytest.approx(r.auc_last + 100 * 7 / 2, rel=1e-12)


def test_all_below_lloq_has_no_area_at_all():
    # PKNCA pk.calc.auxc: "If all conc input are zero, then the AU(M)C is zero."
    r = nca_profile([0, 7, 14], [0, 0, None], lloq=0)
    assert (r.auc_last, r.auc_all, r.clast) == (0.0, 0.0, None)
