"""PFS/DOR/OS event and censoring rules on constructed patients (FDA 2018 endpoints guidance)."""

import pytest

from hyposti.analysis.censoring import AssessmentSchedule, progression_event, survival_event
from hyposti.analysis.trial import analyze_trial
from hyposti.data.example import example_dataset
from hyposti.errors import InputError
from hyposti.protocol import load_protocol

SCHEDULE = AssessmentSchedule.from_protocol(load_protocol())


def test_schedule_is_the_protocols():
    # nct05681650.yaml: days 28, 56, 84; every 56 from 140 to 364; every 84 from 448 to 1036;
    # 1095. Windows +/-3 to day 28, +/-7 to day 180, +/-14 to day 1095.
    days = (28, 56, 84, 140, 196, 252, 308, 364, 448, 532, 616, 700, 784, 868, 952, 1036, 1095)
    assert SCHEDULE.days == days
    assert SCHEDULE.windows == (3, 7, 7, 7) + (14,) * 13
    assert SCHEDULE.describe().startswith("day 28 (+/-3 d); days 56, 84, 140 (+/-7 d); days 196, ")
    assert SCHEDULE.describe().endswith("1036, 1095 (+/-14 d)")


def test_window_decides_whether_a_scan_was_missed():
    # day-196 scan (+/-14): window 182..210; windows of 252, 308, 364 end by day 378 < 400.
    assert SCHEDULE.missed_between(181, 400) == 4
    # a scan on day 182 falls inside the day-196 window: that one is not missed
    assert SCHEDULE.missed_between(182, 400) == 3
    assert SCHEDULE.missed_between(181, 210) == 0  # window's end is not strictly before 210
    assert SCHEDULE.missed_between(181, 211) == 1


def test_protocol_without_schedule_is_refused_by_name():
    bare = load_protocol().model_copy(update={"schedule": None})
    with pytest.raises(InputError, match=r"protocol\.schedule") as err:
        AssessmentSchedule.from_protocol(bare)
    assert "missed-assessment" in str(err.value)
    with pytest.raises(InputError, match=r"protocol\.schedule"):
        analyze_trial(example_dataset(), bare)


def test_no_event_censors_at_last_adequate_assessment():
    r = progression_event("P", [28, 56, 84], None, None, None, SCHEDULE)
    assert (r.time, r.event) == (84, False)


def test_progression_at_the_next_scheduled_scan_is_an_event():
    r = progression_event("P", [28, 56, 84], 140, None, None, SCHEDULE)
    assert (r.time, r.event) == (140, True)


def test_progression_after_two_missed_scans_is_censored():
    # last adequate day 56; scans due on days 84 and 140 missed; PD on day 200
    r = progression_event("P", [28, 56], 200, None, None, SCHEDULE)
    assert (r.time, r.event) == (56, False)
    assert "2 missed" in r.reason
    one_missed = progression_event("P", [28, 56], 140, None, None, SCHEDULE)
    assert (one_missed.time, one_missed.event) == (140, True)
    # the progression scan itself is adequate but does not close the gap before it
    with_pd_scan = progression_event("P", [28, 140], 140, None, None, SCHEDULE)
    assert (with_pd_scan.time, with_pd_scan.event) == (28, False)


def test_new_therapy_before_progression_censors_at_last_scan_before_it():
    r = progression_event("P", [28, 56, 84, 140], 150, None, 100, SCHEDULE)
    assert (r.time, r.event) == (84, False)
    assert "new anticancer therapy" in r.reason
    after = progression_event("P", [28, 56], 56, None, 100, SCHEDULE)
    assert (after.time, after.event) == (56, True)


def test_earlier_of_progression_and_death():
    r = progression_event("P", [28, 56, 84], 84, 90, None, SCHEDULE)
    assert (r.time, r.event, r.reason) == (84, True, "progression on day 84")


def test_no_post_baseline_assessment():
    early_death = progression_event("P", [], None, 20, None, SCHEDULE)
    assert (early_death.time, early_death.event) == (20, True)
    late_death = progression_event("P", [], None, 400, None, SCHEDULE)
    assert (late_death.time, late_death.event) == (0, False)
    nothing = progression_event("P", [], None, None, None, SCHEDULE)
    assert (nothing.time, nothing.event) == (0, False)


def test_duration_of_response_runs_from_first_response():
    r = progression_event("P", [28, 56, 84], 140, None, None, SCHEDULE, origin_day=56)
    assert (r.time, r.event) == (84, True)
    censored = progression_event("P", [28, 56, 84], None, None, None, SCHEDULE, origin_day=28)
    assert (censored.time, censored.event) == (56, False)


def test_overall_survival():
    assert survival_event("P", 200, 200).event is True
    alive = survival_event("P", None, 365)
    assert (alive.time, alive.event) == (365, False)
