"""ADTTE dates and censoring against admiral's own test cases of ``derive_param_tte()``.

Source: pharmaverse/admiral, tests/testthat/test-derive_param_tte.R (commit 020c9d7a): test 1
(OS: death is the event, censored at the last date known alive), test 2 (PFS: progression or
death is the event, censored at the last tumour assessment, or at treatment start without one)
and test 3 (duration of response from the first response). Inputs and the expected ADT / CNSR
are transcribed; hyposti's rules (hyposti.analysis.censoring) produce the time and ADTTE's
record turns it into ADT = STARTDT + AVAL. No scheduled assessment is missed in these cases, so
the protocol's missed-assessment rule cannot apply (empty schedule).
"""

import datetime as dt

import pytest

from hyposti.analysis.censoring import AssessmentSchedule, progression_event, survival_event
from hyposti.standards.adam_adtte import tte_record

D = dt.date.fromisoformat
NO_SCHEDULE = AssessmentSchedule((), ())


def _days(date, start):
    return None if date is None else float((D(date) - D(start)).days)


def _adt_cnsr(start, tte):
    row = tte_record({}, "PFS", D(start), tte.time, tte.event, tte.reason)
    return row["ADT"].isoformat(), row["CNSR"]


# (subject, start, assessment dates, progression date, death date, expected ADT, expected CNSR)
PFS_TEST_2 = [
    ("01", "2021-01-01", ["2021-01-03", "2021-03-04", "2021-05-05"], "2021-05-05", "2021-06-12",
     "2021-05-05", 0),
    ("02", "2021-02-03", ["2021-02-03"], "2021-02-03", None, "2021-02-03", 0),
    ("03", "2021-08-10", [], None, "2021-08-21", "2021-08-21", 0),
    ("04", "2021-02-03", ["2021-02-13", "2021-04-14", "2021-05-15"], None, None, "2021-05-15", 1),
    ("05", "2021-04-05", [], None, None, "2021-04-05", 1),
]  # fmt: skip


@pytest.mark.parametrize(("sid", "start", "scans", "pd", "death", "adt", "cnsr"), PFS_TEST_2)
def test_pfs_admiral_test_2(sid, start, scans, pd, death, adt, cnsr):
    tte = progression_event(sid, [_days(s, start) for s in scans], _days(pd, start),
                            _days(death, start), None, NO_SCHEDULE)  # fmt: skip
    assert _adt_cnsr(start, tte) == (adt, cnsr)


# test 3: DOR from the first response date RSPDT (subjects 01 and 04 have one)
DOR_TEST_3 = [
    ("01", "2021-01-01", "2021-03-04", ["2021-01-03", "2021-03-04", "2021-05-05"], "2021-05-05",
     "2021-06-12", "2021-05-05", 0),
    ("04", "2021-02-03", "2021-04-14", ["2021-02-13", "2021-04-14", "2021-05-15"], None, None,
     "2021-05-15", 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sid", "origin", "rspdt", "scans", "pd", "death", "adt", "cnsr"), DOR_TEST_3
)
def test_dor_admiral_test_3(sid, origin, rspdt, scans, pd, death, adt, cnsr):
    # times are counted from the infusion as the analysis does, DOR from the response day
    tte = progression_event(
        sid,
        [_days(s, origin) for s in scans],
        _days(pd, origin),
        _days(death, origin),
        None,
        NO_SCHEDULE,
        _days(rspdt, origin),
    )
    assert _adt_cnsr(rspdt, tte) == (adt, cnsr)  # fmt: skip


@pytest.mark.parametrize(
    ("start", "death", "last_alive", "adt", "cnsr"),
    [
        ("2021-08-10", "2021-08-21", "2021-08-21", "2021-08-21", 0),  # subject 03
        ("2021-02-03", None, "2021-05-24", "2021-05-24", 1),  # subject 04
    ],
)
def test_os_admiral_test_1(start, death, last_alive, adt, cnsr):
    tte = survival_event("s", _days(death, start), _days(last_alive, start))
    assert _adt_cnsr(start, tte) == (adt, cnsr)
