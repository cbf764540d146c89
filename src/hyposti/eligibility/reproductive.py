"""I10 and E10: contraception and pregnancy testing for women of child-bearing potential."""

from __future__ import annotations

from hyposti.eligibility.context import ScreeningContext
from hyposti.eligibility.verdict import Outcome, combine, met, missing, not_met
from hyposti.protocol.eligibility_spec import ContraceptionRule, PregnancyRule


def child_bearing_potential(ctx: ScreeningContext) -> bool | Outcome:
    """True/False, or the missing-data outcome when sex or potential is not recorded."""
    demo = ctx.record.demographics
    if demo.sex is None:
        return missing(["demographics.sex"], "sex not recorded")
    if demo.sex == "male":
        return False
    if demo.child_bearing_potential is None:
        return missing(
            ["demographics.child_bearing_potential"],
            "child-bearing potential of a woman not recorded",
        )
    return demo.child_bearing_potential


def contraception(rule: ContraceptionRule, ctx: ScreeningContext) -> Outcome:
    """Registry I10: women of child-bearing potential agree to adequate contraception."""
    potential = child_bearing_potential(ctx)
    if isinstance(potential, Outcome):
        return potential
    if not potential:
        return met(f"not applicable ({ctx.record.demographics.sex}, no child-bearing potential)")
    agreed = ctx.record.reproductive.contraception_agreed
    if agreed is None:
        return missing(
            ["reproductive.contraception_agreed"], "contraception agreement not recorded"
        )
    if agreed:
        return met("agrees to adequate contraception to 90 days after the last dose")
    return not_met("does not agree to adequate contraception")


def pregnancy(rule: PregnancyRule, ctx: ScreeningContext) -> Outcome:
    """Registry E10: not pregnant or breast-feeding; WOCBP need a negative test <= 7 days before
    enrolment (an older or missing test leaves the record incomplete, not ineligible)."""
    record = ctx.record
    if record.demographics.sex == "male":
        return met("not applicable (male)")
    potential = child_bearing_potential(ctx)
    if isinstance(potential, Outcome):
        return potential
    repro = record.reproductive
    parts = []
    if repro.pregnant:
        parts.append(not_met("pregnant"))
    if repro.breastfeeding is None:
        parts.append(missing(["reproductive.breastfeeding"], "breast-feeding not recorded"))
    else:
        parts.append(
            not_met("breast-feeding") if repro.breastfeeding else met("not breast-feeding")
        )
    if potential:
        test = repro.pregnancy_test
        days = rule.test_within_days_before_enrolment
        if test is None or record.enrolment_date is None:
            fields = ["reproductive.pregnancy_test"] if test is None else ["enrolment_date"]
            parts.append(
                missing(
                    fields,
                    f"a pregnancy test within {days} days before enrolment "
                    "is required of a woman of child-bearing potential",
                )
            )
        else:
            gap = (record.enrolment_date - test.date).days
            if test.result == "positive":
                parts.append(not_met(f"pregnancy test of {test.date} positive"))
            elif not 0 <= gap <= days:
                parts.append(
                    missing(
                        ["reproductive.pregnancy_test"],
                        f"negative test of {test.date} is {gap} days before "
                        f"enrolment on {record.enrolment_date}; one within {days} "
                        "days is required",
                        days_before_enrolment=gap,
                    )
                )
            else:
                parts.append(
                    met(
                        f"negative pregnancy test on {test.date}, {gap} days before "
                        f"enrolment (<= {days})",
                        days_before_enrolment=gap,
                    )
                )
    else:
        parts.append(met("no child-bearing potential: no pregnancy test required"))
    return combine(parts)
