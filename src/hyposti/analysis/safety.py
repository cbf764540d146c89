"""Safety endpoints: treatment-related AE incidence, CRS/ICANS by grade, DLTs, MTD/RP2D, deaths.

AE incidence counts patients by their worst grade (CTCAE v5.0, NCI 2017; ICH E3 section 12.2);
treatment-related means attribution possible, probable or definite to any study product
(NCI CTEP attribution scale), from the start of preconditioning as the registry defines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from hyposti.analysis.binomial import Proportion, clopper_pearson
from hyposti.analysis.missing import int_or_none, text_or_none
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


@dataclass(frozen=True, slots=True)
class GradeCounts:
    """Patients at one dose level (or all): how many, with any event, grade >= 3, by worst grade
    (keys "1" to "5")."""

    n: int
    any: int
    grade_3_plus: int
    by_worst_grade: dict[str, int]


@dataclass(frozen=True, slots=True)
class IncidenceRow:
    """One row of an AE incidence table: the any-AE row (no SOC), a SOC, or a term in it; the
    patients counted per dose-level key ("1", "2", ..., "all")."""

    soc: str | None
    term: str | None
    by_dose: dict[str, GradeCounts]


@dataclass(frozen=True, slots=True)
class IncidenceTable:
    """Patients by worst grade, per dose level then ``all``: the any-AE row, each SOC, each term."""

    dose_levels: tuple[str, ...]
    n: dict[str, int]
    rows: tuple[IncidenceRow, ...]


@dataclass(frozen=True, slots=True)
class DltEvent:
    subject_id: str
    term: str
    grade: int


@dataclass(frozen=True, slots=True)
class NotEvaluable:
    """A patient left out of the DLT count, with the evaluation's reason (None: not recorded)."""

    subject_id: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class DltAtDose:
    """DLTs at one dose level: treated, evaluable, with a DLT (exact 95% CI), which and why not."""

    dose_level: int
    n_treated: int
    n_evaluable: int
    n_dlt: int
    rate: Proportion
    dlt_events: tuple[DltEvent, ...]
    not_evaluable_reasons: tuple[NotEvaluable, ...]


@dataclass(frozen=True, slots=True)
class EscalationCohort:
    """A recorded cohort and decision, beside what the protocol's design rule says of it."""

    cohort: int
    dose_level: int
    n_patients: int
    n_dlt: int
    decision: str | None
    reason: str | None
    decision_date: dt.date | None
    rule_recommendation: str | None


@dataclass(frozen=True, slots=True)
class EscalationHistory:
    """The escalation as recorded and as the design rule replays it; the declared MTD and RP2D."""

    design: str
    cohorts: tuple[EscalationCohort, ...]
    replay_note: str | None
    mtd_by_rule: int | None
    mtd_declared: int | None
    rp2d_declared: int | None
    rp2d_rationale: str | None
    mtd_rule_text: str | None
    mtd_rule_reading: str | None


@dataclass(frozen=True, slots=True)
class Death:
    """A death up to the cut-off: when (study day from infusion), why, and its grade 5 AEs."""

    subject_id: str
    dose_level: int | None
    death_date: dt.date
    study_day: int | None
    within_30_days_of_infusion: bool
    inside_dlt_window: bool
    dlt_evaluation: str | None
    cause: str | None
    grade5_aes: tuple[str, ...]
    treatment_related_grade5_aes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SafetyAnalysis:
    """Every safety endpoint of the registry record: TRAE incidence, CRS/ICANS/CRES grades (keyed
    by syndrome, then dose-level key), DLTs per dose level, the escalation, deaths."""

    population: str
    definition: str
    trae: IncidenceTable
    syndromes: dict[str, dict[str, GradeCounts]]
    dlt: tuple[DltAtDose, ...]
    escalation: EscalationHistory
    deaths: tuple[Death, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


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
) -> dict[str, GradeCounts]:
    """Patients by worst grade per dose level (worst: one row per subject, grade, dose_level)."""
    out: dict[str, GradeCounts] = {}
    for level in levels:
        rows = worst if level == ALL else worst.loc[worst["dose_level"] == level]
        grades = rows["grade"].astype(int)
        n = denominators[dose_key(level)]
        out[dose_key(level)] = GradeCounts(
            n=n,
            any=int(rows["subject_id"].nunique()),
            grade_3_plus=int((grades >= 3).sum()),
            by_worst_grade={str(g): int((grades == g).sum()) for g in range(1, 6)},
        )
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


