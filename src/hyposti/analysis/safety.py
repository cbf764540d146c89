"""Safety endpoints: treatment-related AE incidence, CRS/ICANS by grade, DLTs, MTD/RP2D, deaths.

AE incidence counts patients by their worst grade (CTCAE v5.0, NCI 2017; ICH E3 section 12.2);
treatment-related means attribution possible, probable or definite to any study product
(NCI CTEP attribution scale), from the start of preconditioning as the registry defines.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from hyposti.analysis.binomial import clopper_pearson
from hyposti.data.dataset import TrialDataset
from hyposti.data.schema import RELATED_ATTRIBUTIONS
from hyposti.design.decision import Design, fit
from hyposti.design.outcomes import Cohort
from hyposti.design.protocol_design import design_from_protocol
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.safety import cres, crs, icans

SYNDROME_SCALES = {"CRS": crs.SCALE, "ICANS": icans.SCALE, "CRES": cres.SCALE}
ALL = "all"


def dose_key(level: object) -> str:
    return ALL if level == ALL else str(int(level))  # type: ignore[call-overload]


def reported_aes(ds: TrialDataset) -> pd.DataFrame:
    """Adverse events with onset on or before the data cut-off (later ones are not yet reported)."""
    return ds.adverse_events.loc[ds.adverse_events["onset_date"] <= ds.data_cutoff]


def safety_population(ds: TrialDataset) -> pd.DataFrame:
    """Subjects who started preconditioning (the first study treatment), with their dose level."""
    s = ds.subjects
    pop = s.loc[s["preconditioning_start_date"].notna() & s["dose_level"].notna()]
    return pop[["subject_id", "dose_level", "preconditioning_start_date", "infusion_date"]]


def treatment_related_aes(ds: TrialDataset, window_days: int) -> pd.DataFrame:
    """AEs of the safety population from preconditioning start to ``window_days`` after infusion,
    related (possible/probable/definite) to at least one study product."""
    pop = safety_population(ds)
    ae = reported_aes(ds).merge(pop, on="subject_id", how="inner")
    related = np.zeros(len(ae), dtype=bool)
    for column in ds.attribution_columns:
        related |= ae[column].isin(RELATED_ATTRIBUTIONS).to_numpy()
    horizon = ae["infusion_date"] + pd.to_timedelta(window_days, unit="D")
    in_window = (ae["onset_date"] >= ae["preconditioning_start_date"]) & (
        ae["infusion_date"].isna() | (ae["onset_date"] <= horizon)
    )
    return ae.loc[related & in_window.to_numpy()]


def _counts(
    worst: pd.DataFrame, levels: list[object], denominators: dict[str, int]
) -> dict[str, Any]:
    """Patients by worst grade per dose level (worst: one row per subject, grade, dose_level)."""
    out: dict[str, Any] = {}
    for level in levels:
        rows = worst if level == ALL else worst.loc[worst["dose_level"] == level]
        grades = rows["grade"].astype(int)
        n = denominators[dose_key(level)]
        out[dose_key(level)] = {
            "n": n,
            "any": int(rows["subject_id"].nunique()),
            "grade_3_plus": int((grades >= 3).sum()),
            "by_worst_grade": {str(g): int((grades == g).sum()) for g in range(1, 6)},
        }
    return out


def _dose_levels(pop: pd.DataFrame) -> tuple[list[object], dict[str, int]]:
    """The population's dose levels then ``all``, and the number of patients at each."""
    levels: list[object] = [*sorted(int(v) for v in pop["dose_level"].unique())]
    denominators = {dose_key(lv): int((pop["dose_level"] == lv).sum()) for lv in levels}
    denominators[ALL] = len(pop)
    levels.append(ALL)
    return levels, denominators


def worst(frame: pd.DataFrame) -> pd.DataFrame:
    """Each patient's worst grade (and dose level) among the rows of ``frame``."""
    return frame.groupby("subject_id", as_index=False).agg(
        grade=("grade", "max"), dose_level=("dose_level", "first")
    )


