"""Efficacy endpoints of the hand-built example trial, derived by hand from its tables."""

import pytest
from scipy.stats import binomtest

from hyposti.analysis.censoring import AssessmentSchedule
from hyposti.analysis.efficacy import efficacy_analysis
from hyposti.analysis.tumour import assess_responses
from hyposti.data.example import example_dataset
from hyposti.protocol import load_protocol


@pytest.fixture(scope="module")
def eff():
    ds = example_dataset()
    protocol = load_protocol()
    schedule = AssessmentSchedule.from_protocol(protocol)
    return efficacy_analysis(ds, assess_responses(ds, protocol.response), schedule)


def by_id(eff):
    return {p.subject_id: p for p in eff.patients}


def test_best_response_per_patient(eff):
    p = by_id(eff)
    # S06 died on day 20 before any follow-up scan: MISSING (protocol reading missing_as_ne false).
    expected = ["PR", "SD", "CR", "SD", "PD", "MISSING"]
    assert [p[s].bor_confirmed for s in sorted(p)] == expected
    assert p["S04"].bor_unconfirmed == "PR"  # PR on day 28 not confirmed (SD on day 56)
    assert p["S01"].best_pct_change == pytest.approx(100 * (27 - 50) / 50)


def test_orr_dcr_with_exact_ci(eff):
    orr = eff.orr_confirmed["all"]
    ci = binomtest(2, 6).proportion_ci(method="exact")
    assert (orr.count, orr.n) == (2, 6)
    assert (orr.lower, orr.upper) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert eff.orr_unconfirmed["all"].count == 3
    assert eff.dcr["all"].count == 4
    assert eff.orr_confirmed["2"].count == 0
    ttr = eff.ttr_days
    assert (ttr.n, ttr.median, ttr.min, ttr.max) == (2, 28.0, 28.0, 28.0)


def test_pfs_events_and_censoring_rules(eff):
    pfs = {s: (p.pfs.time, p.pfs.event) for s, p in by_id(eff).items()}
    assert pfs == {
        "S01": (140, True),  # PD on day 140
        "S02": (84, True),  # PD on day 84
        "S03": (308, False),  # no event: last adequate scan
        "S04": (56, False),  # new therapy on day 100: last scan before it
        "S05": (28, False),  # PD on day 140 after missed scans on days 56 and 84
        "S06": (20, True),  # death before any scan
    }


def test_pfs_os_dor_kaplan_meier_by_hand(eff):
    # PFS: 20E 28C 56C 84E 140E 308C -> S = 5/6, 5/6*2/3, 5/6*2/3*1/2; median 140
    pfs = eff.pfs
    assert pfs.fit.median.value == 140
    six = pfs.at[0]
    assert six.months == 6
    assert six.estimate.survival == pytest.approx(5 / 6 * 2 / 3 * 1 / 2)
    assert six.estimate.n_at_risk == 1
    # OS: deaths on days 20 and 200; S(365.25) = 5/6 * 4/5; alive beyond it: 436, 496, 537
    os_ = eff.os
    assert os_.fit.median.value is None
    year = os_.at[1].estimate
    assert year.survival == pytest.approx(2 / 3) and year.n_at_risk == 3
    # DOR: S01 112 days (day 28 -> 140) event, S03 280 censored: S = 0.5 flat to the end,
    # median = midpoint of 112 and the last follow-up 280 (R quantile.survfit)
    assert eff.dor.fit.median.value == (112 + 280) / 2
