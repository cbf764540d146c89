"""Efficacy endpoints: ORR and DCR with exact CIs, TTR, and Kaplan-Meier DOR, PFS and OS.

Definitions follow the registry record and FDA 2018 guidance "Clinical Trial Endpoints for the
Approval of Cancer Drugs and Biologics": ORR = confirmed CR or PR (RECIST 1.1, Eisenhauer 2009,
section 4.6); DOR from first documented response; PFS and OS from CAR-T infusion.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from hyposti.analysis.binomial import clopper_pearson
from hyposti.analysis.censoring import (
    AssessmentSchedule,
    TimeToEvent,
    progression_event,
    survival_event,
)
from hyposti.analysis.km import fit_kaplan_meier
from hyposti.analysis.tumour import TumourOutcome
from hyposti.data.dataset import TrialDataset
from hyposti.response import Response

# Named here too because the report imports it from this module.
from hyposti.units import DAYS_PER_MONTH as DAYS_PER_MONTH

RATE_MONTHS = (6, 12, 24, 36)
RESPONSES = {Response.CR, Response.PR, Response.ICR, Response.IPR}
DISEASE_CONTROL = RESPONSES | {
    Response.SD,
    Response.NON_CR_NON_PD,
    Response.ISD,
    Response.INON_CR_NON_PD,
}


def _day(date: dt.date | None, origin: dt.date) -> float | None:
    return None if date is None else float((date - origin).days)


def _days_from(infused: pd.DataFrame, dates: pd.Series) -> list[float | None]:
    """Days from each infused subject's infusion to its date in ``dates`` (indexed by subject)."""
    days = (infused["subject_id"].map(dates) - infused["infusion_date"]).dt.days
    return [None if v != v else float(v) for v in days.tolist()]


def _event(e: TimeToEvent) -> dict[str, Any]:
    return {"subject_id": e.subject_id, "time": e.time, "event": e.event, "reason": e.reason}


def patient_outcomes(
    ds: TrialDataset, responses: Mapping[str, TumourOutcome], schedule: AssessmentSchedule
) -> list[dict[str, Any]]:
    """Per infused patient: best response, % change, endpoint days and the PFS/OS/DOR records.

    Progression is the earlier of the response engine's (radiological) progression and the
    investigator's documented progression in disposition; events after the data cut-off are not
    counted and follow-up is cut at it.
    """
    out = []
    infused = ds.subjects.loc[ds.subjects["infusion_date"].notna()]
    disp = ds.disposition.drop_duplicates("subject_id", keep="last").set_index("subject_id")
    # Study days of the disposition dates, one column at a time (None where not recorded).
    cuts = (ds.data_cutoff - infused["infusion_date"]).dt.days.astype(float).tolist()
    recorded = {
        column: _days_from(infused, disp[column])
        for column in ("progression_date", "death_date", "new_therapy_date", "last_contact_date")
    }
    for i, (sid, origin, level) in enumerate(
        zip(infused["subject_id"], infused["infusion_date"], infused["dose_level"], strict=True)
    ):
        cut = cuts[i]
        start = origin.date()

        def within(day: float | None, cut: float = cut) -> float | None:
            return day if day is not None and day <= cut else None

        r = responses.get(sid)
        engine_pd = _day(r.progression_date, start) if r else None
        recorded_pd = recorded["progression_date"][i]
        pd_days = [v for v in (within(engine_pd), within(recorded_pd)) if v is not None]
        progression = min(pd_days) if pd_days else None
        death = within(recorded["death_date"][i])
        therapy = within(recorded["new_therapy_date"][i])
        contact = recorded["last_contact_date"][i]
        alive_until = death if death is not None else min(contact or 0.0, cut or 0.0)
        points = r.time_points if r else ()
        adequate = [
            float(p.study_day)
            for p in points
            if p.included and p.overall_response is not Response.NE
        ]
        bor = r.bor_confirmed if r else Response.NE
        first_response = _day(r.first_response_date, start) if r else None
        pfs = progression_event(sid, adequate, progression, death, therapy, schedule)
        dor = (
            progression_event(sid, adequate, progression, death, therapy, schedule, first_response)
            if bor in RESPONSES and first_response is not None
            else None
        )
        out.append(
            {
                "subject_id": sid,
                "dose_level": None if pd.isna(level) else int(level),
                "infusion_date": origin.date(),
                "bor_confirmed": bor.value,
                "bor_confirmed_reason": r.bor_confirmed_reason if r else "no baseline scan",
                "bor_unconfirmed": (r.bor_unconfirmed if r else Response.NE).value,
                "best_pct_change": r.best_pct_change if r else None,
                "first_response_day": first_response if bor in RESPONSES else None,
                "first_unconfirmed_response_day": _day(r.first_unconfirmed_response_date, start)
                if r
                else None,
                "progression_day": progression,
                "death_day": death,
                "new_therapy_day": therapy,
                "last_known_alive_day": alive_until,
                "last_adequate_assessment_day": max(adequate) if adequate else None,
                "pfs": _event(pfs),
                "os": _event(survival_event(sid, death, alive_until)),
                "dor": None if dor is None else _event(dor),
                "time_points": [
                    {
                        "study_day": p.study_day,
                        "pct_from_baseline": p.pct_from_baseline,
                        "overall_response": p.overall_response.value,
                        "included": p.included,
                    }
                    for p in points
                ],
                "data_quality_flags": list(r.data_quality_flags) if r else [],
            }
        )
    return out