def ae_incidence_table(ae: pd.DataFrame, pop: pd.DataFrame) -> dict[str, Any]:
    """Any-AE row, then each SOC and each term in it: patients by worst grade, per dose level."""
    levels, denominators = _dose_levels(pop)
    rows: list[dict[str, Any]] = [
        {"soc": None, "term": None, "by_dose": _counts(worst(ae), levels, denominators)}
    ]
    for soc, by_soc in sorted(ae.groupby("soc"), key=lambda kv: str(kv[0])):
        rows.append({"soc": soc, "term": None, "by_dose": _counts(worst(by_soc), levels,
                                                                  denominators)})  # fmt: skip
        for term, by_term in sorted(by_soc.groupby("term"), key=lambda kv: str(kv[0])):
            rows.append(
                {"soc": soc, "term": term, "by_dose": _counts(worst(by_term), levels, denominators)}
            )
    return {"dose_levels": [dose_key(lv) for lv in levels], "n": denominators, "rows": rows}


def syndrome_grades(ds: TrialDataset) -> dict[str, Any]:
    """CRS, ICANS and CRES: patients by worst grade per dose level, any attribution."""
    pop = safety_population(ds)
    ae = reported_aes(ds).merge(pop, on="subject_id", how="inner")
    ae = ae.loc[ae["onset_date"] >= ae["preconditioning_start_date"]]
    levels, denominators = _dose_levels(pop)
    # The any-grade row of each syndrome's incidence table, without the per-term rows.
    return {
        name: _counts(worst(ae.loc[ae["scale"] == scale]), levels, denominators)
        for name, scale in SYNDROME_SCALES.items()
    }


def dlt_summary(ds: TrialDataset) -> list[dict[str, Any]]:
    """DLT-evaluable patients and patients with a DLT per dose level, with exact 95% CIs."""
    d = ds.dlt_evaluations
    ae = reported_aes(ds)
    out = []
    for level in sorted(int(v) for v in d["dose_level"].dropna().unique()):
        rows = d.loc[d["dose_level"] == level]
        evaluable = rows.loc[rows["evaluable"].fillna(False).astype(bool)]
        n_dlt = int(evaluable["dlt"].fillna(False).astype(bool).sum())
        ids = set(evaluable.loc[evaluable["dlt"].fillna(False).astype(bool), "subject_id"])
        events = ae.loc[ae["subject_id"].isin(ids) & ae["dlt"].fillna(False).astype(bool)]
        not_evaluable = rows.loc[~rows["evaluable"].fillna(False).astype(bool)]
        out.append(
            {
                "dose_level": level,
                "n_treated": len(rows),
                "n_evaluable": len(evaluable),
                "n_dlt": n_dlt,
                "rate": clopper_pearson(n_dlt, len(evaluable)).as_dict(),
                "dlt_events": [
                    {"subject_id": sid, "term": term, "grade": int(grade)}
                    for sid, term, grade in zip(
                        events["subject_id"], events["term"], events["grade"], strict=True
                    )
                ],
                "not_evaluable_reasons": [
                    {"subject_id": sid, "reason": reason}
                    for sid, reason in zip(
                        not_evaluable["subject_id"], not_evaluable["reason"], strict=True
                    )
                ],
            }
        )
    return out


def design_name(protocol: Protocol) -> str:
    """ "3+3 (conventional)", "boin (target 0.3)", "crm (target 0.25)": the rule being replayed."""
    spec = protocol.design
    if spec.variant:
        return f"{spec.method} ({spec.variant})"
    if spec.target_toxicity is not None:
        return f"{spec.method} (target {spec.target_toxicity:g})"
    return spec.method


