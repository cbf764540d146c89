"""Cross-table integrity: each rule on a copy of the example dataset corrupted in one place.

The example's dates (hyposti.data.example): S01 enrolled 2023-12-21, infused 2024-01-10, baseline
scan 2023-12-31; S02 infused 2024-02-01, died 2024-08-19; S05 has the one DLT (AE08, CRS grade 3);
S06 infused 2024-05-10, died 2024-05-30; S07 enrolled, never infused. Row numbers are 1-based.
"""

import datetime as dt

import pandas as pd
import pytest

from hyposti.analysis import analyze_trial
from hyposti.cli.main import run
from hyposti.data import DatasetError, TrialDataset, write_dataset
from hyposti.data.example import example_dataset, example_frames
from hyposti.data.validate import validate_frames


def _found(frames) -> dict[tuple, str]:
    """Every violation as (table, row, column) -> rule; two rules on one cell joined by ' | '."""
    with pytest.raises(DatasetError) as err:
        TrialDataset.from_frames(**frames)
    found: dict[tuple, str] = {}
    for v in err.value.violations:
        key = (v.table, v.row, v.column)
        found[key] = f"{found[key]} | {v.rule}" if key in found else v.rule
    return found


def _row(frame: pd.DataFrame, **match) -> int:
    """0-based index of the one row matching every column=value."""
    hit = frame.index[(frame[list(match)] == pd.Series(match)).all(axis=1)]
    assert len(hit) == 1
    return int(hit[0])


def test_the_example_dataset_passes_every_integrity_rule():
    assert len(validate_frames(example_frames())["subjects"]) == 8


def test_an_infused_subject_without_a_car_t_row_is_refused_by_check_and_analysis(tmp_path):
    frames = example_frames()
    ex = frames["exposure"]
    frames["exposure"] = ex.drop(index=_row(ex, subject_id="S03", dose_unit="cells/kg"))
    assert _found(frames) == {
        ("subjects", 3, "infusion_date"): "subject S03 is recorded as infused on 2024-02-20 but "
        "exposure has no CAR-T row (cells/kg) on that date"
    }
    # the API: a dataset assembled without validation is still refused before any count
    typed = example_dataset().tables()
    typed["exposure"] = typed["exposure"].loc[
        ~(
            (typed["exposure"]["subject_id"] == "S03")
            & (typed["exposure"]["dose_unit"] == "cells/kg")
        )
    ]
    with pytest.raises(DatasetError, match="subjects row 3 column 'infusion_date'"):
        analyze_trial(TrialDataset(**typed))
    # the command line: data check, analyze and report exit 2 naming table, row and column
    write_dataset(TrialDataset(**example_dataset().tables()), tmp_path, "csv")
    path = tmp_path / "exposure.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(li for li in lines if not li.startswith("S03,HypoSti")) + "\n")
    for argv in (["data", "check", str(tmp_path)], ["analyze", str(tmp_path)],
                 ["report", str(tmp_path), "-o", str(tmp_path / "r.html")]):  # fmt: skip
        assert run(argv) == 2


def test_a_car_t_row_off_the_infusion_date_is_refused_on_both_sides():
    frames = example_frames()
    i = _row(frames["exposure"], subject_id="S01", dose_unit="cells/kg")
    frames["exposure"].loc[i, "administration_date"] = dt.date(2024, 1, 11)
    frames["exposure"].loc[i, "study_day"] = 1
    found = _found(frames)
    assert found[("exposure", i + 1, "administration_date")] == (
        "a CAR-T administration to subject S01 on 2024-01-11 is not the subject's "
        "infusion_date in subjects"
    )
    assert ("subjects", 1, "infusion_date") in found
    assert len(found) == 2


