"""I5 and I8: washout since the last anticancer treatment, residual toxicity, anti-PD-1 history."""

from __future__ import annotations

from hyposti.eligibility.context import ScreeningContext
from hyposti.eligibility.verdict import Outcome, combine, met, missing, not_met
from hyposti.protocol.eligibility_spec import PermissiveRule, WashoutRule


def washout_and_recovery(rule: WashoutRule, ctx: ScreeningContext) -> Outcome:
    """Registry I5: treatment completed "more than 4 weeks" before enrolment (strictly), and
    toxicity recovered to <= grade 1 (CTCAE v5.0 grades)."""
    record = ctx.record
    therapies = record.treatment.prior_therapies
    if therapies is None:
        return missing(["treatment.prior_therapies"], "prior anticancer therapy not recorded")
    if not therapies:
        return met("no previous anticancer treatment", days_since_last_treatment=None)
    parts = []
    ongoing = [t.regimen for t in therapies if t.end_date is None or t.outcome == "ongoing"]
    if ongoing:
        parts.append(not_met(f"treatment still ongoing: {', '.join(ongoing)}"))
    ended = [(t.end_date, t) for t in therapies if t.end_date is not None]
    if ended and record.enrolment_date is None:
        parts.append(missing(["enrolment_date"], "the washout needs the enrolment date"))
    elif ended and record.enrolment_date is not None:
        last_end, last = max(ended, key=lambda pair: pair[0])
        days = (record.enrolment_date - last_end).days
        ok = days > rule.washout_more_than_days
        sign = ">" if ok else "is not >"
        parts.append(
            (met if ok else not_met)(
                f"last treatment {last.regimen} ended {last_end}, "
                f"{days} days before enrolment "
                f"on {record.enrolment_date} ({sign} {rule.washout_more_than_days})",
                days_since_last_treatment=days,
            )
        )
    grade = record.treatment.worst_residual_toxicity_grade
    if grade is None:
        parts.append(
            missing(
                ["treatment.worst_residual_toxicity_grade"],
                "worst residual toxicity grade not recorded",
            )
        )
    else:
        ok = grade <= rule.max_residual_toxicity_grade
        sign = "<=" if ok else ">"
        parts.append(
            (met if ok else not_met)(
                f"worst residual toxicity grade {grade} {sign} {rule.max_residual_toxicity_grade}",
                worst_residual_toxicity_grade=grade,
            )
        )
    return combine(parts)


def permissive(rule: PermissiveRule, ctx: ScreeningContext) -> Outcome:
    """Registry I8 "anti-PD-1/PD-L1 antibodies are allowed": a permission, so always met."""
    therapies = ctx.record.treatment.prior_therapies
    if therapies is None:
        history = "prior therapy not recorded"
    else:
        regimens = [t.regimen for t in therapies if t.anti_pd1_or_pdl1]
        history = f"prior anti-PD-1/PD-L1: {', '.join(regimens)}" if regimens else "none on record"
    return met(f"{rule.statement} ({history})")
