"""Screens one record against every criterion of the protocol and decides the overall status."""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from hyposti.eligibility import (
    demographics,
    disease,
    history,
    medications,
    organ_function,
    participation,
    prior_therapy,
    reproductive,
)
from hyposti.eligibility.context import ScreeningContext
from hyposti.eligibility.record import Attestation, ScreeningRecord
from hyposti.eligibility.verdict import (
    CriterionResult,
    Outcome,
    ScreeningResult,
    Verdict,
    judgement,
    met,
    not_met,
    overall_status,
)
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.protocol.eligibility_spec import Criterion

Evaluator = Callable[[Any, ScreeningContext], Outcome]

# The protocol names a rule; this maps the name to the function that applies it.
RULES: dict[str, Evaluator] = {
    "age_and_life_expectancy": demographics.age_and_life_expectancy,
    "diagnosis_her2_prior_therapy": disease.diagnosis_her2_prior_therapy,
    "measurable_lesions": disease.measurable_lesions,
    "tumour_sample": disease.tumour_sample,
    "performance_status": disease.performance_status,
    "washout_and_recovery": prior_therapy.washout_and_recovery,
    "permissive": prior_therapy.permissive,
    "organ_function": organ_function.organ_function,
    "immunosuppression": medications.immunosuppression,
    "vaccination": medications.vaccination,
    "contraception": reproductive.contraception,
    "pregnancy": reproductive.pregnancy,
    "absent_conditions": history.absent_conditions,
    "investigator_judgement": history.investigator_judgement,
    "cns_metastases": history.cns_metastases,
    "prior_cancer": history.prior_cancer,
    "surgical_wounds": history.surgical_wounds,
    "informed_consent": participation.informed_consent,
    "other_trials": participation.other_trials,
}

# Planned dates may lie after "today"; every other date in a record is an observation.
PLANNED = {"enrolment_date", "first_study_dose_date"}


def _may_hold_date(annotation: Any) -> bool:
    """Whether a field so annotated can hold a date, a record or a list (which may hold dates)."""
    if annotation is Any:
        return True
    if isinstance(annotation, type) and issubclass(annotation, dt.date | BaseModel | list):
        return True
    return any(_may_hold_date(arg) for arg in typing.get_args(annotation))


@functools.cache
def _date_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` worth walking for dates (a screening record has ~200 fields)."""
    return tuple(name for name, f in model.model_fields.items() if _may_hold_date(f.annotation))


def _dates(value: Any, path: str) -> list[tuple[str, dt.date]]:
    if isinstance(value, dt.date):
        return [(path, value)]
    if isinstance(value, BaseModel):
        return [
            item
            for name in _date_fields(type(value))
            if not (path == "" and name in PLANNED)
            for item in _dates(getattr(value, name), f"{path}.{name}" if path else name)
        ]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in _dates(v, f"{path}[{i}]")]
    return []


def check_record_dates(record: ScreeningRecord, today: dt.date) -> None:
    """Refuse observations dated after ``today`` (the record itself keeps its dates in order)."""
    for path, day in _dates(record, ""):
        if day > today:
            raise InputError(
                path,
                day.isoformat(),
                f"is after today ({today}); observations cannot be in the future",
            )


def _attestations(record: ScreeningRecord, criteria: list[Criterion]) -> dict[str, Attestation]:
    by_id = {c.id: c for c in criteria}
    found: dict[str, Attestation] = {}
    for i, att in enumerate(record.attestations):
        field = f"attestations[{i}].criterion_id"
        criterion = by_id.get(att.criterion_id)
        if criterion is None:
            raise InputError(field, att.criterion_id, "no such criterion in the protocol")
        if criterion.check is not None and criterion.check.rule != "investigator_judgement":
            raise InputError(
                field,
                att.criterion_id,
                f"criterion is decided by the rule "
                f"{criterion.check.rule!r} from the record; attestations apply to "
                "criteria needing investigator judgement",
            )
        if att.criterion_id in found:
            raise InputError(field, att.criterion_id, "attested twice; keep one attestation")
        found[att.criterion_id] = att
    return found


def evaluate_criterion(
    criterion: Criterion, ctx: ScreeningContext, attestation: Attestation | None = None
) -> CriterionResult:
    """One criterion's verdict; an attestation settles it only when judgement is needed."""
    if criterion.check is None:
        outcome = judgement("no computable rule in the protocol: investigator to judge the text")
    else:
        outcome = RULES[criterion.check.rule](criterion.check, ctx)
    applied = None
    if attestation is not None and outcome.verdict == Verdict.NEEDS_JUDGEMENT:
        applied = attestation
        who = f"{attestation.investigator} on {attestation.attested_on}"
        note = f": {attestation.note}" if attestation.note else ""
        verdict = met if attestation.satisfied else not_met
        outcome = verdict(f"attested by {who}{note} ({outcome.reason})", **outcome.values)
    elif attestation is not None:
        outcome = outcome.model_copy(
            update={
                "reason": f"{outcome.reason} (attestation by {attestation.investigator} "
                "not applied: "
                "the record decides)"
            }
        )
    return CriterionResult(
        id=criterion.id,
        kind=criterion.kind,
        text=criterion.text,
        rule=criterion.check.rule if criterion.check else None,
        verdict=outcome.verdict,
        reason=outcome.reason,
        values=outcome.values,
        missing_fields=outcome.missing_fields,
        attestation=applied,
    )


def screen(record: ScreeningRecord, protocol: Protocol, today: dt.date) -> ScreeningResult:
    """Every criterion of ``protocol`` against ``record`` as of ``today``, and the status:
    eligible only if all are met (or attested); else ineligible (all failures listed),
    incomplete (missing fields named) or pending review (judgement outstanding)."""
    if record.screening_date > today:
        raise InputError(
            "screening_date", record.screening_date.isoformat(), f"is after today ({today})"
        )
    check_record_dates(record, today)
    criteria = protocol.eligibility.criteria
    attested = _attestations(record, criteria)
    ctx = ScreeningContext(record=record, protocol=protocol, today=today)
    results = [evaluate_criterion(c, ctx, attested.get(c.id)) for c in criteria]
    status = overall_status(results)
    failing = [r.id for r in results if r.verdict == Verdict.NOT_MET]
    fields = list(dict.fromkeys(f for r in results for f in r.missing_fields))
    pending = [r.id for r in results if r.verdict == Verdict.NEEDS_JUDGEMENT]
    summary = {
        "eligible": f"eligible: all {len(results)} criteria met",
        "ineligible": f"ineligible: {', '.join(failing)} not met",
        "incomplete": f"incomplete: data needed for "
        f"{', '.join(r.id for r in results if r.verdict == Verdict.MISSING_DATA)}",
        "pending_review": f"pending investigator review of {', '.join(pending)}",
    }[status]
    return ScreeningResult(
        participant_id=record.participant_id,
        protocol_id=protocol.identifiers.nct_id,
        screening_date=record.screening_date,
        evaluated_on=today,
        status=status,
        summary=summary,
        failing=failing,
        missing_fields=fields,
        pending_review=pending,
        criteria=results,
    )


def screening_record_schema() -> dict[str, Any]:
    """JSON schema of the screening record (the input of `hyposti screen`)."""
    return ScreeningRecord.model_json_schema()