def test_a_product_given_before_enrolment_is_refused():
    frames = example_frames()
    i = _row(frames["exposure"], subject_id="S01", product="nab-paclitaxel")
    # 2023-12-20 is one day before S01's enrolment (2023-12-21) and 21 days before infusion
    frames["exposure"].loc[i, "administration_date"] = dt.date(2023, 12, 20)
    frames["exposure"].loc[i, "study_day"] = -21
    assert _found(frames) == {
        ("exposure", i + 1, "administration_date"): "2023-12-20 is before subject S01's "
        "enrolment_date: no study product is given before enrolment"
    }


def test_an_exposure_study_day_must_count_from_the_infusion():
    frames = example_frames()
    i = _row(frames["exposure"], subject_id="S01", product="nab-paclitaxel")
    frames["exposure"].loc[i, "study_day"] = -4  # 2024-01-05 is 5 days before 2024-01-10
    assert _found(frames) == {
        ("exposure", i + 1, "study_day"): "day -4 does not match 2024-01-05, which is day -5 "
        "from the subject's infusion"
    }


def test_a_death_before_the_infusion_is_refused():
    frames = example_frames()
    d = frames["disposition"]
    i = _row(d, subject_id="S06")
    for column in ("death_date", "last_contact_date", "off_study_date"):
        d.loc[i, column] = dt.date(2024, 5, 9)
    found = _found(frames)
    assert found[("disposition", i + 1, "death_date")] == (
        "2024-05-09 is before subject S06's infusion_date 2024-05-10 in subjects"
    )


@pytest.mark.parametrize("column", ["progression_date", "new_therapy_date", "last_contact_date"])
def test_a_time_to_event_date_before_the_infusion_is_refused(column):
    # S03 was infused 2024-02-20; a date the day before would give a negative PFS or OS time
    frames = example_frames()
    d = frames["disposition"]
    i = _row(d, subject_id="S03")
    d.loc[i, column] = dt.date(2024, 2, 19)
    assert _found(frames)[("disposition", i + 1, column)] == (
        "2024-02-19 is before subject S03's infusion_date 2024-02-20 in subjects"
    )


def test_progression_or_new_therapy_after_death_is_refused():
    frames = example_frames()
    d = frames["disposition"]
    i = _row(d, subject_id="S02")
    d.loc[i, "new_therapy_date"] = dt.date(2024, 9, 1)
    assert _found(frames) == {
        ("disposition", i + 1, "new_therapy_date"): "2024-09-01 is after the death_date 2024-08-19"
    }


@pytest.mark.parametrize(
    ("subject", "reason", "column", "rule"),
    [
        ("S07", "death", "death_date", "off_study_reason is 'death' but no death_date is recorded"),
        ("S02", "progression", "off_study_reason", "'progression' for a subject who died on "
         "2024-08-19"),
        ("S04", "screen failure", "off_study_reason", "'screen failure' for subject S04, infused "
         "on 2024-04-01"),
    ],
)  # fmt: skip
def test_the_off_study_reason_agrees_with_death_and_infusion(subject, reason, column, rule):
    frames = example_frames()
    d = frames["disposition"]
    i = _row(d, subject_id=subject)
    d.loc[i, "off_study_reason"] = reason
    assert _found(frames) == {("disposition", i + 1, column): rule}


def _move_scan(frames, subject: str, old: dt.date, new: dt.date) -> int:
    """Re-date one scan in tumour_assessments and its lesion_measurements; the scan's row."""
    ta, lm = frames["tumour_assessments"], frames["lesion_measurements"]
    i = _row(ta, subject_id=subject, assessment_date=old)
    ta.loc[i, "assessment_date"] = new
    lm.loc[(lm["subject_id"] == subject) & (lm["assessment_date"] == old), "assessment_date"] = new
    return i


def test_a_baseline_scan_after_the_infusion_is_refused():
    frames = example_frames()
    # S06: baseline 2024-04-30, infusion 2024-05-10, no follow-up scan
    i = _move_scan(frames, "S06", dt.date(2024, 4, 30), dt.date(2024, 5, 12))
    assert _found(frames) == {
        ("tumour_assessments", i + 1, "assessment_date"): "baseline scan 2024-05-12 is after "
        "subject S06's infusion 2024-05-10; a baseline precedes treatment"
    }


