"""ADaM ADTTE: PFS, OS, DOR and TTR with the protocol's censoring rules (ADaM BDS for TTE, 2012).

Each record is hyposti.analysis.efficacy.patient_outcomes' time-to-event result, so ADTTE and
``hyposti analyze`` share one implementation of the censoring rules (hyposti.analysis.censoring:
FDA 2018 endpoints guidance; EMA/CHMP/205/95 Rev.5 Appendix 1). AVAL = ADT - STARTDT in days (the
analysis' convention; admiral's ADTTE template derives AVAL with ``derive_vars_duration()``,
whose ``add_one = TRUE`` default counts one day more, which this file does not);
CNSR 0 for an event, 1 for a censored time; EVNTDESC / CNSDTDSC say which rule applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hyposti.analysis.censoring import AssessmentSchedule
from hyposti.analysis.efficacy import patient_outcomes
from hyposti.analysis.tumour import TumourOutcome
from hyposti.data.dataset import TrialDataset
from hyposti.standards.conventions import build, usubjid
from hyposti.standards.spec import Dataset, DomainSpec, Variable

ADTTE = DomainSpec(
    "ADTTE", "Time-to-Event Analysis Dataset", "BASIC DATA STRUCTURE",
    "One record per subject per parameter", ("STUDYID", "USUBJID", "PARAMCD"),
    (
        Variable("STUDYID", "Study Identifier", core="Req", origin="Predecessor"),
        Variable("USUBJID", "Unique Subject Identifier", core="Req", origin="Predecessor"),
        Variable("TRT01A", "Actual Treatment for Period 01", core="Req", origin="Predecessor"),
        Variable("PARAMCD", "Parameter Code", core="Req"),
        Variable("PARAM", "Parameter", core="Req"),
        Variable("PARCAT1", "Parameter Category 1", core="Perm"),
        Variable("AVAL", "Analysis Value", "float", "Cond"),
        Variable("STARTDT", "Time-to-Event Origin Date for Subject", "date", "Cond"),
        Variable("ADT", "Analysis Date", "date", "Cond"),
        Variable("CNSR", "Censor", "integer", "Cond"),
        Variable("EVNTDESC", "Event or Censoring Description", core="Perm"),
        Variable("CNSDTDSC", "Censor Date Description", core="Perm"),
    ),
    standard="ADaMIG 1.3",
)  # fmt: skip

PARAMS = {
    "PFS": "Progression-Free Survival (days)",
    "OS": "Overall Survival (days)",
    "DOR": "Duration of Response (days)",
    "TTR": "Time to Response (days)",
}


def tte_record(
    base: dict[str, Any], paramcd: str, start: dt.date, time: float, event: bool, why: str
) -> dict[str, Any]:
    """One ADTTE record: AVAL days after STARTDT, ADT = STARTDT + AVAL, CNSR 0 event / 1 not."""
    return base | {
        "PARAMCD": paramcd,
        "PARAM": PARAMS[paramcd],
        "AVAL": time,
        "STARTDT": start,
        "ADT": start + dt.timedelta(days=time),
        "CNSR": 0 if event else 1,
        "EVNTDESC": why,
        "CNSDTDSC": "" if event else why,
    }


def build_adtte(
    ds: TrialDataset,
    responses: dict[str, TumourOutcome],
    schedule: AssessmentSchedule,
    criteria_label: str,
) -> Dataset:
    """PFS and OS for every infused subject, DOR and TTR for the confirmed responders."""
    study = ds.study_id
    arms = ds.subjects.set_index("subject_id")["dose_level"].to_dict()
    rows = []
    for p in patient_outcomes(ds, responses, schedule):
        level = arms.get(p.subject_id)
        base = {"STUDYID": study, "USUBJID": usubjid(study, p.subject_id),
                "TRT01A": "" if level is None or level != level else f"DL{int(level)}",
                "PARCAT1": criteria_label}  # fmt: skip
        origin = p.infusion_date
        for paramcd, t in (("PFS", p.pfs), ("OS", p.os)):
            rows.append(tte_record(base, paramcd, origin, t.time, t.event, t.reason))
        first = p.first_response_day
        if first is not None:
            rows.append(tte_record(base, "TTR", origin, first, True,
                                f"first confirmed response on day {first:g}"))  # fmt: skip
            dor = p.dor
            if dor is not None:
                start = origin + dt.timedelta(days=first)
                rows.append(tte_record(base, "DOR", start, dor.time, dor.event, dor.reason))
    return build(ADTTE, rows, ["USUBJID", "PARAMCD"])
