"""Enrolment into the open cohort's next free slot: one participant per slot, even under races.

The cohort row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs every transaction as
BEGIN IMMEDIATE, one writer at a time) before its slots are counted, so two coordinators
enrolling into the last slot are served one after the other: the second finds it taken. The
unique (cohort, slot) constraint backs this up in the database itself.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hyposti.design import design_from_protocol
from hyposti.service.access import authorize, participant_for
from hyposti.service.errors import RefusedError
from hyposti.service.models import Cohort, Enrolment, Participant, Study
from hyposti.service.services.participants import move
from hyposti.service.services.records import change, check_not_future, create
from hyposti.service.trial_protocol import trial_protocol


@transaction.atomic
def study_start(*, user: AbstractBaseUser, now: dt.datetime) -> Study:
    """Create the study from the protocol and open cohort 1 at the design's start dose."""
    authorize(user, "site.manage")
    if Study.objects.exists():
        raise RefusedError("study", Study.objects.get().study_id, "the study has already started")
    protocol = trial_protocol()
    design = design_from_protocol(protocol)
    version = f"registry {protocol.identifiers.last_update_posted.isoformat()}"
    study = Study(study_id=protocol.identifiers.nct_id, protocol_version=version)
    cohort = Cohort(
        number=1,
        phase="escalation",
        dose_level=design.start_dose,
        slots=design.cohort_size,
        opened_at=now,
    )
    create([study, cohort], username=user.get_username(), now=now, reason="study started")
    return study


def _check_eligible(participant: Participant) -> None:
    if participant.state != "consented":
        raise RefusedError(
            "state",
            participant.state,
            "enrolment needs a consented participant (consent first, then an eligible screening)",
        )
    latest = participant.screenings.order_by("-pk").first()
    if latest is None or latest.status != "eligible":
        status = "none" if latest is None else latest.status
        raise RefusedError("screening.status", status, "enrolment needs an eligible screening")


@transaction.atomic
def participant_enrol(
    *, user: AbstractBaseUser, now: dt.datetime, subject_id: str, enrolment_date: dt.date
) -> Enrolment:
    """Enrol into the first open cohort with a free slot, at that cohort's dose level."""
    profile = authorize(user, "participant.enrol")
    participant = participant_for(profile, subject_id, for_update=True)
    check_not_future("enrolment_date", enrolment_date, now)
    _check_eligible(participant)
    cohorts = Cohort.objects.select_for_update().filter(is_open=True).order_by("number")
    for cohort in cohorts:
        taken = cohort.enrolments.count()
        if taken < cohort.slots:
            break
    else:
        raise RefusedError(
            "cohort",
            None,
            "no open slot: the current cohort is full; the next cohort opens after the safety "
            "review committee records its decision",
        )
    username = user.get_username()
    enrolment = Enrolment(participant=participant, cohort=cohort, slot=taken + 1, enrolled_at=now)
    create(
        [enrolment],
        username=username,
        now=now,
        reason=f"enrolled in cohort {cohort.number} slot {taken + 1}",
    )
    if taken + 1 == cohort.slots:
        change(cohort, {"is_open": False}, username=username, now=now, reason="all slots filled")
    move(
        participant,
        "enrolled",
        username=username,
        now=now,
        reason=f"enrolled at dose level {cohort.dose_level}",
        enrolment_date=enrolment_date,
    )
    return enrolment