def test_a_follow_up_scan_before_the_baseline_or_the_infusion_is_refused():
    frames = example_frames()
    # S01: baseline 2023-12-31, infusion 2024-01-10, first follow-up 2024-02-07
    i = _move_scan(frames, "S01", dt.date(2024, 2, 7), dt.date(2023, 12, 30))
    assert _found(frames) == {
        ("tumour_assessments", i + 1, "assessment_date"): "follow-up scan 2023-12-30 is not after "
        "subject S01's baseline scan 2023-12-31 | follow-up scan 2023-12-30 is before subject "
        "S01's infusion 2024-01-10; response is assessed after it"
    }
    frames = example_frames()
    i = _move_scan(frames, "S01", dt.date(2024, 2, 7), dt.date(2024, 1, 5))
    assert _found(frames) == {
        ("tumour_assessments", i + 1, "assessment_date"): "follow-up scan 2024-01-05 is before "
        "subject S01's infusion 2024-01-10; response is assessed after it"
    }


def test_a_kinetics_study_day_must_count_from_the_infusion():
    frames = example_frames()
    k = frames["kinetics"]
    i = _row(k, subject_id="S01", matrix="blood", study_day=4)
    k.loc[i, "study_day"] = 5  # sampled 2024-01-14 = infusion 2024-01-10 + 4 days
    assert _found(frames) == {
        ("kinetics", i + 1, "study_day"): "day 5 does not match sample_date 2024-01-14, day 4 "
        "from the infusion"
    }


def test_the_dlt_window_opens_at_the_infusion_and_runs_forward():
    frames = example_frames()
    dlt = frames["dlt_evaluations"]
    dlt.loc[_row(dlt, subject_id="S01"), "window_start"] = dt.date(2024, 1, 11)
    dlt.loc[_row(dlt, subject_id="S02"), "window_end"] = dt.date(2024, 1, 31)
    assert _found(frames) == {
        ("dlt_evaluations", 1, "window_start"): "2024-01-11 is not subject S01's infusion_date "
        "2024-01-10; the DLT window opens at the infusion",
        ("dlt_evaluations", 2, "window_end"): "2024-01-31 is before window_start 2024-02-01",
    }


def test_an_infused_subject_needs_a_dose_level():
    frames = example_frames()
    s = frames["subjects"].astype(object)
    s.loc[_row(s, subject_id="S04"), "dose_level"] = None
    frames["subjects"] = s
    assert _found(frames) == {
        ("subjects", 4, "dose_level"): "infused subject S04 has no dose level"
    }


def test_dlt_flags_agree_between_adverse_events_and_dlt_evaluations():
    frames = example_frames()
    ae = frames["adverse_events"]
    ae.loc[_row(ae, ae_id="AE08"), "dlt"] = False  # S05's only DLT event
    ae.loc[_row(ae, ae_id="AE02"), "dlt"] = True  # S01, evaluated without a DLT
    assert _found(frames) == {
        ("dlt_evaluations", 5, "dlt"): "subject S05 has a DLT but no adverse event with dlt = true",
        ("dlt_evaluations", 1, "dlt"): "subject S01 has an adverse event with dlt = true but "
        "dlt = false",
    }


def test_an_adverse_event_before_consent_and_a_scan_after_death_are_refused():
    frames = example_frames()
    ae = frames["adverse_events"]
    ae.loc[_row(ae, ae_id="AE03"), "onset_date"] = dt.date(2023, 12, 1)  # S02 consented 2024-01-02
    found = _found(frames)
    assert found[("adverse_events", 3, "onset_date")] == (
        "2023-12-01 is before the subject's consent_date 2024-01-02 (subject S02)"
    )
    frames = example_frames()
    # S02 died 2024-08-19; its last scan 2024-04-25 moved past the death
    i = _move_scan(frames, "S02", dt.date(2024, 4, 25), dt.date(2024, 8, 20))
    assert _found(frames)[("tumour_assessments", i + 1, "assessment_date")] == (
        "2024-08-20 is after the subject's death_date 2024-08-19 (subject S02)"
    )


