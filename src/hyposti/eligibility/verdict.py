"""Verdicts: one per criterion with its reason and values, and the overall screening status.

For an exclusion criterion "met" means the patient satisfies it, i.e. is *not* excluded, so that
"eligible" is simply "every criterion met" (the issue's wording).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from hyposti.eligibility.record import Attestation

Value = str | int | float | bool | None


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    MISSING_DATA = "missing_data"
    NEEDS_JUDGEMENT = "needs_judgement"


class Outcome(NamedTuple):
    """What an evaluator decides: verdict, reason quoting values, the values and missing fields.

    An immutable tuple, not a validated model: evaluators build it from the validated record, and
    the CriterionResult it becomes validates every field again. A screening makes 25-70 of them,
    and a tuple costs a fifth of a pydantic model and a third of a frozen dataclass to make.
    """

    verdict: Verdict
    reason: str
    values: dict[str, Value]
    missing_fields: list[str]


def met(reason: str, **values: Value) -> Outcome:
    return Outcome(Verdict.MET, reason, values, [])


def not_met(reason: str, **values: Value) -> Outcome:
    return Outcome(Verdict.NOT_MET, reason, values, [])


def absent_fields(values: Mapping[str, object]) -> list[str]:
    """The dotted field names whose value is not recorded (None), in the order given."""
    return [name for name, value in values.items() if value is None]


def missing(fields: list[str], reason: str, **values: Value) -> Outcome:
    return Outcome(Verdict.MISSING_DATA, reason, values, fields)


def judgement(reason: str, **values: Value) -> Outcome:
    return Outcome(Verdict.NEEDS_JUDGEMENT, reason, values, [])


#: The verdict of several sub-checks together: the first of these that any sub-check has.
PRECEDENCE = (Verdict.NOT_MET, Verdict.MISSING_DATA, Verdict.NEEDS_JUDGEMENT, Verdict.MET)


def combine(parts: list[Outcome]) -> Outcome:
    """One outcome from several sub-checks: any not met wins, then missing data, then judgement.

    Every sub-check's reason is kept (all failures are listed, not just the first).
    """
    present = {p.verdict for p in parts}
    verdict = Verdict.MET
    # A plain loop, not next() over a generator: a screening combines parts about 8 times.
    for candidate in PRECEDENCE:
        if candidate in present:
            verdict = candidate
            break
    values: dict[str, Value] = {}
    fields: list[str] = []
    for p in parts:
        if p.values:
            values.update(p.values)
        if p.missing_fields:
            fields += p.missing_fields
    reason = "; ".join([p.reason for p in parts if p.verdict == verdict])
    if verdict != Verdict.MET:
        others = [p.reason for p in parts if p.verdict == Verdict.MET]
        if others:
            reason += " (otherwise: " + "; ".join(others) + ")"
    return Outcome(verdict, reason, values, fields)


class CriterionResult(BaseModel):
    """The verdict on one criterion, with the registry text it applies."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: Literal["inclusion", "exclusion"]
    text: str
    rule: str | None
    verdict: Verdict
    reason: str
    values: dict[str, Value]
    missing_fields: list[str]
    attestation: Attestation | None = None


ScreeningStatus = Literal["eligible", "ineligible", "incomplete", "pending_review"]


class ScreeningResult(BaseModel):
    """The whole screening verdict: serialisable, for an investigator to review and sign."""

    model_config = ConfigDict(frozen=True)

    participant_id: str
    protocol_id: str
    screening_date: dt.date
    evaluated_on: dt.date
    status: ScreeningStatus
    summary: str
    failing: list[str] = Field(description="Criteria not met (status ineligible).")
    missing_fields: list[str] = Field(description="Record fields needed to decide.")
    pending_review: list[str] = Field(description="Criteria awaiting investigator judgement.")
    criteria: list[CriterionResult]


def overall_status(verdicts: Collection[Verdict]) -> ScreeningStatus:
    """Ineligible if any criterion fails; else incomplete if data are missing; else pending
    review if a judgement is outstanding; else eligible (from every criterion's verdict)."""
    if Verdict.NOT_MET in verdicts:
        return "ineligible"
    if Verdict.MISSING_DATA in verdicts:
        return "incomplete"
    if Verdict.NEEDS_JUDGEMENT in verdicts:
        return "pending_review"
    return "eligible"
