"""Adverse events: CTCAE term and grade or a consensus grader, the DLT engine's proposal, and
the investigator's signed confirmation or override."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from pydantic import ValidationError

from hyposti.errors import InputError, dotted_path
from hyposti.safety import AdverseEvent as EngineEvent
from hyposti.safety import (
    CresObservation,
    CrsObservation,
    IcansObservation,
    PatientAdjudication,
    PatientSafetyRecord,
    adjudicate,
    grade_cres,
    grade_crs,
    grade_icans,
)
from hyposti.service.access import authorize, participant_for
from hyposti.service.errors import RefusedError
from hyposti.service.models import AdverseEvent, Participant
from hyposti.service.services.records import change, check_not_future, create
from hyposti.service.services.signatures import signature_sign
from hyposti.service.trial_protocol import trial_protocol

#: grader name -> (observation type, grading function, default CTCAE reporting term).
GRADERS: dict[str, tuple[Any, Any, str]] = {
    "crs": (CrsObservation, grade_crs, "Cytokine release syndrome"),
    "icans": (IcansObservation, grade_icans, "Encephalopathy"),
    "cres": (CresObservation, grade_cres, "Encephalopathy"),
}


def _pydantic(exc: ValidationError, prefix: str) -> InputError:
    err = exc.errors()[0]
    return InputError(f"{prefix}{dotted_path(tuple(err['loc']))}", err.get("input"), err["msg"])


def engine_event(ae: AdverseEvent) -> EngineEvent:
    """The stored event as the safety engine's typed record (validated: the columns hold text)."""
    return EngineEvent.model_validate(
        {
            "id": ae.ae_id,
            "term": ae.term,
            "grade": ae.grade,
            "scale": ae.scale,
            "onset": ae.onset_date,
            "resolution": ae.resolution_date,
            "serious": ae.serious,
            "attribution": {
                "car_t": ae.attribution_car_t,
                "nab_paclitaxel": ae.attribution_nab_paclitaxel,
                "cyclophosphamide": ae.attribution_cyclophosphamide,
            },
        }
    )


def participant_adjudication(participant: Participant, today: dt.date) -> PatientAdjudication:
    """The DLT engine's verdicts for a participant, with the investigator's decisions applied:
    an event overridden to "not a DLT" is left out, one confirmed as a DLT counts as one.

    Last follow-up is the off-study or last-contact date when recorded, else today (on study).
    """
    if participant.preconditioning_start_date is None:
        raise RefusedError("state", participant.state, "adverse events count from preconditioning")
    disposition = getattr(participant, "disposition", None)
    last = today
    if disposition is not None:
        last = min(today, disposition.off_study_date or disposition.last_contact_date)
    events = [
        ae
        for ae in participant.adverse_events.order_by("onset_date", "pk")
        if not (ae.dlt is False and ae.dlt_proposed)
    ]
    enrolment = participant.enrolment
    record = PatientSafetyRecord(
        patient_id=participant.subject_id,
        dose_level=enrolment.cohort.dose_level,
        cohort=enrolment.cohort.number,
        preconditioning_start=participant.preconditioning_start_date,
        infusion=participant.infusion_date,
        last_follow_up=last,
        adverse_events=tuple(engine_event(ae) for ae in events),
    )
    result = adjudicate(record, trial_protocol().dlt, today)
    confirmed = [ae for ae in events if ae.dlt is True]
    if confirmed and not result.has_dlt:
        first = min(confirmed, key=lambda ae: ae.onset_date)
        why = f"investigator confirmed a DLT ({first.term}, {first.ae_id})"
        return result.model_copy(
            update={"has_dlt": True, "evaluability": "evaluable", "evaluability_reason": why}
        )
    return result


@transaction.atomic
def adverse_event_record(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    onset_date: dt.date,
    serious: bool,
    attribution: dict[str, str],
    term: str | None = None,
    grade: int | None = None,
    grader: str | None = None,
    observation: dict[str, Any] | None = None,
    resolution_date: dt.date | None = None,
) -> AdverseEvent:
    """Record an AE by CTCAE term and grade, or through the CRS / ICANS / CRES grader, and keep
    the DLT engine's proposal with its reason for the investigator to confirm."""
    profile = authorize(user, "adverse_event.record")
    participant = participant_for(profile, subject_id, for_update=True)
    check_not_future("onset_date", onset_date, now)
    check_not_future("resolution_date", resolution_date, now)
    scale, grader_result = "CTCAE v5.0", None
    if grader is not None:
        if grader not in GRADERS:
            raise InputError("grader", grader, f"must be one of {', '.join(GRADERS)}")
        kind, grade_fn, default_term = GRADERS[grader]
        try:
            result = grade_fn(kind.model_validate(observation or {}))
        except ValidationError as exc:
            raise _pydantic(exc, "observation.") from exc
        grade, scale, term = result.grade, result.scale, term or default_term
        grader_result = result.model_dump(mode="json")
        if grade == 0:
            raise RefusedError("observation", grader, f"grades 0: {result.deciding_finding}")
    if term is None or grade is None:
        raise InputError("term", term, "give a CTCAE term and grade, or a grader and observation")
    try:
        event = EngineEvent.model_validate(
            {
                "term": term,
                "grade": grade,
                "scale": scale,
                "onset": onset_date,
                "resolution": resolution_date,
                "serious": serious,
                "attribution": attribution,
            }
        )
    except ValidationError as exc:
        raise _pydantic(exc, "") from exc
    number = participant.adverse_events.count() + 1
    ae = AdverseEvent(
        participant=participant,
        ae_id=f"{subject_id}-AE{number:02d}",
        term=event.term,
        soc=event.soc,
        grade=grade,
        scale=scale,
        onset_date=onset_date,
        resolution_date=resolution_date,
        serious=serious,
        attribution_car_t=event.attribution.car_t,
        attribution_nab_paclitaxel=event.attribution.nab_paclitaxel,
        attribution_cyclophosphamide=event.attribution.cyclophosphamide,
        grader_input=observation if grader else None,
        grader_result=grader_result,
    )
    username = user.get_username()
    create([ae], username=username, now=now, reason="adverse event entered")
    today = now.astimezone(dt.UTC).date()
    verdict = next(
        e for e in participant_adjudication(participant, today).events if e.event_id == ae.ae_id
    )
    change(
        ae,
        {"dlt_proposed": verdict.is_dlt, "dlt_proposal_reason": "; ".join(verdict.reasons)},
        username=username,
        now=now,
        reason="DLT engine proposal",
    )
    return ae


@transaction.atomic
def adverse_event_confirm_dlt(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    ae_id: str,
    is_dlt: bool,
    reason: str,
    password: str,
) -> AdverseEvent:
    """The investigator confirms or overrides the engine's DLT proposal, with a reason and an
    electronic signature of responsibility."""
    profile = authorize(user, "adverse_event.confirm_dlt")
    ae = AdverseEvent.objects.select_for_update().filter(ae_id=ae_id).first()
    if ae is None:
        raise InputError("ae_id", ae_id, "no such adverse event")
    participant_for(profile, ae.participant.subject_id)
    if not reason.strip():
        raise RefusedError("reason", reason, "a DLT decision needs a reason")
    verb = "confirmed" if is_dlt == ae.dlt_proposed else "overrode"
    change(
        ae,
        {"dlt": is_dlt, "dlt_decision_reason": reason},
        username=user.get_username(),
        now=now,
        reason=f"investigator {verb} the DLT proposal: {reason}",
    )
    signature_sign(user=user, now=now, instance=ae, meaning="responsibility", password=password)
    return ae
