"""Adverse events: CTCAE term and grade or a consensus grader, the DLT engine's proposal, and
the investigator's signed confirmation or override."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
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
from hyposti.safety.adverse_event import check_attributions
from hyposti.service.access import authorize, participant_for
from hyposti.service.errors import RefusedError
from hyposti.service.models import AdverseEvent, DltEvaluation, Participant
from hyposti.service.services.participants import move
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
            "attribution": ae.attribution,
        }
    )


def safety_record(
    participant: Participant, today: dt.date, events: Sequence[AdverseEvent]
) -> PatientSafetyRecord:
    """The participant as the DLT engine reads it, with ``events`` as its adverse events.

    Last follow-up is the date of death, else the off-study or last-contact date when recorded,
    else today (on study).
    """
    if participant.preconditioning_start_date is None:
        raise RefusedError("state", participant.state, "adverse events count from preconditioning")
    disposition = getattr(participant, "disposition", None)
    last, death, cause = today, None, None
    if disposition is not None:
        last = min(today, disposition.off_study_date or disposition.last_contact_date)
        if disposition.death_date is not None:  # a death ends follow-up, whatever else is dated
            last = death = disposition.death_date
            cause = disposition.death_cause or None
    enrolment = participant.enrolment
    return PatientSafetyRecord(
        patient_id=participant.subject_id,
        dose_level=enrolment.cohort.dose_level,
        cohort=enrolment.cohort.number,
        preconditioning_start=participant.preconditioning_start_date,
        infusion=participant.infusion_date,
        last_follow_up=last,
        adverse_events=tuple(engine_event(ae) for ae in events),
        death=death,
        death_cause=cause,
    )


def awaits_dlt_decision(ae: AdverseEvent) -> bool:
    """Whether the event is a DLT the engine proposed that the investigator has neither
    confirmed nor overridden yet."""
    return ae.dlt_proposed is True and ae.dlt is None


def _adjudication(
    participant: Participant,
    today: dt.date,
    stored: Sequence[AdverseEvent],
    awaiting_read_as: bool | None,
) -> PatientAdjudication:
    """The engine's verdicts with the investigator's decisions applied, a proposal still
    awaiting one read as ``awaiting_read_as`` (None: as the engine judges it)."""

    def decision(ae: AdverseEvent) -> bool | None:
        return awaiting_read_as if awaits_dlt_decision(ae) else ae.dlt

    events = [ae for ae in stored if not (decision(ae) is False and ae.dlt_proposed)]
    result = adjudicate(safety_record(participant, today, events), trial_protocol().dlt, today)
    confirmed = [ae for ae in events if decision(ae) is True]
    if confirmed and not result.has_dlt:
        first = min(confirmed, key=lambda ae: ae.onset_date)
        why = f"investigator confirmed a DLT ({first.term}, {first.ae_id})"
        return result.model_copy(
            update={"has_dlt": True, "evaluability": "evaluable", "evaluability_reason": why}
        )
    return result


def _stored_events(participant: Participant) -> list[AdverseEvent]:
    # Sorted here, not by the query, so that a caller's prefetched events are used as they are.
    return sorted(participant.adverse_events.all(), key=lambda ae: (ae.onset_date, ae.pk))


def participant_adjudication(participant: Participant, today: dt.date) -> PatientAdjudication:
    """The DLT engine's verdicts for a participant, with the investigator's decisions applied:
    an event overridden to "not a DLT" is left out, one confirmed as a DLT counts as one; a
    proposal awaiting the investigator counts as the engine judges it."""
    return _adjudication(participant, today, _stored_events(participant), None)


@dataclass(frozen=True)
class DltProposalAwaiting:
    """A DLT the engine proposed that awaits the investigator's confirmation or override."""

    patient_id: str
    ae_id: str
    term: str
    grade: int
    onset: dt.date
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "patient_id": self.patient_id,
            "ae_id": self.ae_id,
            "term": self.term,
            "grade": self.grade,
            "onset": self.onset.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ParticipantDltStatus:
    """A participant's adjudication as it stands, the DLT proposals awaiting the investigator,
    and whether the participant's outcome turns on them (``undecided``)."""

    adjudication: PatientAdjudication
    awaiting: tuple[DltProposalAwaiting, ...]
    undecided: bool


