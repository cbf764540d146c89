"""E1, E2, E4-E9, E11, E13, E14: medical history facts, CNS metastases, prior cancers, wounds."""

from __future__ import annotations

from hyposti.eligibility.context import ScreeningContext
from hyposti.eligibility.dates import add_months, add_years
from hyposti.eligibility.verdict import (
    Outcome,
    absent_fields,
    combine,
    judgement,
    met,
    missing,
    not_met,
)
from hyposti.protocol.eligibility_spec import (
    AbsentConditionsRule,
    CnsMetastasesRule,
    JudgementRule,
    PriorCancerRule,
    SurgicalWoundRule,
)


def _conditions(names: list[str], ctx: ScreeningContext) -> Outcome:
    history = ctx.record.history
    present = [n for n in names if getattr(history, n) is True]
    unknown = [n for n in names if getattr(history, n) is None]
    if present:
        return not_met("present: " + ", ".join(n.replace("_", " ") for n in present))
    if unknown:
        return missing([f"history.{n}" for n in unknown], "not recorded: " + ", ".join(unknown))
    return met("absent: " + ", ".join(n.replace("_", " ") for n in names))


def absent_conditions(rule: AbsentConditionsRule, ctx: ScreeningContext) -> Outcome:
    """Exclusions stated as facts (E4, E5, E9, E13): met when each is recorded as absent."""
    return _conditions(list(rule.conditions), ctx)


def investigator_judgement(rule: JudgementRule, ctx: ScreeningContext) -> Outcome:
    """Exclusions needing judgement (E1, E6, E7, E8): recorded facts decide when present;
    otherwise the investigator's attestation does (see engine)."""
    if rule.conditions:
        facts = _conditions(list(rule.conditions), ctx)
        if facts.verdict != "met":
            return facts
        return judgement(f"{facts.reason}; investigator to judge: {rule.question}")
    return judgement(f"investigator to judge: {rule.question}")


def cns_metastases(rule: CnsMetastasesRule, ctx: ScreeningContext) -> Outcome:
    """Registry E2: brain metastases exclude unless irradiated >= 3 months before enrolment,
    asymptomatic and off corticosteroids; those admitted need a screening brain MRI."""
    record, cns = ctx.record, ctx.record.history.cns
    unknown = [
        f"history.cns.{n}"
        for n in ("brain_metastases", "active_cns_disease")
        if getattr(cns, n) is None
    ]
    if cns.active_cns_disease:
        return not_met("active CNS disease")
    if unknown:
        return missing(unknown, "CNS metastasis history not recorded")
    if not cns.brain_metastases:
        return met("no known brain metastases or active CNS disease")
    parts = []
    if cns.radiotherapy_end_date is None or record.enrolment_date is None:
        fields = ["history.cns.radiotherapy_end_date"] if cns.radiotherapy_end_date is None else []
        parts.append(
            missing(
                fields or ["enrolment_date"],
                "brain metastases are admitted only "
                "after radiotherapy ending at least "
                f"{rule.radiotherapy_at_least_months_before_enrolment} months before "
                "enrolment (untreated metastases exclude)",
            )
        )
    else:
        latest = add_months(
            record.enrolment_date, -rule.radiotherapy_at_least_months_before_enrolment
        )
        ok = cns.radiotherapy_end_date <= latest
        relation = "on or before" if ok else "after"
        parts.append(
            (met if ok else not_met)(
                f"CNS radiotherapy ended {cns.radiotherapy_end_date}, {relation} {latest} "
                f"({rule.radiotherapy_at_least_months_before_enrolment} months before enrolment)"
            )
        )
    for field, label in (
        ("cns_symptoms", "CNS symptoms"),
        ("on_corticosteroids_for_cns", "corticosteroids for CNS disease"),
    ):
        value = getattr(cns, field)
        if value is None:
            parts.append(missing([f"history.cns.{field}"], f"{label} not recorded"))
        else:
            parts.append(not_met(f"{label} present") if value else met(f"no {label}"))
    mri, days = cns.brain_mri_date, rule.brain_mri_within_days_before_enrolment
    if (
        mri is None
        or record.enrolment_date is None
        or not (0 <= (record.enrolment_date - mri).days <= days)
    ):
        parts.append(
            missing(
                ["history.cns.brain_mri_date"],
                f"treated brain metastases need a brain MRI within {days} days "
                f"before enrolment (recorded: {mri})",
            )
        )
    else:
        parts.append(met(f"screening brain MRI on {mri}"))
    return combine(parts)


def prior_cancer(rule: PriorCancerRule, ctx: ScreeningContext) -> Outcome:
    """Registry E11: another cancer concurrent, or diagnosed or treated within 3 years before
    the first dose, excludes unless it is a listed, curatively treated exception."""
    record = ctx.record
    cancers = record.history.prior_cancers
    absent = absent_fields(
        {"history.prior_cancers": cancers, "first_study_dose_date": record.first_study_dose_date}
    )
    first_dose = record.first_study_dose_date
    if absent or cancers is None or first_dose is None:
        return missing(absent, "prior cancers and the treatment start date are needed")
    if not cancers:
        return met("no other cancer on record")
    since = add_years(first_dose, -rule.within_years_before_first_dose)
    parts = []
    for cancer in cancers:
        last = max(d for d in (cancer.diagnosis_date, cancer.last_treatment_date) if d is not None)
        if cancer.category in rule.exceptions and cancer.curatively_treated:
            parts.append(
                met(f"{cancer.description}: excepted ({cancer.category}, curatively treated)")
            )
        elif cancer.concurrent:
            parts.append(not_met(f"{cancer.description}: concurrent cancer"))
        elif last >= since:
            parts.append(
                not_met(
                    f"{cancer.description}: last diagnosed/treated {last}, within "
                    f"{rule.within_years_before_first_dose} years (since {since})"
                )
            )
        else:
            parts.append(
                met(f"{cancer.description}: last diagnosed/treated {last}, before {since}")
            )
    return combine(parts)


def surgical_wounds(rule: SurgicalWoundRule, ctx: ScreeningContext) -> Outcome:
    """Registry E14: a surgical wound unhealed more than 30 days after surgery (on the
    screening date) excludes."""
    record = ctx.record
    wounds = record.history.surgical_wounds
    if wounds is None:
        return missing(["history.surgical_wounds"], "surgical wounds not recorded")
    parts = []
    for wound in wounds:
        age = (record.screening_date - wound.surgery_date).days
        if wound.healed:
            parts.append(met(f"wound of {wound.surgery_date} healed"))
        elif age > rule.unhealed_more_than_days:
            parts.append(
                not_met(
                    f"wound of {wound.surgery_date} unhealed for {age} days "
                    f"(> {rule.unhealed_more_than_days})"
                )
            )
        else:
            parts.append(
                met(
                    f"wound of {wound.surgery_date} unhealed for {age} days "
                    f"(<= {rule.unhealed_more_than_days})"
                )
            )
    return combine(parts) if parts else met("no surgical wound on record")
