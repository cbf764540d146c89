"""Cross-table consistency a trial analysis relies on: who was infused, when, and what followed.

Each rule is a fact the analysis takes from one table while another table could contradict it
(the infusion date in ``subjects`` and the CAR-T row in ``exposure``; a death in ``disposition``
and the scans or samples after it). A contradiction changes a count or a time-to-event, so it is
refused, named by table, 1-based row and column, never resolved by picking one table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from hyposti.data.by_subject import BySubject
from hyposti.errors import DataError

#: The unit only a cell product is dosed in (schema: exposure.dose_unit); identifies CAR-T rows
#: without the protocol's product name.
CELL_UNIT = "cells/kg"


def _flag(
    errors: list[DataError],
    table: str,
    frame: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    column: str,
    rule: Callable[[pd.Series], str],
) -> None:
    """One DataError per row where ``mask`` holds; ``rule`` words it from the row."""
    hits = np.flatnonzero(np.asarray(pd.Series(mask).fillna(False), dtype=bool))
    for i in hits:
        row = frame.iloc[int(i)]
        errors.append(DataError(table, int(i) + 1, column, rule(row)))


def _day(value: dt.date | np.datetime64 | str) -> str:
    return str(pd.Timestamp(value).date())


def _exposure_rules(
    subjects: pd.DataFrame, by_subject: BySubject, exposure: pd.DataFrame, errors: list[DataError]
) -> None:
    """The infusion in ``subjects`` is the CAR-T row in ``exposure``; nothing is given before
    enrolment; a recorded study day is the days since infusion."""
    cells = exposure.loc[exposure["dose_unit"] == CELL_UNIT]
    given = set(zip(cells["subject_id"], cells["administration_date"], strict=True))
    infused = subjects["infusion_date"].notna()
    missing = infused & pd.Series(
        [
            (s, d) not in given
            for s, d in zip(subjects["subject_id"], subjects["infusion_date"], strict=True)
        ],
        index=subjects.index,
        dtype=bool,
    )
    _flag(
        errors,
        "subjects",
        subjects,
        missing,
        "infusion_date",
        lambda r: (
            f"subject {r['subject_id']} is recorded as infused on {_day(r['infusion_date'])}"
            f" but exposure has no CAR-T row ({CELL_UNIT}) on that date"
        ),
    )
    exp = exposure.reset_index(drop=True)
    infusion, enrolled = by_subject.aligned(exp, "infusion_date", "enrolment_date")
    exp["infused_on"] = infusion
    is_cells = (exp["dose_unit"] == CELL_UNIT).to_numpy(dtype=bool)
    _flag(
        errors,
        "exposure",
        exp,
        is_cells & (infusion.isna() | (exp["administration_date"] != infusion)).to_numpy(bool),
        "administration_date",
        lambda r: (
            f"a CAR-T administration to subject {r['subject_id']} on "
            f"{_day(r['administration_date'])} is not the subject's infusion_date in subjects"
        ),
    )
    _flag(
        errors,
        "exposure",
        exp,
        exp["administration_date"] < enrolled,
        "administration_date",
        lambda r: (
            f"{_day(r['administration_date'])} is before subject {r['subject_id']}'s "
            "enrolment_date: no study product is given before enrolment"
        ),
    )
    elapsed = (exp["administration_date"] - infusion).dt.days
    _flag(
        errors,
        "exposure",
        exp,
        exp["study_day"].notna() & elapsed.notna() & (exp["study_day"] != elapsed),
        "study_day",
        lambda r: (
            f"day {r['study_day']} does not match {_day(r['administration_date'])}, "
            f"which is day {int((r['administration_date'] - r['infused_on']).days)} from the "
            "subject's infusion"
        ),
    )


def _disposition_rules(
    by_subject: BySubject, disposition: pd.DataFrame, errors: list[DataError]
) -> None:
    """Death, progression, new therapy and last contact of an infused subject follow the
    infusion; a death ends every later event; the off-study reason agrees with the facts."""
    d = disposition.reset_index(drop=True)
    (infusion,) = by_subject.aligned(d, "infusion_date")
    d["infused_on"] = infusion
    # times to event count from the infusion: none of these can precede it
    for column in ("death_date", "progression_date", "new_therapy_date", "last_contact_date"):

        def before_infusion(r: pd.Series, c: str = column) -> str:
            return (
                f"{_day(r[c])} is before subject {r['subject_id']}'s infusion_date "
                f"{_day(r['infused_on'])} in subjects"
            )

        _flag(errors, "disposition", d, d[column] < infusion, column, before_infusion)
    for column in ("progression_date", "new_therapy_date"):

        def after_death(r: pd.Series, c: str = column) -> str:
            return f"{_day(r[c])} is after the death_date {_day(r['death_date'])}"

        _flag(errors, "disposition", d, d[column] > d["death_date"], column, after_death)
    reason = d["off_study_reason"]
    _flag(
        errors,
        "disposition",
        d,
        (reason == "death") & d["death_date"].isna(),
        "death_date",
        lambda r: "off_study_reason is 'death' but no death_date is recorded",
    )
    _flag(
        errors,
        "disposition",
        d,
        d["death_date"].notna() & reason.notna() & (reason != "death"),
        "off_study_reason",
        lambda r: f"{r['off_study_reason']!r} for a subject who died on {_day(r['death_date'])}",
    )
    _flag(
        errors,
        "disposition",
        d,
        (reason == "screen failure") & infusion.notna(),
        "off_study_reason",
        lambda r: (
            f"'screen failure' for subject {r['subject_id']}, infused on {_day(r['infused_on'])}"
        ),
    )


def _fatal_event_rules(frames: dict[str, pd.DataFrame], errors: list[DataError]) -> None:
    """CTCAE v5.0 grade 5 is "death related to AE": a grade 5 event needs the death it caused
    (an event after the death is refused with every other one, in validate.py), and a death
    recorded as caused by an adverse event needs its grade 5 event (the report's deaths table
    lists both; ICH E3 section 12.3.1)."""
    ae = frames["adverse_events"].reset_index(drop=True)
    d = frames["disposition"].reset_index(drop=True)
    death = ae["subject_id"].map(
        d.drop_duplicates("subject_id").set_index("subject_id")["death_date"]
    )
    fatal = ae["grade"] == 5
    _flag(
        errors,
        "adverse_events",
        ae,
        fatal & death.isna(),
        "grade",
        lambda r: (
            f"grade 5 (death related to the AE, CTCAE v5.0) but subject {r['subject_id']} has no "
            f"death_date in disposition"
        ),
    )
    with_fatal_ae = set(ae.loc[fatal, "subject_id"])
    cause = d["death_cause"].fillna("").astype(str).str.lower()
    _flag(
        errors,
        "disposition",
        d,
        cause.str.startswith("adverse event") & ~d["subject_id"].isin(with_fatal_ae),
        "death_cause",
        lambda r: (
            f"{r['death_cause']!r} but subject {r['subject_id']} has no grade 5 event in "
            f"adverse_events"
        ),
    )


def _scan_rules(by_subject: BySubject, scans: pd.DataFrame, errors: list[DataError]) -> None:
    """RECIST 1.1 section 3.3: the baseline scan precedes treatment and every follow-up scan."""
    ta = scans.reset_index(drop=True)
    is_base = ta["baseline"].fillna(False).astype(bool)
    base_date = ta.loc[is_base].drop_duplicates("subject_id").set_index("subject_id")
    baseline = ta["subject_id"].map(base_date["assessment_date"])
    (infusion,) = by_subject.aligned(ta, "infusion_date")
    ta["baseline_on"] = baseline
    ta["infused_on"] = infusion
    _flag(
        errors,
        "tumour_assessments",
        ta,
        is_base & (ta["assessment_date"] > infusion),
        "assessment_date",
        lambda r: (
            f"baseline scan {_day(r['assessment_date'])} is after subject "
            f"{r['subject_id']}'s infusion {_day(r['infused_on'])}; a baseline precedes treatment"
        ),
    )
    _flag(
        errors,
        "tumour_assessments",
        ta,
        ~is_base & (ta["assessment_date"] <= baseline),
        "assessment_date",
        lambda r: (
            f"follow-up scan {_day(r['assessment_date'])} is not after subject "
            f"{r['subject_id']}'s baseline scan {_day(r['baseline_on'])}"
        ),
    )
    _flag(
        errors,
        "tumour_assessments",
        ta,
        ~is_base & (ta["assessment_date"] < infusion),
        "assessment_date",
        lambda r: (
            f"follow-up scan {_day(r['assessment_date'])} is before subject "
            f"{r['subject_id']}'s infusion {_day(r['infused_on'])}; response is assessed after it"
        ),
    )


def _timing_rules(
    subjects: pd.DataFrame,
    by_subject: BySubject,
    frames: dict[str, pd.DataFrame],
    errors: list[DataError],
) -> None:
    """Kinetics samples and DLT windows are dated from the infusion in ``subjects``."""
    k = frames["kinetics"].reset_index(drop=True)
    (infusion,) = by_subject.aligned(k, "infusion_date")
    k["infused_on"] = infusion
    elapsed = (k["sample_date"] - infusion).dt.days
    _flag(
        errors,
        "kinetics",
        k,
        k["sample_date"].notna() & elapsed.notna() & (k["study_day"] != elapsed),
        "study_day",
        lambda r: (
            f"day {r['study_day']:g} does not match sample_date {_day(r['sample_date'])}, "
            f"day {int((r['sample_date'] - r['infused_on']).days)} from the infusion"
        ),
    )
    dlt = frames["dlt_evaluations"].reset_index(drop=True)
    (infusion,) = by_subject.aligned(dlt, "infusion_date")
    dlt["infused_on"] = infusion
    _flag(
        errors,
        "dlt_evaluations",
        dlt,
        infusion.notna() & (dlt["window_start"] != infusion),
        "window_start",
        lambda r: (
            f"{_day(r['window_start'])} is not subject {r['subject_id']}'s infusion_date "
            f"{_day(r['infused_on'])}; the DLT window opens at the infusion"
        ),
    )
    _flag(
        errors,
        "dlt_evaluations",
        dlt,
        dlt["window_end"] < dlt["window_start"],
        "window_end",
        lambda r: f"{_day(r['window_end'])} is before window_start {_day(r['window_start'])}",
    )
    _flag(
        errors,
        "subjects",
        subjects,
        subjects["infusion_date"].notna() & subjects["dose_level"].isna(),
        "dose_level",
        lambda r: f"infused subject {r['subject_id']} has no dose level",
    )


def _dlt_rules(frames: dict[str, pd.DataFrame], errors: list[DataError]) -> None:
    """A DLT counted in ``dlt_evaluations`` is an adverse event flagged as one, and vice versa."""
    ae = frames["adverse_events"]
    flagged = set(ae.loc[ae["dlt"].fillna(False).astype(bool), "subject_id"])
    dlt = frames["dlt_evaluations"].reset_index(drop=True)
    has = dlt["dlt"].fillna(False).astype(bool)
    in_ae = dlt["subject_id"].isin(flagged)
    _flag(
        errors,
        "dlt_evaluations",
        dlt,
        has & ~in_ae,
        "dlt",
        lambda r: f"subject {r['subject_id']} has a DLT but no adverse event with dlt = true",
    )
    _flag(
        errors,
        "dlt_evaluations",
        dlt,
        ~has & in_ae,
        "dlt",
        lambda r: f"subject {r['subject_id']} has an adverse event with dlt = true but dlt = false",
    )
    evaluated = set(dlt["subject_id"])
    events = ae.reset_index(drop=True)
    _flag(
        errors,
        "adverse_events",
        events,
        events["dlt"].fillna(False).astype(bool) & ~events["subject_id"].isin(evaluated),
        "dlt",
        lambda r: (
            f"{r['ae_id']} is a DLT of subject {r['subject_id']}, who has no dlt_evaluations row"
        ),
    )


def _screening_rules(
    by_subject: BySubject, screening: pd.DataFrame, errors: list[DataError]
) -> None:
    """Screening precedes enrolment, and an enrolled subject met every criterion assessed: the
    enrolment flow counts a subject with an unmet criterion as a screen failure."""
    sc = screening.reset_index(drop=True)
    (enrolled,) = by_subject.aligned(sc, "enrolment_date")
    sc["enrolled_on"] = enrolled
    _flag(
        errors,
        "screening",
        sc,
        sc["screening_date"] > enrolled,
        "screening_date",
        lambda r: (
            f"{_day(r['screening_date'])} is after subject {r['subject_id']}'s enrolment_date "
            f"{_day(r['enrolled_on'])}; screening precedes enrolment"
        ),
    )
    _flag(
        errors,
        "screening",
        sc,
        enrolled.notna() & ~sc["met"].fillna(True).astype(bool),
        "met",
        lambda r: (
            f"criterion {r['criterion_id']} is not met, yet subject {r['subject_id']} is enrolled "
            f"on {_day(r['enrolled_on'])}"
        ),
    )


def _escalation_rules(
    subjects: pd.DataFrame, frames: dict[str, pd.DataFrame], errors: list[DataError]
) -> None:
    """Each escalation cohort's patients, DLTs and dose level are those of its subjects'
    dlt_evaluations rows, so the escalation table and the DLT rates tell one story."""
    dlt = frames["dlt_evaluations"]
    if dlt.empty:
        return
    rows = dlt.merge(subjects[["subject_id", "cohort"]], on="subject_id", how="left")
    evaluable = rows.loc[rows["evaluable"].fillna(False).astype(bool)]
    # The DLT flags as plain 0/1 integers before grouping: pandas casts a grouped lambda's
    # results back to the column's nullable boolean dtype, where a missing cohort's fill of 0
    # is refused.
    evaluable = evaluable.assign(dlt=evaluable["dlt"].fillna(False).astype(bool).astype(int))
    by_cohort = evaluable.groupby("cohort").agg(
        n=("subject_id", "size"),
        dlts=("dlt", "sum"),
        levels=("dose_level", lambda v: sorted({int(x) for x in v.dropna()})),
    )
    esc = frames["escalation"].reset_index(drop=True)
    found = esc["cohort"].map(by_cohort["n"]).fillna(0)
    dlts = esc["cohort"].map(by_cohort["dlts"]).fillna(0)
    levels = esc["cohort"].map(by_cohort["levels"])
    esc["evaluations_n"], esc["evaluations_dlts"], esc["evaluations_levels"] = found, dlts, levels
    # A row without its cohort number is the column rules' finding; it has nothing to agree with.
    numbered = esc["cohort"].notna()
    _flag(
        errors,
        "escalation",
        esc,
        numbered & (esc["n_patients"] != found),
        "n_patients",
        lambda r: (
            f"cohort {r['cohort']} lists {r['n_patients']} DLT-evaluable patients; "
            f"dlt_evaluations has {int(r['evaluations_n'])} for the subjects of that cohort"
        ),
    )
    _flag(
        errors,
        "escalation",
        esc,
        numbered & (esc["n_dlt"] != dlts) & (esc["n_patients"] == found),
        "n_dlt",
        lambda r: (
            f"cohort {r['cohort']} lists {r['n_dlt']} patient(s) with a DLT; "
            f"dlt_evaluations has {int(r['evaluations_dlts'])}"
        ),
    )
    other_level = pd.Series(
        [
            # A missing dose level is the column rules' finding, not a contradiction.
            isinstance(lv, list) and not pd.isna(level) and lv != [level]
            for lv, level in zip(levels, esc["dose_level"], strict=True)
        ],
        dtype=bool,
    )
    _flag(
        errors,
        "escalation",
        esc,
        other_level,
        "dose_level",
        lambda r: (
            f"cohort {r['cohort']} is at dose level {r['dose_level']}; its subjects' "
            f"dlt_evaluations say {', '.join(str(v) for v in r['evaluations_levels'])}"
        ),
    )


def integrity_errors(frames: dict[str, pd.DataFrame]) -> list[DataError]:
    """Every contradiction between tables that would change an analysis (typed frames in)."""
    errors: list[DataError] = []
    subjects = frames["subjects"].reset_index(drop=True)
    by_subject = BySubject(subjects)  # indexed once for every table's rules
    _exposure_rules(subjects, by_subject, frames["exposure"], errors)
    _disposition_rules(by_subject, frames["disposition"], errors)
    _fatal_event_rules(frames, errors)
    _scan_rules(by_subject, frames["tumour_assessments"], errors)
    _timing_rules(subjects, by_subject, frames, errors)
    _dlt_rules(frames, errors)
    _escalation_rules(subjects, frames, errors)
    _screening_rules(by_subject, frames["screening"], errors)
    return errors
