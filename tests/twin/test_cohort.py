"""Vectorised cohorts: scans written for the vectorised RECIST engine, checked by hand."""

import numpy as np

from hyposti.protocol import load_protocol
from hyposti.response.records import NonTargetStatus
from hyposti.response.trial import assess_trial
from hyposti.twin.cohort import REFERENCE, cohort_outcomes, recist_tables, scan_days
from hyposti.twin.gate import gate_from_parameters
from hyposti.twin.parameters import load_twin_parameters
from hyposti.virtual.parameters import load_parameters

PROTOCOL = load_protocol()


def test_scan_days_are_the_protocols_tumour_assessments():
    days = scan_days(PROTOCOL)
    assert days[:3].tolist() == [28.0, 56.0, 84.0]  # the calendar's first tumour visits
    assert np.all(np.diff(days) > 0)


def test_tables_by_hand():
    days = np.array([0.0, 28.0, 56.0, 84.0])
    sizes = np.array(
        [
            # Patient 0: targets 30 + 20 = 50 mm -> 28 (-44%) -> 27 -> 26: PR confirmed
            # (RECIST 1.1: -30% on two scans at least 4 weeks apart).
            [[30.0, 16.0, 15.0, 14.0], [20.0, 12.0, 12.0, 12.0], [np.nan] * 4],
            # Patient 1: 40 -> 42 -> 49 (+22.5% and +9 mm over the nadir 40): PD on day 56;
            # a non-target lesion stays put.
            [[40.0, 42.0, 49.0, 55.0], [10.0, 10.0, 10.0, 10.0], [np.nan] * 4],
        ]
    )
    is_target = np.array([[True, True, False], [True, False, False]])
    m, a = recist_tables(sizes, is_target, days, 1.73)
    assert len(m) == 3 * 4  # three target lesions, four scans each
    stable = NonTargetStatus.NON_CR_NON_PD.value
    assert a.loc[a["patient_id"] == "P000001", "non_target"].tolist() == ["present"] + 3 * [stable]
    out = assess_trial(m, a, PROTOCOL.response).set_index("patient_id")
    assert out.loc["P000000", "bor_confirmed"] == "PR"
    # Its only SD (day 28) is shorter than the protocol's minimum SD duration (42 days,
    # RECIST 1.1 s4.6), so the best response is PD.
    assert PROTOCOL.response.min_sd_days == 42
    assert out.loc["P000001", "bor_confirmed"] == "PD"
    assert out.loc["P000001", "progression_date"] == REFERENCE + np.timedelta64(56, "D")


def test_cohort_is_reproducible_and_complete():
    params, clinic = load_twin_parameters(), load_parameters()
    gate = gate_from_parameters(params, gated=True)
    runs = [
        cohort_outcomes(np.random.default_rng(9), params, clinic, gate, PROTOCOL, 3e6, 300)
        for _ in range(2)
    ]
    assert np.array_equal(runs[0].pfs_days, runs[1].pfs_days)
    out = runs[0]
    assert out.best_response.shape == (300,)
    assert set(out.best_response) <= {"CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"}
    assert np.all((out.pfs_days > 0) & (out.pfs_days <= PROTOCOL.schedule.end_day))
    assert np.all(np.isfinite(out.cmax)) and np.all(np.isfinite(out.auc_0_28))
    # A patient without a PFS event is censored at the end of follow-up.
    assert np.all(out.pfs_days[~out.pfs_event] == PROTOCOL.schedule.end_day)