def _rates(patients: list[dict[str, Any]], key: str, codes: set[Response]) -> dict[str, Any]:
    values = {c.value for c in codes}
    levels = sorted({p["dose_level"] for p in patients if p["dose_level"] is not None})
    out = {}
    for level in [*levels, "all"]:
        group = [p for p in patients if level == "all" or p["dose_level"] == level]
        count = sum(p[key] in values for p in group)
        out[str(level)] = clopper_pearson(count, len(group)).as_dict()
    return out


def km_summary(records: list[dict[str, Any]], conf_type: str) -> dict[str, Any] | None:
    """Kaplan-Meier of time-to-event records (days), rates at 6/12/24/36 months, at-risk counts."""
    if not records:
        return None
    fit = fit_kaplan_meier(
        [r["time"] for r in records], [r["event"] for r in records], conf_type=conf_type
    )
    out: dict[str, Any] = fit.as_dict(at=[m * DAYS_PER_MONTH for m in RATE_MONTHS])
    for row, months in zip(out["at"], RATE_MONTHS, strict=True):
        row["months"] = months
    return out


def censoring_rules(schedule: AssessmentSchedule) -> list[str]:
    return [
        "PFS: time from CAR-T infusion to the earlier of progression (RECIST 1.1 by the response "
        "engine, or investigator-documented) and death.",
        "PFS/DOR censoring: at the last adequate assessment when there is no event; at the last "
        "adequate assessment before new anticancer therapy when it starts before any event; at "
        "the last adequate assessment before an event that follows two or more missed scheduled "
        "assessments; at day 0 (PFS) or the response date (DOR) with no adequate assessment.",
        "Missed assessments are counted against the protocol's tumour-assessment schedule "
        f"(study day, visit window): {schedule.describe()}.",
        "OS: time from infusion to death; censored at the last date known alive.",
        "DOR: among confirmed responders, from the first documented CR/PR to progression or death.",
        "Events and follow-up after the data cut-off are not counted.",
    ]


def efficacy_analysis(
    ds: TrialDataset,
    responses: Mapping[str, TumourOutcome],
    schedule: AssessmentSchedule,
    conf_type: str = "log-log",
) -> dict[str, Any]:
    """ORR, DCR, TTR, DOR, PFS and OS over the infused population, by dose level and overall."""
    patients = patient_outcomes(ds, responses, schedule)
    responders = [p for p in patients if p["first_response_day"] is not None]
    ttr = [p["first_response_day"] for p in responders]
    bor_counts = Counter(p["bor_confirmed"] for p in patients)
    return {
        "population": "all infused subjects",
        "n": len(patients),
        "n_with_baseline_scan": len(responses),
        "orr_confirmed": _rates(patients, "bor_confirmed", RESPONSES),
        "orr_unconfirmed": _rates(patients, "bor_unconfirmed", RESPONSES),
        "dcr": _rates(patients, "bor_confirmed", DISEASE_CONTROL),
        "bor_counts": {code.value: n for code in Response if (n := bor_counts[code.value])},
        "ttr_days": {
            "n": len(ttr),
            "median": float(pd.Series(ttr).median()) if ttr else None,
            "min": min(ttr) if ttr else None,
            "max": max(ttr) if ttr else None,
        },
        "dor": km_summary([p["dor"] for p in responders if p["dor"]], conf_type),
        "pfs": km_summary([p["pfs"] for p in patients], conf_type),
        "os": km_summary([p["os"] for p in patients], conf_type),
        "censoring_rules": censoring_rules(schedule),
        "patients": patients,
    }


__all__ = ["TimeToEvent", "efficacy_analysis", "km_summary", "patient_outcomes"]
