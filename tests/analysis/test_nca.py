"""NCA against profiles computed by hand with the linear-up / log-down formulas written out;
the whole-table engine against the same hand calculation on random profiles."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.analysis.kinetics import nca_table
from hyposti.analysis.nca import BlqRule, nca_of_profiles, nca_profile
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


# The vectorised engine against the rules written out for one profile in plain Python floats, the
# way a hand check proceeds: BLQ placement (PKNCA conc.blq), day 0 assumed, linear-up/log-down
# intervals added left to right, AUCall's closing triangle, AUC0-28 interpolated at day 28.
def hand_nca(days, copies, lloq, rule, auc_end, zero_at_day0):
    samples = sorted((d, c) for d, c in zip(days, copies, strict=True) if d >= 0)
    below = [math.isnan(c) or c < lloq or c == 0 for _, c in samples]
    quantified = [i for i, b in enumerate(below) if not b]
    n_blq = sum(below)
    if not quantified:
        area = 0.0 if samples else None
        return (None, None, None, area, area, None, None, len(samples), n_blq)
    first, last = quantified[0], quantified[-1]
    curve = []
    for i, (d, c) in enumerate(samples):
        where = rule.leading if i < first else rule.trailing if i > last else rule.middle
        if not below[i]:
            curve.append((d, c))
        elif where == "zero":
            curve.append((d, 0.0))
    if zero_at_day0 and curve[0][0] > 0:
        curve.insert(0, (0.0, 0.0))

    def area(t1, c1, t2, c2):
        if 0 < c2 < c1:
            return log_down(c1, c2, t2 - t1)
        return linear(c1, c2, t2 - t1)

    def total(points):
        return sum(area(*a, *b) for a, b in itertools.pairwise(points))

    tlast, clast = samples[last]
    cmax = max(c for _, c in curve)
    tmax = next(d for d, c in curve if c == cmax)
    auc_last = total([p for p in curve if p[0] <= tlast])
    auc_all = auc_last + (linear(clast, 0.0, samples[last + 1][0] - tlast)
                          if last + 1 < len(samples) else 0.0)  # fmt: skip
    auc_end_value = None
    if curve[0][0] == 0 and curve[-1][0] >= auc_end:
        inside = [p for p in curve if p[0] <= auc_end]
        if inside[-1][0] < auc_end:
            (t1, c1), (t2, c2) = inside[-1], curve[len(inside)]
            frac = (auc_end - t1) / (t2 - t1)
            falling = 0 < c2 < c1
            level = c1 * (c2 / c1) ** frac if falling else c1 + frac * (c2 - c1)
            inside.append((auc_end, level))
        auc_end_value = total(inside)
    return (cmax, tmax, auc_end_value, auc_last, auc_all, clast, tlast, len(samples), n_blq)


def random_profiles(rng, n):
    grid = np.array([-7, -1, 0, 0.5, 1, 2, 3, 4, 7, 10, 14, 21, 27.5, 28, 28.5, 35, 56, 90, 180])
    for _ in range(n):
        k = int(rng.integers(1, 10))
        days = rng.permutation(rng.choice(grid, k, replace=False))
        copies = rng.lognormal(np.log(1000), 2.0, k)
        kind = rng.random(k)
        copies = np.where(kind < 0.15, np.nan, np.where(kind < 0.25, 0.0, copies))
        copies = np.where((kind >= 0.25) & (kind < 0.35), 3.0, copies)
        yield days, copies, float(rng.choice([0.0, 5.0, 10.0]))


RULES = [
    BlqRule(),
    BlqRule(trailing="zero"),
    BlqRule(leading="missing", middle="zero", trailing="zero"),
    BlqRule(leading="missing", middle="missing", trailing="missing"),
]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(("auc_end", "zero_at_day0"), [(28.0, True), (14.0, False), (30.0, True)])
def test_all_profiles_at_once_match_the_hand_calculation(rule, auc_end, zero_at_day0):
    profiles = list(random_profiles(np.random.default_rng(20261128), 300))
    sizes = [len(days) for days, _, _ in profiles]
    table = nca_of_profiles(
        np.repeat(np.arange(len(profiles)), sizes),
        np.concatenate([days for days, _, _ in profiles]),
        np.concatenate([copies for _, copies, _ in profiles]),
        np.repeat([lloq for _, _, lloq in profiles], sizes),
        len(profiles),
        rule,
        auc_end,
        zero_at_day0,
    )
    for i, (days, copies, lloq) in enumerate(profiles):
        got = table.result(i)
        expected = hand_nca(days.tolist(), copies.tolist(), lloq, rule, auc_end, zero_at_day0)
        fields = (got.cmax, got.tmax, got.auc_0_28, got.auc_last, got.auc_all, got.clast,
                  got.tlast, got.n_samples, got.n_blq)  # fmt: skip
        for value, truth in zip(fields, expected, strict=True):
            assert (value is None) == (truth is None)
            if truth is not None:
                assert value == pytest.approx(truth, rel=1e-12, abs=0)


def test_a_profile_among_others_gets_its_own_answer():
    # The hand-checked profiles above, shuffled together in one table: each is what it is alone.
    cases = [
        ([0, 7, 14, 35], [None, 1000, 250, 10], 5),
        ([0, 3, 7, 14, 21, 28], [0, 200, 800, 100, None, None], 10),
        ([0, 4, 7, 14, 21, 28], [None, 50, 3, 400, 100, 20], 10),
        ([-3, 7, 14], [None, 1000, 100], 10),
        ([0, 7, 14], [None, 2, None], 10),
        ([0, 7, 14, 21], [0, 1000, 100, 0], 0),
        ([0, 7, 14], [0, 0, None], 0),
    ]
    rows = [
        {"subject_id": f"S{i}", "matrix": "blood", "study_day": d, "copies_per_ug": c, "lloq": q}
        for i, (days, copies, q) in enumerate(cases)
        for d, c in zip(days, copies, strict=True)
    ]
    samples = pd.DataFrame(rows).sample(frac=1.0, random_state=3)
    for rule in RULES:
        table = nca_table(samples, rule).set_index("subject_id")
        for i, (days, copies, q) in enumerate(cases):
            alone = nca_profile(days, copies, lloq=q, blq=rule)
            row = table.loc[f"S{i}"]
            for name in ("cmax", "tmax", "auc_0_28", "auc_last", "auc_all", "clast", "tlast"):
                value = getattr(alone, name)
                assert (pd.isna(row[name]) and value is None) or row[name] == value
            assert list(row["notes"]) == list(alone.notes)
