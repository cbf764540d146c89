"""Tumour assessments (RECIST 1.1 / iRECIST run on save), CAR copy-number samples, disposition."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hyposti.data.schema import OFF_STUDY_REASONS
from hyposti.errors import InputError
from hyposti.response import (
    Assessment,
    BaselineLesion,
    Method,
    NewLesion,
    NewLesionState,
    NonTargetStatus,
    PatientTumourData,
    TargetState,
    assess_patient,
)
from hyposti.response import LesionMeasurement as TargetReading
from hyposti.response.patient import Criteria
from hyposti.service.access import authorize, participant_for
from hyposti.service.errors import RefusedError
from hyposti.service.models import (
    Disposition,
    Lesion,
    LesionMeasurement,
    Participant,
    Sample,
    TumourAssessment,
)
from hyposti.service.services.expansion import expansion_monitor, in_expansion
from hyposti.service.services.participants import move
from hyposti.service.services.records import change, check_not_future, create
from hyposti.service.trial_protocol import trial_protocol


def participant_tumour_data(participant: Participant, cutoff: dt.date) -> PatientTumourData | None:
    """The participant's stored scans up to ``cutoff`` as the response engine's record, read
    straight from the database: baseline target and non-target lesions with their baseline
    diameters, then each follow-up scan's target readings, non-target status and new lesions
    (RECIST 1.1, Eisenhauer 2009 s3-4). None before infusion or without a baseline scan."""
    if participant.infusion_date is None:
        return None
    scans = list(
        participant.tumour_assessments.filter(assessment_date__lte=cutoff).order_by(
            "assessment_date"
        )
    )
    baseline = next((s for s in scans if s.baseline), None)
    if baseline is None:
        return None
    lesions = {le.pk: le for le in participant.lesions.order_by("pk")}
    readings: dict[int, list[LesionMeasurement]] = {}
    for m in LesionMeasurement.objects.filter(assessment__in=[s.pk for s in scans]):
        readings.setdefault(m.assessment_id, []).append(m)
    at_baseline = {m.lesion_id: m.diameter_mm for m in readings.get(baseline.pk, [])}
    therapy = (
        Disposition.objects.filter(participant=participant)
        .values_list("new_therapy_date", flat=True)
        .first()
    )
    return PatientTumourData(
        patient_id=participant.subject_id,
        reference_date=participant.infusion_date,
        baseline_date=baseline.assessment_date,
        lesions=[
            BaselineLesion(
                lesion_id=le.lesion_id,
                organ=le.organ,
                nodal=le.lymph_node,
                method=Method(le.method or Method.CT.value),
                slice_thickness_mm=le.slice_thickness_mm,
                diameter_mm=at_baseline.get(pk),
                target=le.category == "target",
            )
            for pk, le in lesions.items()
            if le.category != "new"
        ],
        assessments=[
            _follow_up(scan, readings.get(scan.pk, []), lesions)
            for scan in scans
            if not scan.baseline
        ],
        new_anticancer_therapy_date=therapy,
    )


def _follow_up(
    scan: TumourAssessment, readings: list[LesionMeasurement], lesions: dict[int, Lesion]
) -> Assessment:
    """One follow-up scan in the engine's terms; a target read "present" counts as measured."""
    kinds = [(m, lesions[m.lesion_id]) for m in readings]
    return Assessment(
        date=scan.assessment_date,
        targets=[
            TargetReading(
                lesion_id=le.lesion_id,
                state=TargetState.MEASURED if m.state == "present" else TargetState(m.state),
                diameter_mm=m.diameter_mm,
                merged_into=m.merged_into or None,
            )
            for m, le in kinds
            if le.category == "target"
        ],
        non_target=NonTargetStatus(scan.non_target_status) if scan.non_target_status else None,
        non_target_increased=bool(scan.non_target_increased),
        new_lesions=[
            NewLesion(
                lesion_id=le.lesion_id,
                organ=le.organ,
                nodal=le.lymph_node,
                equivocal=bool(m.equivocal),
                state=_new_lesion_state(m.state),
                diameter_mm=m.diameter_mm,
                increased=bool(m.increased),
            )
            for m, le in kinds
            if le.category == "new"
        ],
    )


def _new_lesion_state(state: str) -> NewLesionState:
    """A measured (or otherwise seen) new lesion is present; the engine's other states are
    the dataset's own words."""
    return NewLesionState(state) if state in _NEW_LESION_STATES else NewLesionState.PRESENT


_NEW_LESION_STATES = frozenset(s.value for s in NewLesionState)


def participant_response(
    participant: Participant, today: dt.date, criteria: Criteria = "recist11"
) -> dict[str, Any] | None:
    """The participant's response by RECIST 1.1 (Eisenhauer 2009) or iRECIST (Seymour 2017)
    from the stored scans; None before infusion or baseline."""
    data = participant_tumour_data(participant, today)
    if data is None:
        return None
    return assess_patient(data, trial_protocol().response, criteria).model_dump(mode="json")


