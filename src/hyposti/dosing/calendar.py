"""The dated study calendar from the infusion date: regimen days, DLT window end, visits.

Study day 0 is the CAR-T infusion; preconditioning days come from the regimen, follow-up visits,
windows and tumour-assessment days from the protocol's sponsor-editable `schedule` section.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hyposti.bounds import check_trial_date
from hyposti.errors import InputError, ProtocolError
from hyposti.protocol import Protocol
from hyposti.protocol.schedule_spec import ScheduleSpec


class Visit(BaseModel):
    """One dated visit: target date, the window around it, and what is done."""

    model_config = ConfigDict(frozen=True)

    study_day: int
    date: dt.date
    earliest: dt.date
    latest: dt.date
    kind: Literal["preconditioning", "infusion", "follow_up", "tumour_assessment"]
    label: str
    assessments: list[str]


class StudyCalendar(BaseModel):
    model_config = ConfigDict(frozen=True)

    protocol_id: str
    infusion_date: dt.date
    screening_earliest: dt.date
    screening_latest: dt.date
    dlt_window_end_day: int
    dlt_window_end: dt.date
    end_of_follow_up: dt.date
    visits: list[Visit]


def schedule_spec(protocol: Protocol) -> ScheduleSpec:
    if protocol.schedule is None:
        raise ProtocolError("protocol", ["the study calendar needs the 'schedule' section"])
    return protocol.schedule


def tumour_assessment_days(protocol: Protocol) -> list[int]:
    """Study days of planned tumour assessments (RECIST 1.1 / iRECIST), in order."""
    return schedule_spec(protocol).tumour_assessment_days()


def _dated(day: int, infusion: dt.date, window: int, **fields: Any) -> Visit:
    """A visit on study ``day``; a post-infusion window never reaches back to the infusion day."""
    date = infusion + dt.timedelta(days=day)
    earliest = date - dt.timedelta(days=window)
    if day > 0:
        earliest = max(earliest, infusion + dt.timedelta(days=1))
    return Visit(
        study_day=day,
        date=date,
        earliest=earliest,
        latest=date + dt.timedelta(days=window),
        **fields,
    )


def visit_schedule(protocol: Protocol, infusion_date: dt.date) -> list[Visit]:
    """Every visit from the first preconditioning dose to the end of follow-up, dated.

    Regimen days are fixed (no window). A tumour assessment on a follow-up day joins that visit;
    on any other day it is a visit of its own.
    """
    spec = schedule_spec(protocol)
    visits: list[Visit] = []
    regimen: dict[int, list[str]] = {}
    for agent in protocol.preconditioning:
        for day in agent.days:
            regimen.setdefault(day, []).append(agent.name)
    for day in sorted(regimen):
        visits.append(
            _dated(
                day,
                infusion_date,
                0,
                kind="preconditioning",
                label=" + ".join(regimen[day]),
                assessments=["vital_signs", "haematology_chemistry", "adverse_events"],
            )
        )
    product = protocol.investigational_product
    visits.append(
        _dated(
            product.infusion_day,
            infusion_date,
            0,
            kind="infusion",
            label=f"{product.name} infusion",
            assessments=["vital_signs", "crs_icans_assessment", "adverse_events"],
        )
    )
    tumour = set(spec.tumour_assessment_days())
    follow_up = {day: block for block in spec.visits for day in block.expand()}
    for day in sorted(set(follow_up) | tumour):
        block = follow_up.get(day)
        assessments = list(block.assessments) if block else []
        if day in tumour:
            assessments.append("tumour_assessment")
        visits.append(
            _dated(
                day,
                infusion_date,
                spec.window_for(day),
                kind="follow_up" if block else "tumour_assessment",
                label=block.label if block else "Tumour assessment",
                assessments=assessments,
            )
        )
    return visits


def infusion_date_from_preconditioning(protocol: Protocol, first_dose_date: dt.date) -> dt.date:
    """The infusion date implied by the date of the first preconditioning dose (day -5 here)."""
    first_day = protocol.first_preconditioning_day
    return first_dose_date - dt.timedelta(days=first_day)


def study_calendar(
    protocol: Protocol, infusion_date: dt.date, first_dose_date: dt.date | None = None
) -> StudyCalendar:
    """The whole dated calendar; ``first_dose_date``, if given, must agree with the infusion.

    Both dates must lie in the trial range (hyposti.bounds), which keeps every visit date,
    years of follow-up later, a real calendar date.
    """
    spec = schedule_spec(protocol)
    check_trial_date(infusion_date, "infusion_date")
    if first_dose_date is not None:
        check_trial_date(first_dose_date, "first_dose_date")
        if first_dose_date >= infusion_date:
            raise InputError(
                "first_dose_date",
                first_dose_date.isoformat(),
                f"preconditioning must precede the infusion on {infusion_date}",
            )
        implied = infusion_date_from_preconditioning(protocol, first_dose_date)
        if implied != infusion_date:
            raise InputError(
                "first_dose_date",
                first_dose_date.isoformat(),
                f"implies infusion on {implied}, not {infusion_date}: the first "
                "preconditioning dose is on study day "
                f"{(first_dose_date - infusion_date).days}, the protocol says "
                f"{(first_dose_date - implied).days}",
            )
    dlt_window_last_day = protocol.dlt.window_last_day
    first_day = protocol.first_preconditioning_day
    return StudyCalendar(
        protocol_id=protocol.identifiers.nct_id,
        infusion_date=infusion_date,
        screening_earliest=infusion_date
        - dt.timedelta(days=spec.screening_within_days_before_infusion),
        screening_latest=infusion_date + dt.timedelta(days=first_day - 1),
        dlt_window_end_day=dlt_window_last_day,
        dlt_window_end=infusion_date + dt.timedelta(days=dlt_window_last_day),
        end_of_follow_up=infusion_date + dt.timedelta(days=spec.end_day),
        visits=visit_schedule(protocol, infusion_date),
    )
