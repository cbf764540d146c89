"""Screens one record against every criterion of the protocol and decides the overall status."""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Callable, Sequence
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


def _first_late(value: Any, today: dt.date, top: bool) -> tuple[str, dt.date] | None:
    """The first date after ``today`` in ``value`` (a date, record or list), with its path
    relative to ``value``; the planned dates of the top-level record are skipped.

    The path is spelled out only for the date refused, not for each of a record's ~30 dates.
    """
    if isinstance(value, dt.date):
        return ("", value) if value > today else None
    if isinstance(value, BaseModel):
        fields = value.__dict__
        for name in _date_fields(type(value)):
            if top and name in PLANNED:
                continue
            item = fields[name]
            if item is None:
                continue
            if isinstance(item, dt.date):  # most dates are leaves: no call for each
                if item > today:
                    return name, item
                continue
            found = _first_late(item, today, False)
            if found is not None:
                return _joined(name, found[0]), found[1]
        return None
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_late(item, today, False)
            if found is not None:
                return _joined(f"[{i}]", found[0]), found[1]
    return None


def _joined(head: str, inner: str) -> str:
    """``head`` followed by the path ``inner`` inside it: ``a.b``, ``a[0]`` or ``[0].b``."""
    return f"{head}.{inner}" if inner and inner[0] != "[" else head + inner


def check_record_dates(record: ScreeningRecord, today: dt.date) -> None:
    """Refuse observations dated after ``today`` (the record itself keeps its dates in order)."""
    found = _first_late(record, today, True)
    if found is not None:
        path, day = found
        raise InputError(
            path,
            day.isoformat(),
            f"is after today ({today}); observations cannot be in the future",
        )


def _attestations(
    record: ScreeningRecord, criteria: tuple[Criterion, ...]
) -> dict[str, Attestation]:
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


def _criterion_result(
    criterion: Criterion, ctx: ScreeningContext, attestation: Attestation | None
) -> dict[str, Any]:
    """The fields of one criterion's CriterionResult (validated by the caller: one at a time in
    ``evaluate_criterion``, all 25 in one call in ``screen``)."""
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
        outcome = outcome._replace(
            reason=f"{outcome.reason} (attestation by {attestation.investigator} "
            "not applied: the record decides)",
        )
    return {
        "id": criterion.id,
        "kind": criterion.kind,
        "text": criterion.text,
        "rule": criterion.check.rule if criterion.check else None,
        "verdict": outcome.verdict,
        "reason": outcome.reason,
        "values": outcome.values,
        "missing_fields": outcome.missing_fields,
        "attestation": applied,
    }


def evaluate_criterion(
    criterion: Criterion, ctx: ScreeningContext, attestation: Attestation | None = None
) -> CriterionResult:
    """One criterion's verdict; an attestation settles it only when judgement is needed."""
    return CriterionResult(**_criterion_result(criterion, ctx, attestation))


def _failures(failing: list[str], criteria: Sequence[Criterion]) -> str:
    """The failed criteria as the verdict table words them: an inclusion criterion is not met,
    an exclusion criterion excludes ("E3 not met" read as if E3 did not apply)."""
    kind = {c.id: c.kind for c in criteria}
    parts = []
    for which, words in (("inclusion", "{} not met"), ("exclusion", "excluded by {}")):
        ids = [i for i in failing if kind[i] == which]
        if ids:
            parts.append(words.format(", ".join(ids)))
    return "; ".join(parts)


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
    results = [_criterion_result(c, ctx, attested.get(c.id)) for c in criteria]
    status = overall_status([r["verdict"] for r in results])

    def having(verdict: Verdict) -> list[str]:
        return [r["id"] for r in results if r["verdict"] == verdict]

    failing, pending = having(Verdict.NOT_MET), having(Verdict.NEEDS_JUDGEMENT)
    summary = {
        "eligible": f"eligible: all {len(results)} criteria met",
        "ineligible": f"ineligible: {_failures(failing, criteria)}",
        "incomplete": f"incomplete: data needed for {', '.join(having(Verdict.MISSING_DATA))}",
        "pending_review": f"pending investigator review of {', '.join(pending)}",
    }[status]
    # One validation of the whole result, its 25 criteria included, costs less than 26.
    return ScreeningResult.model_validate(
        {
            "participant_id": record.participant_id,
            "protocol_id": protocol.identifiers.nct_id,
            "screening_date": record.screening_date,
            "evaluated_on": today,
            "status": status,
            "summary": summary,
            "failing": failing,
            "missing_fields": list(dict.fromkeys(f for r in results for f in r["missing_fields"])),
            "pending_review": pending,
            "criteria": results,
        }
    )


def screening_record_schema() -> dict[str, Any]:
    """JSON schema of the screening record (the input of `hyposti screen`)."""
    return ScreeningRecord.model_json_schema()
