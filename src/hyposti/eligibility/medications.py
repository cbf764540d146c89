"""E3 and E12: corticosteroids above a prednisone-equivalent dose, immunosuppressants, vaccines.

Corticosteroid equivalence from the protocol table (Liu D et al. 2013, Allergy Asthma Clin
Immunol 9:30, Table 1).
"""

from __future__ import annotations

import datetime as dt

from hyposti.eligibility.context import ScreeningContext, at_most, fmt
from hyposti.eligibility.verdict import Outcome, absent_fields, combine, met, missing, not_met
from hyposti.errors import InputError
from hyposti.protocol.eligibility_spec import (
    CorticosteroidEquivalence,
    ImmunosuppressionRule,
    VaccinationRule,
)


def prednisone_equivalent_mg(
    drug: str, dose_mg: float, table: CorticosteroidEquivalence, field: str = "drug"
) -> float:
    """Daily dose of ``drug`` as mg of the table's reference drug (prednisone): dose x ref / eq."""
    key = drug.strip().lower()
    if key not in table.equivalent_dose_mg:
        raise InputError(
            field,
            drug,
            "not in the protocol's corticosteroid equivalence table "
            f"(known: {', '.join(sorted(table.equivalent_dose_mg))})",
        )
    reference = table.equivalent_dose_mg[table.reference_drug]
    return dose_mg * reference / table.equivalent_dose_mg[key]


def _active(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day <= end)


def immunosuppression(rule: ImmunosuppressionRule, ctx: ScreeningContext) -> Outcome:
    """Registry E3: corticosteroids > 10 mg/day prednisone equivalent, or any other
    immunosuppressant, on any day within 14 days before enrolment (inclusive)."""
    table = ctx.protocol.corticosteroid_equivalence
    assert table is not None, "Protocol refuses this rule without the section at load"
    record = ctx.record
    steroids, others = record.medications.corticosteroids, record.medications.immunosuppressants
    absent = absent_fields(
        {
            "medications.corticosteroids": steroids,
            "medications.immunosuppressants": others,
            "enrolment_date": record.enrolment_date,
        }
    )
    enrolment = record.enrolment_date
    if absent or steroids is None or others is None or enrolment is None:
        return missing(absent, "medication history within the window is needed")
    window_start = enrolment - dt.timedelta(days=rule.within_days_of_enrolment)
    # Only systemic routes count; a topical or inhaled steroid need not be in the table.
    counted = [
        (
            s,
            prednisone_equivalent_mg(
                s.drug, s.daily_dose_mg, table, f"medications.corticosteroids[{i}].drug"
            ),
        )
        for i, s in enumerate(steroids)
        if s.route in rule.counted_routes
    ]
    # The window's days, listed only when a medication is to be checked day by day.
    days = [
        window_start + dt.timedelta(days=i)
        for i in range(rule.within_days_of_enrolment + 1 if counted or others else 0)
    ]
    worst_day: dt.date | None = None
    worst = 0.0
    for day in days if counted else ():  # nothing counted: every day's total is 0
        total = sum(eq for s, eq in counted if _active(s.start_date, s.end_date, day))
        if total > worst:
            worst_day, worst = day, total
    limit = rule.prednisone_equivalent_max_mg_per_day
    window = f"{window_start} to {enrolment}"
    parts = []
    if worst_day is None:
        ignored = [f"{s.drug} {s.route}" for s in steroids if s.route not in rule.counted_routes]
        note = f" (not counted, route: {', '.join(ignored)})" if ignored else ""
        parts.append(
            met(
                f"no systemic corticosteroid in {window}{note}",
                max_prednisone_equivalent_mg_day=0.0,
            )
        )
    else:
        taking = [
            f"{s.drug} {fmt(s.daily_dose_mg)} mg/day = {fmt(eq)} mg prednisone"
            for s, eq in counted
            if _active(s.start_date, s.end_date, worst_day)
        ]
        ok = at_most(worst, limit)
        sign = "<=" if ok else ">"
        parts.append(
            (met if ok else not_met)(
                f"highest daily corticosteroid dose in {window}: {fmt(worst)} mg prednisone "
                f"equivalent on {worst_day} ({'; '.join(taking)}) {sign} {fmt(limit)} mg",
                max_prednisone_equivalent_mg_day=round(worst, 4),
            )
        )
    used = [o for o in others if any(_active(o.start_date, o.end_date, d) for d in days)]
    if used:
        parts.append(
            not_met(
                f"immunosuppressant in {window}: "
                + ", ".join(f"{o.drug} from {o.start_date}" for o in used)
            )
        )
    else:
        parts.append(met(f"no other immunosuppressant in {window}"))
    return combine(parts)


def vaccination(rule: VaccinationRule, ctx: ScreeningContext) -> Outcome:
    """Registry E12: a vaccination within 30 days of enrolment (inclusive) excludes."""
    record = ctx.record
    vaccines = record.medications.vaccinations
    absent = absent_fields(
        {"medications.vaccinations": vaccines, "enrolment_date": record.enrolment_date}
    )
    enrolment = record.enrolment_date
    if absent or vaccines is None or enrolment is None:
        return missing(absent, "vaccination history and enrolment date are needed")
    if not vaccines:
        return met("no vaccination on record")
    latest = min(vaccines, key=lambda v: abs((enrolment - v.date).days))
    gap = abs((enrolment - latest.date).days)
    ok = gap > rule.within_days_of_enrolment
    relation = "outside" if ok else "within"
    return (met if ok else not_met)(
        f"{latest.vaccine} on {latest.date} is {gap} days from enrolment on "
        f"{record.enrolment_date}, {relation} {rule.within_days_of_enrolment} days",
        days_from_vaccination=gap,
    )