def ae_incidence_table(ae: pd.DataFrame, pop: pd.DataFrame) -> IncidenceTable:
    """Any-AE row, then each SOC and each term in it: patients by worst grade, per dose level."""
    levels, denominators = _dose_levels(pop)
    rows = [IncidenceRow(None, None, _counts(worst(ae), levels, denominators))]
    for soc, by_soc in sorted(ae.groupby("soc"), key=lambda kv: str(kv[0])):
        rows.append(IncidenceRow(str(soc), None, _counts(worst(by_soc), levels, denominators)))
        for term, by_term in sorted(by_soc.groupby("term"), key=lambda kv: str(kv[0])):
            rows.append(
                IncidenceRow(str(soc), str(term), _counts(worst(by_term), levels, denominators))
            )
    return IncidenceTable(tuple(dose_key(lv) for lv in levels), denominators, tuple(rows))


def syndrome_grades(ds: TrialDataset) -> dict[str, dict[str, GradeCounts]]:
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


def dlt_summary(ds: TrialDataset) -> list[DltAtDose]:
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
            DltAtDose(
                dose_level=level,
                n_treated=len(rows),
                n_evaluable=len(evaluable),
                n_dlt=n_dlt,
                rate=clopper_pearson(n_dlt, len(evaluable)),
                dlt_events=tuple(
                    DltEvent(str(sid), str(term), int(grade))
                    for sid, term, grade in zip(
                        events["subject_id"], events["term"], events["grade"], strict=True
                    )
                ),
                not_evaluable_reasons=tuple(
                    NotEvaluable(str(sid), text_or_none(reason))
                    for sid, reason in zip(
                        not_evaluable["subject_id"], not_evaluable["reason"], strict=True
                    )
                ),
            )
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


def escalation_history(ds: TrialDataset, protocol: Protocol) -> EscalationHistory:
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
        recommendation: str | None = None
        if design is not None and n > 0 and 1 <= dose <= num_doses:
            cohorts.append(Cohort(dose, tuple([True] * y + [False] * (n - y))))
            try:
                decision = fit(design, cohorts)
                recommendation = decision.reason
                mtd_by_rule = decision.mtd
            except InputError as exc:
                recommendation = f"rule not applicable: {exc}"
        rows.append(
            EscalationCohort(
                cohort=int(r["cohort"]),
                dose_level=dose,
                n_patients=n,
                n_dlt=y,
                decision=text_or_none(r["decision"]),
                reason=text_or_none(r["reason"]),
                decision_date=None if pd.isna(decided) else decided.date(),
                rule_recommendation=recommendation,
            )
        )
    study = ds.study.iloc[0]
    return EscalationHistory(
        design=design_name(protocol),
        cohorts=tuple(rows),
        replay_note=note,
        mtd_by_rule=mtd_by_rule,
        mtd_declared=int_or_none(study["mtd_dose_level"]),
        rp2d_declared=int_or_none(study["rp2d_dose_level"]),
        rp2d_rationale=text_or_none(study["rp2d_rationale"]),
        mtd_rule_text=protocol.design.mtd_rule.registry_text if protocol.design.mtd_rule else None,
        mtd_rule_reading=protocol.design.mtd_rule.reading if protocol.design.mtd_rule else None,
    )


def deaths(ds: TrialDataset, dlt_window: tuple[int, int]) -> list[Death]:
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
            Death(
                subject_id=str(sid),
                dose_level=int_or_none(dose),
                death_date=r["death_date"].date(),
                study_day=day,
                within_30_days_of_infusion=day is not None and day <= 30,
                inside_dlt_window=inside,
                dlt_evaluation=text_or_none(evaluation.get(sid)) if inside else None,
                cause=text_or_none(r["death_cause"]),
                grade5_aes=tuple(str(e["term"]) for e in events),
                treatment_related_grade5_aes=tuple(
                    str(e["term"])
                    for e in events
                    if any(e[c] in RELATED_ATTRIBUTIONS for c in ds.attribution_columns)
                ),
            )
        )
    return out


def safety_analysis(ds: TrialDataset, protocol: Protocol) -> SafetyAnalysis:
    """Every safety endpoint of the registry record."""
    window = next((e.time_frame_days for e in protocol.endpoints if e.id == "trae_incidence"), 365)
    pop = safety_population(ds)
    *others, last = [p.name for p in protocol.products]
    products = f"{', '.join(others)} or {last}" if others else last
    return SafetyAnalysis(
        population="subjects who started preconditioning",
        definition=(
            "treatment-related adverse events: onset from the start of preconditioning to "
            f"day {window} after infusion, attribution possible, probable or definite to "
            f"{products}; patients counted once at their worst grade"
        ),
        trae=ae_incidence_table(treatment_related_aes(ds, window), pop),
        syndromes=syndrome_grades(ds),
        dlt=tuple(dlt_summary(ds)),
        escalation=escalation_history(ds, protocol),
        deaths=tuple(deaths(ds, (protocol.dlt.window_first_day, protocol.dlt.window_last_day))),
    )
