"""Dosing by the dosing engine, preconditioning and the one CAR-T infusion, in protocol order."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hyposti.dosing import patient_doses
from hyposti.errors import InputError
from hyposti.service.access import authorize, participant_for
from hyposti.service.errors import RefusedError
from hyposti.service.models import DosingRecord, Enrolment, Exposure, Participant
from hyposti.service.services.participants import move
from hyposti.service.services.records import change, check_not_future, create
from hyposti.service.trial_protocol import trial_protocol


def enrolled_dose_level(participant: Participant) -> int:
    """The dose level of the cohort the participant is enrolled in; refused before enrolment."""
    try:
        enrolment = participant.enrolment
    except Enrolment.DoesNotExist:
        raise RefusedError(
            "state", participant.state, "dosing needs an enrolled participant"
        ) from None
    return enrolment.cohort.dose_level


@transaction.atomic
def dosing_record(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    weight_kg: float,
    height_cm: float | None,
    agent_doses: dict[str, float],
) -> DosingRecord:
    """Compute and keep the doses (BSA, mg per day, total cells) at the enrolled dose level;
    a dose outside the protocol's range is refused by the engine, naming the range."""
    profile = authorize(user, "dosing.record")
    participant = participant_for(profile, subject_id, for_update=True)
    if participant.state != "enrolled":
        raise RefusedError(
            "state", participant.state, "doses are set after enrolment, before day -5"
        )
    computed = patient_doses(
        trial_protocol(),
        weight_kg=weight_kg,
        height_cm=height_cm,
        dose_level=enrolled_dose_level(participant),
        agent_doses=agent_doses,
    )
    missing = computed.not_computed
    if missing:
        raise InputError("agent_doses", sorted(agent_doses), f"give the dose of {missing[0]}")
    values = {
        "weight_kg": weight_kg,
        "height_cm": height_cm,
        "agent_doses": agent_doses,
        "computed": computed.model_dump(mode="json"),
    }
    username = user.get_username()
    existing = DosingRecord.objects.filter(participant=participant).first()
    if existing is not None:
        change(existing, values, username=username, now=now, reason="doses recalculated")
        return existing
    record = DosingRecord(participant=participant, **values)
    create([record], username=username, now=now, reason="doses calculated")
    return record


@transaction.atomic
def administration_record(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    product: str,
    administration_date: dt.date,
) -> Exposure:
    """Record one administration at the calculated dose. The first preconditioning dose starts
    day -5 (enrolled -> preconditioned); the CAR-T infusion is day 0, once, after preconditioning
    (preconditioned -> infused -> in DLT window)."""
    protocol = trial_protocol()
    agents = {a.name: a for a in protocol.preconditioning}
    profile = authorize(
        user, "participant.precondition" if product in agents else "participant.infuse"
    )
    participant = participant_for(profile, subject_id, for_update=True)
    check_not_future("administration_date", administration_date, now)
    dosing = DosingRecord.objects.filter(participant=participant).first()
    if dosing is None:
        raise RefusedError("dosing", None, "calculate the doses before any administration")
    car_t = protocol.investigational_product
    username = user.get_username()
    if product in agents:
        agent = agents[product]
        first_day = min(d for a in agents.values() for d in a.days)
        if participant.state == "enrolled":
            start = administration_date - dt.timedelta(days=agent.days[0] - first_day)
            move(
                participant,
                "preconditioned",
                username=username,
                now=now,
                reason="preconditioning started",
                preconditioning_start_date=start,
            )
        elif participant.state != "preconditioned":
            raise RefusedError(
                "state", participant.state, "preconditioning is given before infusion"
            )
        started = participant.preconditioning_start_date
        if started is None:
            raise RefusedError("state", participant.state, "preconditioning has no start date")
        study_day = first_day + (administration_date - started).days
        if study_day not in agent.days:
            raise RefusedError(
                "administration_date",
                administration_date.isoformat(),
                f"is study day {study_day}; {product} is given on days "
                f"{agent.days} (day {first_day} = {started})",
            )
        dose = float(dosing.agent_doses[product])
        unit: str = agent.dose_basis
    elif product == car_t.name:
        if participant.state != "preconditioned":
            why = (
                "only one infusion per participant"
                if participant.infusion_date
                else "infusion needs preconditioning first (day -5 to -2)"
            )
            raise RefusedError("state", participant.state, why)
        study_day = car_t.infusion_day
        dose = float(dosing.computed["car_t"]["cells_per_kg"])
        unit = car_t.dose_unit
    else:
        names = [*agents, car_t.name]
        raise InputError("product", product, f"must be one of {', '.join(names)}")
    exposure = Exposure(
        participant=participant,
        product=product,
        study_day=study_day,
        administration_date=administration_date,
        dose=dose,
        dose_unit=unit,
    )
    create([exposure], username=username, now=now, reason=f"{product} given")
    if product == car_t.name:
        move(
            participant,
            "infused",
            username=username,
            now=now,
            reason="CAR-T infused",
            infusion_date=administration_date,
        )
        move(
            participant,
            "dlt_window",
            username=username,
            now=now,
            reason=f"DLT window opens on day {protocol.dlt.window_first_day}",
        )
    return exposure


def check_infused(participant: Participant) -> dt.date:
    if participant.infusion_date is None:
        raise RefusedError("state", participant.state, "needs an infused participant")
    return participant.infusion_date
