"""Participant routes: registration, consent, screening, enrolment, dosing, AEs, scans, samples."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from hyposti.service.access import authorize
from hyposti.service.api.auth import caller
from hyposti.service.api.schemas import (
    AdministrationIn,
    AdverseEventIn,
    AttestationIn,
    ConsentIn,
    DispositionIn,
    DltDecisionIn,
    DosingIn,
    EnrolIn,
    ParticipantIn,
    Problem,
    SampleIn,
    ScreeningIn,
    TumourAssessmentIn,
)
from hyposti.service.audit import snapshot
from hyposti.service.selectors import (
    new_record_view,
    participant_detail,
    participant_list,
    record_view,
)
from hyposti.service.services import enrolment, followup, participants, safety, treatment

router = Router(tags=["participants"])
ERRORS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 409, 503), Problem)
Json = dict[str, Any]


@router.get("/participants", response={200: list[Json], **ERRORS})
def list_participants(request: HttpRequest) -> Any:
    return participant_list(authorize(caller(request)["user"], "read"))


@router.get("/participants/{subject_id}", response={200: Json, **ERRORS})
def get_participant(request: HttpRequest, subject_id: str) -> Any:
    return participant_detail(authorize(caller(request)["user"], "read"), subject_id)


@router.post("/participants", response={201: Json, **ERRORS})
def create_participant(request: HttpRequest, body: ParticipantIn) -> Any:
    return Status(201, snapshot(participants.participant_create(**caller(request), **body.dict())))


@router.post("/participants/{subject_id}/consent", response={200: Json, **ERRORS})
def consent(request: HttpRequest, subject_id: str, body: ConsentIn) -> Any:
    return snapshot(
        participants.participant_consent(
            **caller(request), subject_id=subject_id, consent_date=body.consent_date
        )
    )


@router.post("/participants/{subject_id}/screening", response={201: Json, **ERRORS})
def screen(request: HttpRequest, subject_id: str, body: ScreeningIn) -> Any:
    s = participants.screening_record(**caller(request), subject_id=subject_id, record=body.record)
    return Status(201, record_view(s))


@router.post("/participants/{subject_id}/attestations", response={201: Json, **ERRORS})
def attest(request: HttpRequest, subject_id: str, body: AttestationIn) -> Any:
    s = participants.screening_attest(**caller(request), subject_id=subject_id, **body.dict())
    return Status(201, record_view(s))


@router.post("/participants/{subject_id}/enrol", response={201: Json, **ERRORS})
def enrol(request: HttpRequest, subject_id: str, body: EnrolIn) -> Any:
    e = enrolment.participant_enrol(
        **caller(request), subject_id=subject_id, enrolment_date=body.enrolment_date
    )
    return Status(
        201,
        {
            "subject_id": subject_id,
            "cohort": e.cohort.number,
            "dose_level": e.cohort.dose_level,
            "slot": e.slot,
        },
    )


@router.post("/participants/{subject_id}/dosing", response={201: Json, **ERRORS})
def dosing(request: HttpRequest, subject_id: str, body: DosingIn) -> Any:
    return Status(
        201,
        record_view(
            treatment.dosing_record(**caller(request), subject_id=subject_id, **body.dict())
        ),
    )


@router.post("/participants/{subject_id}/administrations", response={201: Json, **ERRORS})
def administer(request: HttpRequest, subject_id: str, body: AdministrationIn) -> Any:
    return Status(
        201,
        snapshot(
            treatment.administration_record(**caller(request), subject_id=subject_id, **body.dict())
        ),
    )


@router.post("/participants/{subject_id}/adverse-events", response={201: Json, **ERRORS})
def adverse_event(request: HttpRequest, subject_id: str, body: AdverseEventIn) -> Any:
    return Status(
        201,
        new_record_view(
            safety.adverse_event_record(**caller(request), subject_id=subject_id, **body.dict())
        ),
    )


@router.post("/adverse-events/{ae_id}/dlt-decision", response={200: Json, **ERRORS})
def dlt_decision(request: HttpRequest, ae_id: str, body: DltDecisionIn) -> Any:
    return record_view(
        safety.adverse_event_confirm_dlt(**caller(request), ae_id=ae_id, **body.dict())
    )


@router.post("/participants/{subject_id}/tumour-assessments", response={201: Json, **ERRORS})
def tumour_assessment(request: HttpRequest, subject_id: str, body: TumourAssessmentIn) -> Any:
    data = body.dict()
    scan = followup.tumour_assessment_record(**caller(request), subject_id=subject_id, **data)
    return Status(201, record_view(scan))


@router.post("/participants/{subject_id}/samples", response={201: Json, **ERRORS})
def sample(request: HttpRequest, subject_id: str, body: SampleIn) -> Any:
    return Status(
        201,
        snapshot(followup.sample_record(**caller(request), subject_id=subject_id, **body.dict())),
    )


@router.post("/participants/{subject_id}/disposition", response={200: Json, **ERRORS})
def disposition(request: HttpRequest, subject_id: str, body: DispositionIn) -> Any:
    values = body.dict()
    reason = values.pop("reason")
    return record_view(
        followup.disposition_record(
            **caller(request), subject_id=subject_id, values=values, reason=reason
        )
    )