def test_the_escalation_table_agrees_with_the_dlt_evaluations_of_its_cohort():
    # cohort 2 = S04-S06 at dose level 2: 3 evaluable, 1 DLT (S05)
    frames = example_frames()
    esc = frames["escalation"]
    i = _row(esc, cohort=2)
    esc.loc[i, "n_dlt"] = 0
    assert _found(frames) == {
        ("escalation", i + 1, "n_dlt"): "cohort 2 lists 0 patient(s) with a DLT; "
        "dlt_evaluations has 1"
    }
    frames = example_frames()
    frames["escalation"].loc[i, "n_patients"] = 4
    frames["escalation"].loc[i, "dose_level"] = 3
    assert _found(frames) == {
        ("escalation", i + 1, "n_patients"): "cohort 2 lists 4 DLT-evaluable patients; "
        "dlt_evaluations has 3 for the subjects of that cohort",
        ("escalation", i + 1, "dose_level"): "cohort 2 is at dose level 3; its subjects' "
        "dlt_evaluations say 2",
    }


def test_an_enrolled_subject_screened_after_enrolment_or_failing_a_criterion_is_refused():
    # S01 was screened 2023-12-14 and enrolled 2023-12-21
    frames = example_frames()
    sc = frames["screening"]
    i = _row(sc, subject_id="S01", criterion_id="I3")
    sc.loc[i, "met"] = False
    assert _found(frames) == {
        ("screening", i + 1, "met"): "criterion I3 is not met, yet subject S01 is enrolled on "
        "2023-12-21"
    }
    frames = example_frames()
    frames["screening"].loc[i, "screening_date"] = dt.date(2023, 12, 22)
    assert _found(frames) == {
        ("screening", i + 1, "screening_date"): "2023-12-22 is after subject S01's "
        "enrolment_date 2023-12-21; screening precedes enrolment"
    }


def test_a_grade_5_event_needs_the_death_it_caused():
    # CTCAE v5.0: grade 5 is "death related to AE". S05's CRS (AE08, grade 3) made grade 5 while
    # S05 is alive in disposition.
    frames = example_frames()
    ae = frames["adverse_events"]
    i = _row(ae, ae_id="AE08")
    ae.loc[i, "grade"] = 5
    assert _found(frames)[("adverse_events", i + 1, "grade")] == (
        "grade 5 (death related to the AE, CTCAE v5.0) but subject S05 has no death_date in "
        "disposition"
    )


def test_a_death_from_an_adverse_event_needs_its_grade_5_event():
    # S02 died of progression (2024-08-19); recorded instead as an adverse-event death
    frames = example_frames()
    d = frames["disposition"]
    i = _row(d, subject_id="S02")
    d.loc[i, "death_cause"] = "adverse event: Pneumonitis"
    assert _found(frames) == {
        ("disposition", i + 1, "death_cause"): "'adverse event: Pneumonitis' but subject S02 has "
        "no grade 5 event in adverse_events"
    }


def test_an_escalation_row_without_its_cohort_or_dose_level_is_named_by_the_column_rules_alone():
    # Blank cells in required columns are the column rules' findings; the cross-table rule on
    # the same rows has nothing to compare and must neither fail nor add a second finding.
    frames = example_frames()
    esc = frames["escalation"].astype({"cohort": object, "dose_level": object})
    i = _row(esc, cohort=2)
    esc.loc[i, "cohort"] = None
    esc.loc[_row(esc, cohort=1), "dose_level"] = None
    frames["escalation"] = esc
    found = _found(frames)
    assert set(found) == {("escalation", i + 1, "cohort"), ("escalation", 1, "dose_level")}
    assert all("required" in rule for rule in found.values())
