"""Where a Kaplan-Meier median limit is not reached (NR) and where it is not estimable (NE), and
which times S(t) can be asked at; checked by hand and against R survival::survfit."""

import math

import pytest

from hyposti.analysis.km import fit_kaplan_meier, limit_label
from hyposti.errors import InputError
from hyposti.report.format import median_ci


def test_every_event_at_one_time_gives_a_median_with_limits_not_estimable():
    # 5 patients, all die on day 10: S = 1 on [0, 10), 0 from 10. Greenwood at 10 is
    # d / (n (n - d)) = 5 / (5 x 0): the band is undefined where S falls to 0, so neither limit
    # can be read off it. R: survfit(Surv(rep(10, 5), rep(1, 5)) ~ 1) prints median 10,
    # 0.95LCL NA, 0.95UCL NA.
    median = fit_kaplan_meier([10] * 5, [1] * 5).median
    assert (median.value, median.lower, median.upper) == (10.0, None, None)
    assert not median.lower_estimable and not median.upper_estimable
    assert limit_label(median.lower, median.lower_estimable) == "NE"


def test_a_band_that_stays_above_one_half_is_not_reached():
    # Freireich 1963 6-MP arm, log transform: R prints median 23, 0.95LCL 16, 0.95UCL NA; the
    # upper band ends at t = 35 with S = 0.448 > 0, still defined and above 0.5: NR.
    times = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    events = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    median = fit_kaplan_meier(times, events, "log").median
    assert (median.value, median.lower, median.upper) == (23.0, 16.0, None)
    assert median.upper_estimable
    assert limit_label(median.upper, median.upper_estimable) == "NR"


def test_a_curve_that_never_falls_to_one_half_has_its_median_not_reached():
    # 4 patients, one death at 3, three censored at 5: S = 3/4 to the end
    fit = fit_kaplan_meier([3, 5, 5, 5], [1, 0, 0, 0])
    assert fit.median.value is None
    assert limit_label(fit.median.value) == "NR"


def test_the_report_prints_ne_and_nr_apart():
    median = fit_kaplan_meier([10] * 5, [1] * 5).median
    # median 10 days = 10 / (365.25 / 12) = 0.33 months
    assert median_ci(median) == "0.3 (NE–NE) months"


@pytest.mark.parametrize("time", [-5.0, -1e-9, math.nan, math.inf])
def test_survival_is_not_read_at_a_negative_or_undefined_time(time):
    # before this rule, at(-5) indexed position -1 and returned the last survival value
    fit = fit_kaplan_meier([3, 5, 5, 5], [1, 0, 0, 0])
    with pytest.raises(InputError) as info:
        fit.at([1.0, time])
    assert info.value.field == "at[1]"
    assert "a time must be a finite number >= 0" in str(info.value)


def test_survival_at_time_zero_is_one():
    (row,) = fit_kaplan_meier([3, 5, 5, 5], [1, 0, 0, 0]).at([0.0])
    assert (row.survival, row.n_at_risk) == (1.0, 4)
