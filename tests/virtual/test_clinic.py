"""The screening clinic: a candidate's outcome depends on its index and date only; arrivals."""

import datetime as dt

import pytest

from hyposti.protocol import load_protocol
from hyposti.virtual.clinic import DAYS_PER_MONTH, Clinic, screen_candidate
from hyposti.virtual.parameters import load_parameters

PROTOCOL = load_protocol()
PARAMS = load_parameters()


def test_a_candidate_is_the_same_whoever_screens_it_and_when_asked() -> None:
    clinic = Clinic(3, PARAMS, PROTOCOL)
    day = dt.date(2024, 5, 6)
    first = screen_candidate(clinic.setup, 17, day, 2, "expansion", None)
    again = screen_candidate(Clinic(3, PARAMS, PROTOCOL).setup, 17, day, 2, "expansion", None)
    assert first == again
    other = screen_candidate(clinic.setup, 18, day, 2, "expansion", None)
    assert other.candidate != first.candidate
    assert first.subject_id == "S00018"


def test_enrol_screens_until_one_is_eligible_and_keeps_the_failures() -> None:
    clinic = Clinic(4, PARAMS, PROTOCOL)
    open_date = dt.date(2024, 1, 1)
    entry, course = clinic.enrol(1, "escalation", 1, open_date, 4.0)
    assert entry is clinic.screened[-1] and entry.course is course
    assert all(s.result.status != "eligible" for s in clinic.screened[:-1])
    assert entry.result.status == "eligible" and course.dose_level == 1
    assert all(s.record.screening_date >= open_date for s in clinic.screened)
    dates = [s.record.screening_date for s in clinic.screened]
    assert dates == sorted(dates)


def test_arrival_gaps_average_the_screening_rate() -> None:
    clinic = Clinic(5, PARAMS, PROTOCOL)
    start = dt.date(2024, 1, 1)
    n, rate = 4_000, 10.0
    last = start
    for index in range(n):
        last = clinic.next_arrival(index, last, rate)
    mean_gap = (last - start).days / n
    # Exponential gaps rounded to whole days: mean DAYS_PER_MONTH / rate, SD of the mean ~1.6%.
    assert mean_gap == pytest.approx(DAYS_PER_MONTH / rate, rel=0.06)
