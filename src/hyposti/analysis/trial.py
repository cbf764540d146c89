"""Every endpoint of a trial dataset in one plain-data result: flow, safety, efficacy, kinetics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from hyposti.analysis.baseline import baseline_and_exposure
from hyposti.analysis.censoring import AssessmentSchedule
from hyposti.analysis.efficacy import efficacy_analysis
from hyposti.analysis.expansion import expansion_patients, expansion_review
from hyposti.analysis.kinetics import kinetics_analysis
from hyposti.analysis.nca import BlqRule
from hyposti.analysis.safety import safety_analysis
from hyposti.analysis.syndrome_course import syndrome_course
from hyposti.analysis.tumour import assess_responses
from hyposti.data.dataset import TrialDataset
from hyposti.protocol import Protocol, load_protocol
from hyposti.response.patient import Criteria


def enrolment_flow(
    ds: TrialDataset, evaluable_ids: set[str], criteria_text: dict[str, str] | None = None
) -> dict[str, Any]:
    """CONSORT-style counts (Schulz 2010, CONSORT flow diagram): screened, failed by criterion,
    enrolled, preconditioned, infused, DLT- and response-evaluable, overall and per dose level."""
    s = ds.subjects
    scr = ds.screening
    screened = set(scr["subject_id"]) if len(scr) else set(s["subject_id"])
    unmet = scr.loc[~scr["met"].fillna(True).astype(bool)]
    failed = set(unmet["subject_id"])
    by_criterion = (
        unmet.groupby("criterion_id")["subject_id"].nunique().sort_values(ascending=False)
    )
    dlt_ok = set(
        ds.dlt_evaluations.loc[
            ds.dlt_evaluations["evaluable"].fillna(False).astype(bool), "subject_id"
        ]
    )
    stages = {
        "enrolled": s["enrolment_date"].notna(),
        "preconditioned": s["preconditioning_start_date"].notna(),
        "infused": s["infusion_date"].notna(),
        "dlt_evaluable": s["subject_id"].isin(dlt_ok),
        "response_evaluable": s["subject_id"].isin(evaluable_ids),
    }
    by_dose = {}
    for level in sorted(int(v) for v in s["dose_level"].dropna().unique()):
        at = s["dose_level"] == level
        by_dose[str(level)] = {k: int((v & at).sum()) for k, v in stages.items()}
    not_infused = s.loc[s["enrolment_date"].notna() & s["infusion_date"].isna(), "subject_id"]
    reasons = ds.disposition.set_index("subject_id")["off_study_reason"]
    return {
        "consented": len(s),
        "screened": len(screened),
        "screen_failed": len(failed),
        "failed_by_criterion": [
            {"criterion_id": c, "text": (criteria_text or {}).get(str(c)), "n": int(n)}
            for c, n in by_criterion.items()
        ],
        **{k: int(v.sum()) for k, v in stages.items()},
        "enrolled_not_infused": [
            {"subject_id": sid, "reason": reasons.get(sid)} for sid in not_infused
        ],
        "by_dose_level": by_dose,
    }


def _date_or_none(value: Any) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


_ATOMS = (str, int, bool, type(None))


def plain(value: Any) -> Any:
    """Recursively replace NaN / NaT / pandas missing values with None (JSON has no NaN)."""
    # Most leaves are text, integers or None: settled by one exact type test.
    if type(value) in _ATOMS:
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def analyze_trial(
    ds: TrialDataset,
    protocol: Protocol | None = None,
    criteria: Criteria | None = None,
    conf_type: str = "log-log",
    blq: BlqRule | None = None,
) -> dict[str, Any]:
    """Analyse a dataset by its protocol: the JSON of ``hyposti analyze`` and the report's data.

    Missed tumour assessments (PFS/DOR censoring) are counted against the protocol's own
    schedule, so a protocol without a ``schedule`` section is refused here. A dataset whose
    tables contradict one another (hyposti.data.integrity) is refused before any count is made.
    """
    ds.require_consistent()
    protocol = protocol or load_protocol()
    criteria = criteria or protocol.response.primary_criteria
    schedule = AssessmentSchedule.from_protocol(protocol)
    responses = assess_responses(ds, protocol.response, criteria)
    efficacy = efficacy_analysis(ds, responses, schedule, conf_type)
    evaluable = {
        p["subject_id"]
        for p in efficacy["patients"]
        if p["last_adequate_assessment_day"] is not None
    }
    dose_levels = ds.subjects.set_index("subject_id")["dose_level"]
    cutoff: pd.Timestamp = ds.data_cutoff
    result: dict[str, Any] = plain(
        {
            "study": {
                "study_id": ds.study_id,
                "data_cutoff": cutoff.date(),
                "data_source": ds.study["data_source"].iloc[0],
                "generated_on": _date_or_none(ds.study["generated_on"].iloc[0]),
                "protocol": protocol.identifiers.nct_id,
                "dose_levels": {
                    str(d.level): {"label": d.label, "cells_per_kg": d.cells_per_kg}
                    for d in protocol.investigational_product.dose_levels
                },
            },
            "settings": {
                "response_criteria": criteria,
                "confirmation_min_days": protocol.response.confirmation_min_days,
                "km_conf_type": conf_type,
                "km_median_ci": "Brookmeyer-Crowley on the same transform as the pointwise band",
                "ci_level": 0.95,
                "proportion_ci": "Clopper-Pearson exact",
            },
            "flow": enrolment_flow(
                ds, evaluable, {c.id: c.text for c in protocol.eligibility.criteria}
            ),
            "baseline": baseline_and_exposure(ds, protocol.investigational_product.name).to_dict(),
            "safety": {
                **safety_analysis(ds, protocol),
                "syndrome_course": syndrome_course(ds, protocol.toxicity_management).to_dict(),
            },
            "expansion": None
            if protocol.expansion is None
            else expansion_review(protocol.expansion, expansion_patients(ds, responses)).to_dict(),
            "efficacy": efficacy,
            "kinetics": kinetics_analysis(
                ds.kinetics.loc[~(ds.kinetics["sample_date"] > cutoff)], dose_levels, blq
            ),
        }
    )
    return result
