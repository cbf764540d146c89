"""Trial routes: start the study, cohorts, the safety review, the committee's decision and the
expansion's monitoring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from hyposti.service.access import authorize
from hyposti.service.api.auth import caller
from hyposti.service.api.participants import ERRORS, Json
from hyposti.service.api.schemas import DecisionIn
from hyposti.service.audit import snapshot
from hyposti.service.selectors import cohort_table, record_view
from hyposti.service.services import enrolment, escalation, expansion

router = Router(tags=["escalation"])


@router.post("/study/start", response={201: Json, **ERRORS})
def start(request: HttpRequest) -> Any:
    return Status(201, snapshot(enrolment.study_start(**caller(request))))


@router.get("/cohorts", response={200: list[Json], **ERRORS})
def cohorts(request: HttpRequest) -> Any:
    authorize(caller(request)["user"], "read")
    return cohort_table()


@router.post("/cohorts/{number}/review", response={200: Json, **ERRORS})
def review(request: HttpRequest, number: int) -> Any:
    return escalation.cohort_review(**caller(request), number=number).to_dict()


@router.post("/cohorts/{number}/decision", response={201: Json, **ERRORS})
def decide(request: HttpRequest, number: int, body: DecisionIn) -> Any:
    decision = escalation.escalation_decide(**caller(request), number=number, **body.dict())
    return Status(201, record_view(decision))


@router.get("/expansion", response={200: Json | None, **ERRORS})
def expansion_monitoring(request: HttpRequest) -> Any:
    """The expansion against its toxicity and response rules, with every alert raised."""
    ctx = caller(request)
    authorize(ctx["user"], "read")
    return expansion.expansion_status(ctx["now"].astimezone(dt.UTC).date())
