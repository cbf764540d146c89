"""Kaplan-Meier against R survival::survfit output and hand-worked small datasets."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.analysis.km import fit_kaplan_meier
from hyposti.errors import InputError

# Freireich et al. 1963 (Blood 21:699), 6-MP arm, weeks in remission; 0 = censored.
MP6 = [(6, 1), (6, 1), (6, 1), (6, 0), (7, 1), (9, 0), (10, 1), (10, 0), (11, 0), (13, 1),
       (16, 1), (17, 0), (19, 0), (20, 0), (22, 1), (23, 1), (25, 0), (32, 0), (32, 0), (34, 0),
       (35, 0)]  # fmt: skip
PLACEBO = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
Z = 1.959963984540054


def _mp6(conf_type: str = "log-log"):
    return fit_kaplan_meier([t for t, _ in MP6], [e for _, e in MP6], conf_type)


def test_6mp_curve_matches_r_summary_survfit():
    # R: summary(survfit(Surv(time, status) ~ 1, data = 6-MP arm)), printed to 3-4 digits
    fit = _mp6("log")
    expected = {6: (0.857, 0.0764, 0.720, 1.000), 7: (0.807, 0.0869, 0.653, 0.996),
                10: (0.753, 0.0963, 0.586, 0.968), 13: (0.690, 0.1068, 0.510, 0.935),
                16: (0.627, 0.1141, 0.439, 0.896), 22: (0.538, 0.1282, 0.337, 0.858),
                23: (0.448, 0.1346, 0.249, 0.807)}  # fmt: skip
    for t, (s, se, low, high) in expected.items():
        i = int(np.flatnonzero(fit.times == t)[0])
        assert fit.survival[i] == pytest.approx(s, abs=5e-4)
        assert fit.std_error[i] == pytest.approx(se, abs=5e-5)
        assert fit.lower[i] == pytest.approx(low, abs=5e-4)
        assert fit.upper[i] == pytest.approx(high, abs=5e-4)


def test_6mp_and_placebo_median_ci_match_r_default_log_transform():
    # R print(survfit(Surv(time, cens) ~ group, data = leuk)), conf.type = "log" (R's default):
    # 6-MP: median 23, 0.95LCL 16, 0.95UCL NA; placebo: median 8, 4, 12.
    mp = _mp6("log").median
    assert (mp.value, mp.lower, mp.upper) == (23.0, 16.0, None)
    pl = fit_kaplan_meier(PLACEBO, [1] * 21, "log").median
    assert (pl.value, pl.lower, pl.upper) == (8.0, 4.0, 12.0)


def test_ties_and_censoring_at_an_event_time_by_hand():
    # t: 1 E, 2 E, 2 E, 2 C, 3 E, 4 C, 5 E. The censored 2 is still at risk at t=2.
    fit = fit_kaplan_meier([1, 2, 2, 2, 3, 4, 5], [1, 1, 1, 0, 1, 0, 1], "plain")
    s1, s2, s3 = 6 / 7, 6 / 7 * 4 / 6, 6 / 7 * 4 / 6 * 2 / 3
    assert list(fit.times) == [0, 1, 2, 3, 4, 5]
    assert list(fit.n_at_risk) == [7, 7, 6, 3, 2, 1]
    np.testing.assert_allclose(fit.survival, [1, s1, s2, s3, s3, 0], atol=1e-12)
    var2 = 1 / (7 * 6) + 2 / (6 * 4)
    assert fit.std_error[2] == pytest.approx(s2 * math.sqrt(var2), rel=1e-12)
    assert fit.lower[2] == pytest.approx(s2 - Z * s2 * math.sqrt(var2), rel=1e-9)
    assert fit.median.value == 3.0  # first time S < 0.5


def test_median_on_an_exact_half_step_is_the_midpoint_like_a_sample_median():
    # Uncensored 1,2,3,4: S(2) = 0.5 exactly; the sample median is 2.5.
    assert fit_kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).median.value == 2.5
    assert fit_kaplan_meier([1, 2, 3, 4, 5], [1, 1, 1, 1, 1]).median.value == 3.0


def test_curve_flat_at_half_to_the_end_uses_last_follow_up_time():
    # 1 E, 2 E, 3 C, 4 C: S(2) = 3/4 * 2/3 = 0.5 and stays there to t = 4 (R quantile.survfit).
    assert fit_kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0]).median.value == 3.0


def test_median_not_reached_and_log_log_limits_by_hand():
    # 1 E, then 2, 3, 4 censored: S = 3/4 from t = 1 on, median not reached.
    fit = fit_kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0], "log-log")
    s, var = 0.75, 1 / (4 * 3)
    theta, half = math.log(-math.log(s)), Z * math.sqrt(var) / abs(math.log(s))
    lower, upper = math.exp(-math.exp(theta + half)), math.exp(-math.exp(theta - half))
    assert fit.lower[1] == pytest.approx(lower, rel=1e-12)
    assert fit.upper[1] == pytest.approx(upper, rel=1e-12)
    assert lower < 0.5 < upper
    assert (fit.median.value, fit.median.lower, fit.median.upper) == (None, 1.0, None)


def test_survival_at_times_and_number_at_risk():
    fit = _mp6()
    at = {r.time: r for r in fit.at([0, 6, 12, 23, 40])}
    assert at[0].survival == 1.0 and at[0].n_at_risk == 21
    assert at[6].n_at_risk == 21  # at risk just before 6 (time >= 6)
    assert at[12].survival == pytest.approx(0.753, abs=5e-4) and at[12].n_at_risk == 12
    assert at[23].n_at_risk == 6
    assert at[40].survival is None and at[40].n_at_risk == 0  # beyond follow-up


@pytest.mark.parametrize(
    ("times", "events", "field"),
    [([1, -2], [1, 1], "time[1]"), ([1, 2], [1, 2], "event[1]"), ([], [], "time")],
)
def test_bad_input_names_the_field(times, events, field):
    with pytest.raises(InputError) as err:
        fit_kaplan_meier(times, events)
    assert err.value.field == field


def test_unknown_transform_is_refused():
    with pytest.raises(InputError, match="conf_type"):
        fit_kaplan_meier([1], [1], "arcsine")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=40))
def test_uncensored_curve_is_the_empirical_survival_and_median_the_sample_median(times):
    fit = fit_kaplan_meier(times, [1] * len(times))
    data = np.asarray(times)
    for t, s in zip(fit.times, fit.survival, strict=True):
        assert s == pytest.approx(np.mean(data > t), abs=1e-12)
    assert fit.median.value == pytest.approx(float(np.median(data)))
