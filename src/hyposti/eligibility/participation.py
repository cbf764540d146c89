"""I9 and E15: informed consent, and participation in other trials within the washout."""

from __future__ import annotations

from hyposti.eligibility.context import ScreeningContext
from hyposti.eligibility.verdict import Outcome, absent_fields, combine, met, missing, not_met
from hyposti.protocol.eligibility_spec import ConsentRule, OtherTrialRule


def informed_consent(rule: ConsentRule, ctx: ScreeningContext) -> Outcome:
    """Registry I9: written consent signed by the participant (ICH E6(R2) 4.8), before enrolment."""
    record, consent = ctx.record, ctx.record.consent
    absent = absent_fields(
        {
            "consent.signed_date": consent.signed_date,
            "consent.signed_by_participant": consent.signed_by_participant,
        }
    )
    signed = consent.signed_date
    if absent or signed is None:
        return missing(absent, "written informed consent not recorded")
    parts = [
        met("signed by the participant")
        if consent.signed_by_participant
        else not_met("signed by a representative, not the participant")
    ]
    if record.enrolment_date is not None and signed > record.enrolment_date:
        parts.append(
            not_met(
                f"consent signed {consent.signed_date}, after enrolment on {record.enrolment_date}"
            )
        )
    else:
        parts.append(met(f"consent signed {consent.signed_date}"))
    return combine(parts)


def other_trials(rule: OtherTrialRule, ctx: ScreeningContext) -> Outcome:
    """Registry E15: in another trial, or left one within 4 weeks (inclusive) of enrolment."""
    record = ctx.record
    trials = record.history.other_trials
    absent = absent_fields(
        {"history.other_trials": trials, "enrolment_date": record.enrolment_date}
    )
    enrolment = record.enrolment_date
    if absent or trials is None or enrolment is None:
        return missing(absent, "other-trial participation and the enrolment date are needed")
    if not trials:
        return met("no other trial on record")
    parts = []
    for trial in trials:
        if trial.last_participation_date is None:
            parts.append(not_met(f"still participating in {trial.trial}"))
            continue
        gap = (enrolment - trial.last_participation_date).days
        ok = gap > rule.within_days_of_enrolment
        relation = ">" if ok else "<="
        parts.append(
            (met if ok else not_met)(
                f"left {trial.trial} on {trial.last_participation_date}, "
                f"{gap} days before enrolment "
                f"({relation} {rule.within_days_of_enrolment})"
            )
        )
    return combine(parts)