def escalation_history(ds: TrialDataset, protocol: Protocol) -> dict[str, Any]:
    """The recorded cohorts and decisions, each beside what the protocol's design rule says.

    The protocol's own design (3+3: Storer 1989; BOIN: Liu & Yuan 2015; CRM: O'Quigley et al.
    1990) is replayed with ``hyposti.design.fit`` on the cohorts recorded up to each decision; every
    design there decides from the per-dose counts and the last cohort's dose, which the escalation
    table holds, so a committee can see where a decision departed from the rule.
    """
    esc = ds.escalation.sort_values("cohort")
    num_doses = protocol.num_doses
    design: Design | None
    try:
        design = design_from_protocol(protocol)
        note = None
    except InputError as exc:
        design, note = (
            None,
            f"the protocol's design could not be built, so it is not replayed: {exc}",
        )
    cohorts: list[Cohort] = []
    rows = []
    mtd_by_rule: int | None = None
    for r in esc.to_dict(orient="records"):
        n, y, dose = int(r["n_patients"]), int(r["n_dlt"]), int(r["dose_level"])
        decided = r["decision_date"]
        row = {
            "cohort": int(r["cohort"]),
            "dose_level": dose,
            "n_patients": n,
            "n_dlt": y,
            "decision": r["decision"],
            "reason": r["reason"],
            "decision_date": None if pd.isna(decided) else decided.date(),
            "rule_recommendation": None,
        }
        if design is not None and n > 0 and 1 <= dose <= num_doses:
            cohorts.append(Cohort(dose, tuple([True] * y + [False] * (n - y))))
            try:
                decision = fit(design, cohorts)
                row["rule_recommendation"] = decision.reason
                mtd_by_rule = decision.mtd
            except InputError as exc:
                row["rule_recommendation"] = f"rule not applicable: {exc}"
        rows.append(row)
    study = ds.study.iloc[0]
    return {
        "design": design_name(protocol),
        "cohorts": rows,
        "replay_note": note,
        "mtd_by_rule": mtd_by_rule,
        "mtd_declared": None if pd.isna(study["mtd_dose_level"]) else int(study["mtd_dose_level"]),
        "rp2d_declared": None
        if pd.isna(study["rp2d_dose_level"])
        else int(study["rp2d_dose_level"]),
        "rp2d_rationale": study["rp2d_rationale"],
        "mtd_rule_text": protocol.design.mtd_rule.registry_text
        if protocol.design.mtd_rule
        else None,
        "mtd_rule_reading": protocol.design.mtd_rule.reading if protocol.design.mtd_rule else None,
    }


def deaths(ds: TrialDataset, dlt_window: tuple[int, int]) -> list[dict[str, Any]]:
    """Every death with its study day, cause, and any grade 5 AE recorded for the subject.

    ``dlt_window`` is the protocol's DLT window in study days (first, last): a death inside it
    is flagged with the subject's DLT evaluation (dlt_evaluations.reason), so that a death from
    progression or an intercurrent illness that left the patient DLT-inevaluable reads as such.
    """
    died = ds.disposition["death_date"]
    d = ds.disposition.loc[died.notna() & (died <= ds.data_cutoff)].sort_values("death_date")
    s = ds.subjects.set_index("subject_id")
    infusion, level = s["infusion_date"].to_dict(), s["dose_level"].to_dict()
    fatal: dict[str, list[dict[Hashable, Any]]] = {}
    aes = reported_aes(ds)
    for ae in aes.loc[aes["grade"] == 5].to_dict(orient="records"):
        fatal.setdefault(ae["subject_id"], []).append(ae)
    evaluation = ds.dlt_evaluations.set_index("subject_id")["reason"].to_dict()
    out = []
    for r in d.to_dict(orient="records"):
        sid = r["subject_id"]
        start = infusion.get(sid)
        day = None if start is None or pd.isna(start) else int((r["death_date"] - start).days)
        events = fatal.get(sid, [])
        dose = level.get(sid)
        inside = day is not None and dlt_window[0] <= day <= dlt_window[1]
        out.append(
            {
                "subject_id": sid,
                "dose_level": None if dose is None or pd.isna(dose) else int(dose),
                "death_date": r["death_date"].date(),
                "study_day": day,
                "within_30_days_of_infusion": day is not None and day <= 30,
                "inside_dlt_window": inside,
                "dlt_evaluation": evaluation.get(sid) if inside else None,
                "cause": r["death_cause"],
                "grade5_aes": [e["term"] for e in events],
                "treatment_related_grade5_aes": [
                    e["term"]
                    for e in events
                    if any(e[c] in RELATED_ATTRIBUTIONS for c in ds.attribution_columns)
                ],
            }
        )
    return out


def safety_analysis(ds: TrialDataset, protocol: Protocol) -> dict[str, Any]:
    """Every safety endpoint of the registry record as plain data."""
    window = next((e.time_frame_days for e in protocol.endpoints if e.id == "trae_incidence"), 365)
    pop = safety_population(ds)
    return {
        "population": "subjects who started preconditioning",
        "definition": (
            "treatment-related adverse events: onset from the start of preconditioning to "
            f"day {window} after infusion, attribution possible, probable or definite to "
            "the CAR-T cells, nab-paclitaxel or cyclophosphamide; patients counted once at their "
            "worst grade"
        ),
        "trae": ae_incidence_table(treatment_related_aes(ds, window), pop),
        "syndromes": syndrome_grades(ds),
        "dlt": dlt_summary(ds),
        "escalation": escalation_history(ds, protocol),
        "deaths": deaths(ds, (protocol.dlt.window_first_day, protocol.dlt.window_last_day)),
    }
