"""I1: age in whole years on the screening date within the protocol's range; life expectancy."""

from __future__ import annotations

from hyposti.eligibility.context import ScreeningContext, fmt
from hyposti.eligibility.dates import age_in_years
from hyposti.eligibility.verdict import Outcome, combine, met, missing, not_met
from hyposti.protocol.eligibility_spec import AgeAndLifeExpectancyRule


def age_and_life_expectancy(rule: AgeAndLifeExpectancyRule, ctx: ScreeningContext) -> Outcome:
    """Registry I1 "Age from 18 to 75 years": inclusive bounds, completed years on screening."""
    record = ctx.record
    low, high = ctx.protocol.eligibility.age_range_years
    parts = []
    birth = record.demographics.date_of_birth
    if birth is None:
        parts.append(missing(["demographics.date_of_birth"], "date of birth not recorded"))
    else:
        age = age_in_years(birth, record.screening_date)
        inside = low <= age <= high
        verb = "is within" if inside else "is outside"
        reason = f"age {age} on {record.screening_date} (born {birth}) {verb} {low}-{high} years"
        parts.append((met if inside else not_met)(reason, age_years=age))
    expectancy = record.disease.life_expectancy_months
    limit = rule.life_expectancy_more_than_months
    if expectancy is None:
        parts.append(missing(["disease.life_expectancy_months"], "life expectancy not recorded"))
    elif expectancy > limit:
        parts.append(
            met(
                f"life expectancy {fmt(expectancy)} months > {fmt(limit)}",
                life_expectancy_months=expectancy,
            )
        )
    else:
        parts.append(
            not_met(
                f"life expectancy {fmt(expectancy)} months is not > {fmt(limit)}",
                life_expectancy_months=expectancy,
            )
        )
    return combine(parts)