def participant_dlt_status(participant: Participant, today: dt.date) -> ParticipantDltStatus:
    """:func:`participant_adjudication` with the proposals awaiting the investigator, and
    whether the outcome (DLT-evaluable or not, DLT or not) is still open on them.

    The participant is adjudicated with every awaiting proposal confirmed and with every one
    overridden; the outcome is undecided when the two differ. Those two readings bound every
    mix of decisions: a DLT stays a DLT whatever else is confirmed, and without a DLT
    evaluability turns on follow-up alone (hyposti.safety.dlt.adjudicate).
    """
    stored = _stored_events(participant)
    adjudication = _adjudication(participant, today, stored, None)
    awaiting = tuple(
        DltProposalAwaiting(
            patient_id=participant.subject_id,
            ae_id=ae.ae_id,
            term=ae.term,
            grade=ae.grade,
            onset=ae.onset_date,
            reason=ae.dlt_proposal_reason,
        )
        for ae in stored
        if awaits_dlt_decision(ae)
    )
    undecided = False
    if awaiting:
        confirmed, overridden = (
            _adjudication(participant, today, stored, read_as) for read_as in (True, False)
        )
        undecided = (confirmed.has_dlt, confirmed.evaluability) != (
            overridden.has_dlt,
            overridden.evaluability,
        )
    return ParticipantDltStatus(adjudication, awaiting, undecided)


def dlt_proposal(participant: Participant, today: dt.date, ae: AdverseEvent) -> tuple[bool, str]:
    """The DLT engine's proposal on one event, as entered or as corrected: DLT or not, and why.

    The engine judges each event on its own: its dates, grade, term and attribution against the
    participant's infusion date and the protocol's DLT definition (hyposti.safety.dlt.adjudicate);
    the participant's other events and the investigator's decisions change only the
    participant's overall verdict, not this event's. So the engine is given the participant with
    this event alone, and checks its dates against the participant's as it would in the whole
    record (tests/service/test_ae_verdict.py holds it to the whole record's verdict).
    """
    result = adjudicate(safety_record(participant, today, [ae]), trial_protocol().dlt, today)
    verdict = result.events[0]
    return verdict.is_dlt, "; ".join(verdict.reasons)


def dlt_evaluation_store(adj: PatientAdjudication, *, username: str, now: dt.datetime) -> None:
    """Keep a settled adjudication as the participant's DLT evaluation (what the dataset's
    dlt_evaluations table exports); the first one after the window has ended moves the
    participant on to follow-up. Pending adjudications are not stored."""
    if adj.evaluability == "pending" or adj.window_start is None or adj.window_end is None:
        return
    values = {
        "dose_level": adj.dose_level,
        "evaluable": adj.evaluability == "evaluable",
        "dlt": adj.has_dlt,
        "window_start": adj.window_start,
        "window_end": adj.window_end,
        "reason": adj.evaluability_reason,
    }
    existing = DltEvaluation.objects.filter(participant__subject_id=adj.patient_id).first()
    if existing is not None:
        change(existing, values, username=username, now=now, reason="DLT window re-evaluated")
        return
    participant = Participant.objects.get(subject_id=adj.patient_id)
    create(
        [DltEvaluation(participant=participant, **values)],
        username=username,
        now=now,
        reason="DLT window evaluated",
    )
    if participant.state == "dlt_window" and now.astimezone(dt.UTC).date() > adj.window_end:
        move(
            participant,
            "follow_up",
            username=username,
            now=now,
            reason=f"DLT window closed on {adj.window_end}",
        )


def next_ae_id(participant: Participant) -> str:
    """``<subject>-AE<n>`` one past the participant's highest number: an imported record may
    have gaps (events after its data cut-off left out), so the count is not the next number."""
    prefix = f"{participant.subject_id}-AE"
    numbers = [
        int(rest)
        for ae_id in participant.adverse_events.values_list("ae_id", flat=True)
        if (rest := ae_id.removeprefix(prefix)).isdigit() and ae_id.startswith(prefix)
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


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
    participant = participant_for(
        profile, subject_id, for_update=True, related=("enrolment__cohort", "disposition")
    )
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
    check_attributions(event.attribution, trial_protocol().product_ids)
    ae = AdverseEvent(
        participant=participant,
        ae_id=next_ae_id(participant),
        term=event.term,
        soc=event.soc,
        grade=grade,
        scale=scale,
        onset_date=onset_date,
        resolution_date=resolution_date,
        serious=serious,
        attribution=event.attribution,
        grader_input=observation if grader else None,
        grader_result=grader_result,
    )
    # The engine's proposal is part of the record as first entered: one write, one audit entry.
    today = now.astimezone(dt.UTC).date()
    ae.dlt_proposed, ae.dlt_proposal_reason = dlt_proposal(participant, today, ae)
    create([ae], username=user.get_username(), user=user, now=now, reason="adverse event entered")
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
    # Imported here: the expansion's monitoring builds on this module's adjudication.
    from hyposti.service.services.expansion import expansion_monitor, in_expansion

    if in_expansion(ae.participant):
        expansion_monitor(username=user.get_username(), now=now)
    return ae