def _scan_enter(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    assessment_date: dt.date,
    baseline: bool,
    lesions: list[dict[str, Any]],
    non_target_status: str = "",
    non_target_increased: bool | None = None,
) -> tuple[TumourAssessment, Participant]:
    """Store one scan and its lesion readings (inside the caller's transaction)."""
    profile = authorize(user, "tumour.record")
    participant = participant_for(profile, subject_id, for_update=True)
    check_not_future("assessment_date", assessment_date, now)
    username = user.get_username()
    scans = participant.tumour_assessments
    if baseline and scans.filter(baseline=True).exists():
        raise RefusedError("baseline", True, "the participant already has a baseline scan")
    if not baseline and not scans.filter(baseline=True, assessment_date__lt=assessment_date):
        raise RefusedError(
            "assessment_date", assessment_date.isoformat(), "needs an earlier baseline"
        )
    scan = TumourAssessment(
        participant=participant,
        assessment_date=assessment_date,
        baseline=baseline,
        non_target_status=non_target_status,
        non_target_increased=non_target_increased,
    )
    create([scan], username=username, now=now, reason="scan entered")
    known = {le.lesion_id: le for le in participant.lesions.all()}
    readings = []
    for i, item in enumerate(lesions):
        lesion_id = item.get("lesion_id")
        if not isinstance(lesion_id, str) or not lesion_id:
            raise InputError(f"lesions[{i}].lesion_id", lesion_id, "every lesion needs its id")
        lesion = known.get(lesion_id)
        if lesion is None:
            category = "new" if not baseline else item.get("category")
            if not isinstance(category, str) or category not in (
                ("target", "non-target") if baseline else ("new",)
            ):
                raise InputError(
                    f"lesions[{i}].category",
                    category,
                    "baseline lesions are target or non-target; later ones new",
                )
            lesion = Lesion(
                participant=participant,
                lesion_id=lesion_id,
                category=category,
                organ=item.get("organ", ""),
                lymph_node=bool(item.get("lymph_node")),
                method=item.get("method", ""),
                slice_thickness_mm=item.get("slice_thickness_mm"),
            )
            create([lesion], username=username, now=now, reason="lesion declared")
            known[lesion_id] = lesion
        state = item.get("state") or (
            "measured" if item.get("diameter_mm") is not None else "present"
        )
        readings.append(
            LesionMeasurement(
                assessment=scan,
                lesion=lesion,
                state=state,
                diameter_mm=item.get("diameter_mm"),
                merged_into=item.get("merged_into", ""),
                equivocal=item.get("equivocal"),
                increased=item.get("increased"),
            )
        )
    create(readings, username=username, now=now, reason="lesions measured")
    return scan, participant


@transaction.atomic
def tumour_assessment_record(
    *, user: AbstractBaseUser, now: dt.datetime, **scan: Any
) -> TumourAssessment:
    """One scan. At baseline each lesion is declared (lesion_id, organ, lymph_node, category,
    method, diameter_mm); at follow-up each reading names a known lesion (state, diameter_mm),
    and a new lesion also gives organ and lymph_node (``subject_id``, ``assessment_date``,
    ``baseline``, ``lesions``, ``non_target_status``, ``non_target_increased``). The response
    is computed and kept."""
    stored, participant = _scan_enter(user=user, now=now, **scan)
    response = participant_response(participant, now.astimezone(dt.UTC).date())
    if response is not None:
        change(
            stored,
            {"response": response},
            username=user.get_username(),
            now=now,
            reason="RECIST 1.1 response computed",
        )
    if in_expansion(participant):
        expansion_monitor(username=user.get_username(), now=now)
    return stored


def tumour_assessment_preview(
    *, user: AbstractBaseUser, now: dt.datetime, **scan: Any
) -> dict[str, Any] | None:
    """The response the scan as typed would give: the scan is stored exactly as
    :func:`tumour_assessment_record` stores it, inside the caller's transaction, which the
    caller rolls back; the response itself is not written."""
    _, participant = _scan_enter(user=user, now=now, **scan)
    return participant_response(participant, now.astimezone(dt.UTC).date())


@transaction.atomic
def sample_record(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    matrix: str,
    sample_date: dt.date,
    copies_per_ug: float | None,
    lloq: float,
) -> Sample:
    """A CAR transgene qPCR result; the study day counts from the infusion (day 0)."""
    profile = authorize(user, "sample.record")
    participant = participant_for(profile, subject_id, for_update=True)
    check_not_future("sample_date", sample_date, now)
    if participant.infusion_date is None:
        raise RefusedError("state", participant.state, "CAR copies are measured after infusion")
    if copies_per_ug is not None and copies_per_ug < lloq:
        raise InputError("copies_per_ug", copies_per_ug, f"below the LLOQ {lloq}: leave it empty")
    sample = Sample(
        participant=participant,
        matrix=matrix,
        sample_date=sample_date,
        study_day=(sample_date - participant.infusion_date).days,
        copies_per_ug=copies_per_ug,
        lloq=lloq,
    )
    create([sample], username=user.get_username(), now=now, reason="sample result entered")
    return sample


@transaction.atomic
def disposition_record(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    values: dict[str, Any],
    reason: str = "",
) -> Disposition:
    """Progression, death, new therapy, last contact; an off-study date takes the participant
    off study with its reason. Changes to an entered disposition need a reason."""
    profile = authorize(user, "disposition.record")
    participant = participant_for(profile, subject_id, for_update=True)
    for field, value in values.items():
        if field.endswith("_date"):
            check_not_future(field, value, now)
    off_reason = values.get("off_study_reason") or ""
    if off_reason and off_reason not in OFF_STUDY_REASONS:
        raise InputError(
            "off_study_reason", off_reason, f"must be one of {', '.join(OFF_STUDY_REASONS)}"
        )
    if bool(values.get("off_study_date")) != bool(off_reason):
        raise InputError("off_study_reason", off_reason, "an off-study date needs its reason")
    username = user.get_username()
    existing = Disposition.objects.filter(participant=participant).first()
    if existing is None:
        record = Disposition(participant=participant, **values)
        create([record], username=username, now=now, reason="disposition entered")
    else:
        change(existing, values, username=username, now=now, reason=reason)
        record = existing
    if values.get("off_study_date") and participant.state not in ("off_study", "screen_failure"):
        move(
            participant,
            "off_study",
            username=username,
            now=now,
            reason=off_reason,
            off_study_reason=off_reason,
        )
    return record
