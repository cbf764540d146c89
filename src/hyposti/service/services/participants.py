"""Participants: registration, consent, screening with the eligibility engine, off study."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from pydantic import ValidationError

from hyposti.eligibility import ScreeningRecord, screen
from hyposti.errors import InputError, dotted_path
from hyposti.service.access import authorize, participant_for
from hyposti.service.errors import RefusedError
from hyposti.service.models import Participant, Screening, ScreeningCriterion, Site
from hyposti.service.permissions import SITE_BOUND
from hyposti.service.services.records import change, check_not_future, create
from hyposti.service.services.signatures import signature_sign
from hyposti.service.states import check_move
from hyposti.service.trial_protocol import trial_protocol


def move(
    participant: Participant,
    target: str,
    *,
    username: str,
    now: dt.datetime,
    reason: str,
    **values: Any,
) -> None:
    """Move along the state machine (refused with the reason if not allowed), audited."""
    check_move(participant.state, target)
    change(
        participant,
        {"state": target, **values},
        username=username,
        now=now,
        reason=reason,
        action="transition",
    )


@transaction.atomic
def participant_create(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    site_code: str,
    sex: str,
    age_years: int,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    tumour_type: str = "",
    her2_expression_pct: float | None = None,
    ecog: int | None = None,
) -> Participant:
    """Register a candidate in screening at a site (a site-bound user: their own site only)."""
    profile = authorize(user, "participant.create")
    site = Site.objects.filter(code=site_code).first()
    if site is None:
        raise InputError("site_code", site_code, "no such site")
    if profile.role in SITE_BOUND and site.pk != profile.site_id:
        raise RefusedError(
            "site_code", site_code, "you may register participants at your site only"
        )
    if Participant.objects.filter(subject_id=subject_id).exists():
        raise RefusedError("subject_id", subject_id, "already registered: subject ids are unique")
    participant = Participant(
        subject_id=subject_id,
        site=site,
        sex=sex,
        age_years=age_years,
        weight_kg=weight_kg,
        height_cm=height_cm,
        tumour_type=tumour_type,
        her2_expression_pct=her2_expression_pct,
        ecog=ecog,
    )
    create([participant], username=user.get_username(), now=now, reason="registered")
    return participant


@transaction.atomic
def participant_consent(
    *, user: AbstractBaseUser, now: dt.datetime, subject_id: str, consent_date: dt.date
) -> Participant:
    """Record written informed consent (ICH E6(R3) 2.8): screening -> consented."""
    profile = authorize(user, "participant.consent")
    participant = participant_for(profile, subject_id, for_update=True)
    check_not_future("consent_date", consent_date, now)
    move(
        participant,
        "consented",
        username=user.get_username(),
        now=now,
        reason="informed consent signed",
        consent_date=consent_date,
    )
    return participant


def _screening_record(data: dict[str, Any], subject_id: str) -> ScreeningRecord:
    if data.get("participant_id", subject_id) != subject_id:
        raise InputError("record.participant_id", data["participant_id"], f"is not {subject_id}")
    try:
        return ScreeningRecord.model_validate({**data, "participant_id": subject_id})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(
            f"record.{dotted_path(tuple(err['loc']))}", err.get("input"), err["msg"]
        ) from exc


def _store_screening(
    participant: Participant,
    record: ScreeningRecord,
    *,
    username: str,
    now: dt.datetime,
    reason: str,
) -> Screening:
    result = screen(record, trial_protocol(), now.astimezone(dt.UTC).date())
    screening = Screening(
        participant=participant,
        screening_date=record.screening_date,
        record=record.model_dump(mode="json"),
        result=result.model_dump(mode="json"),
        status=result.status,
    )
    create([screening], username=username, now=now, reason=reason)
    create(
        [
            ScreeningCriterion(
                screening=screening, criterion_id=c.id, met=c.verdict == "met", detail=c.reason
            )
            for c in result.criteria
        ],
        username=username,
        now=now,
        reason=reason,
    )
    if result.status == "ineligible" and participant.state in ("screening", "consented"):
        move(
            participant,
            "screen_failure",
            username=username,
            now=now,
            reason=result.summary,
            off_study_reason="screen failure",
        )
    return screening


@transaction.atomic
def screening_record(
    *, user: AbstractBaseUser, now: dt.datetime, subject_id: str, record: dict[str, Any]
) -> Screening:
    """Screen with the eligibility engine and keep the record and every criterion's verdict;
    an ineligible result makes the participant a screen failure (the failing criteria named)."""
    profile = authorize(user, "screening.record")
    participant = participant_for(profile, subject_id, for_update=True)
    if participant.state not in ("screening", "consented"):
        raise RefusedError("state", participant.state, "screening is done before enrolment")
    typed = _screening_record(record, subject_id)
    check_not_future("record.screening_date", typed.screening_date, now)
    return _store_screening(
        participant, typed, username=user.get_username(), now=now, reason="screening entered"
    )


@transaction.atomic
def screening_attest(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    subject_id: str,
    criterion_id: str,
    satisfied: bool,
    note: str,
    password: str,
) -> Screening:
    """An investigator's signed judgement on a criterion data cannot decide; screens again."""
    profile = authorize(user, "screening.attest")
    participant = participant_for(profile, subject_id, for_update=True)
    latest = participant.screenings.order_by("-pk").first()
    if latest is None or latest.record is None:
        raise RefusedError("screening", subject_id, "no screening record to attest")
    if criterion_id not in (latest.result or {}).get("pending_review", []):
        raise RefusedError("criterion_id", criterion_id, "is not awaiting investigator judgement")
    data = dict(latest.record)
    data["attestations"] = [
        *[a for a in data.get("attestations", []) if a["criterion_id"] != criterion_id],
        {
            "criterion_id": criterion_id,
            "satisfied": satisfied,
            "investigator": profile.printed_name,
            "attested_on": now.date().isoformat(),
            "note": note,
        },
    ]
    username = user.get_username()
    screening = _store_screening(
        participant,
        _screening_record(data, subject_id),
        username=username,
        now=now,
        reason=f"attestation of {criterion_id}",
    )
    signature_sign(
        user=user, now=now, instance=screening, meaning="responsibility", password=password
    )
    return screening
