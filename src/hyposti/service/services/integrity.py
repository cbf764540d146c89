"""Data queries, record locks and corrections of entered data (each with its reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction

from hyposti.errors import InputError
from hyposti.safety.adverse_event import check_attributions
from hyposti.service.access import authorize, participant_for
from hyposti.service.audit import Change, audit_append
from hyposti.service.errors import RefusedError
from hyposti.service.models import (
    AdverseEvent,
    DataQuery,
    Disposition,
    Participant,
    RecordLock,
    Sample,
    UserProfile,
)
from hyposti.service.services.expansion import expansion_monitor, in_expansion
from hyposti.service.services.records import change, check_not_future
from hyposti.service.services.safety import dlt_proposal
from hyposti.service.trial_protocol import trial_protocol

#: Records open to correction, and the fields that may be corrected (workflow fields such as
#: state, dose level or DLT decisions change only through their own services).
CORRECTABLE: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "participant": (
        Participant,
        (
            "sex",
            "age_years",
            "weight_kg",
            "height_cm",
            "tumour_type",
            "her2_expression_pct",
            "ecog",
        ),
    ),
    "adverseevent": (
        AdverseEvent,
        ("resolution_date", "serious", "attribution"),
    ),
    "sample": (Sample, ("copies_per_ug", "lloq", "matrix")),
    "disposition": (
        Disposition,
        ("progression_date", "death_date", "death_cause", "new_therapy_date", "last_contact_date"),
    ),
}


def _date(field: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(field, value, "must be an ISO 8601 date (YYYY-MM-DD)") from exc


def _subject(instance: models.Model) -> str:
    if isinstance(instance, Participant):
        return instance.subject_id
    # every correctable model but Participant has a participant foreign key (see CORRECTABLE)
    participant: Participant = instance.participant  # type: ignore[attr-defined]
    return participant.subject_id


def _record(
    profile: UserProfile, model: str, object_id: str, *, by_pk: bool = False
) -> models.Model:
    """A correctable record the user's site may see; participants are named by subject id,
    other records (and stored references, ``by_pk``) by primary key."""
    if model not in CORRECTABLE:
        raise InputError("model", model, f"must be one of {', '.join(CORRECTABLE)}")
    cls = CORRECTABLE[model][0]
    key = "subject_id" if cls is Participant and not by_pk else "pk"
    instance = cls._default_manager.select_for_update().filter(**{key: object_id}).first()
    if instance is None:
        raise InputError("object_id", object_id, f"no such {model}")
    participant_for(profile, _subject(instance))
    return instance


def _attribution(instance: models.Model, value: Any) -> dict[str, Any]:
    """An adverse event's attributions with the products ``value`` corrects, checked against the
    trial protocol's products."""
    if not isinstance(value, dict):
        raise InputError("attribution", value, "give the corrected attribution by product id")
    stored: dict[str, Any] = instance.attribution  # type: ignore[attr-defined]
    corrected = stored | value
    check_attributions(corrected, trial_protocol().product_ids)
    return corrected


@transaction.atomic
def record_correct(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    model: str,
    object_id: str,
    values: dict[str, Any],
    reason: str,
) -> dict[str, list[Any]]:
    """Correct fields of an entered record with a reason; refused if locked. A signature on the
    record no longer matches the new version and shows as invalidated."""
    profile = authorize(user, "record.correct")
    instance = _record(profile, model, object_id)
    allowed = CORRECTABLE[model][1]
    for field, value in values.items():
        if field not in allowed:
            raise InputError(field, value, f"not correctable here (allowed: {', '.join(allowed)})")
        if field.endswith("_date") and value is not None:
            values[field] = value = _date(field, value)
            check_not_future(field, value, now)
        if field == "attribution":
            values[field] = _attribution(instance, value)
    changes = change(
        instance, values, username=user.get_username(), now=now, reason=reason, action="correct"
    )
    if isinstance(instance, AdverseEvent):
        changes |= _dlt_proposal_reread(instance, username=user.get_username(), now=now)
    return changes


def _dlt_proposal_reread(ae: AdverseEvent, *, username: str, now: dt.datetime) -> dict[str, Any]:
    """The DLT engine's proposal read again after a correction of the event: whether an event
    counts turns on its attribution to the protocol's ``dlt.related_product``, so a corrected
    attribution can make or unmake a proposal. An investigator's decision on a proposal the
    correction reverses is withdrawn (its signature no longer matches the record either): until
    the investigator decides again, the new proposal counts, so that a correction never leaves a
    DLT hidden behind a decision about another reading of the event; the expansion's monitoring
    counts it at once."""
    proposed, why = dlt_proposal(ae.participant, now.astimezone(dt.UTC).date(), ae)
    if (proposed, why) == (ae.dlt_proposed, ae.dlt_proposal_reason):
        return {}
    values: dict[str, Any] = {"dlt_proposed": proposed, "dlt_proposal_reason": why}
    reason = "DLT proposal read again after a correction"
    if ae.dlt is not None and proposed != ae.dlt_proposed:
        values |= {"dlt": None, "dlt_decision_reason": ""}
        reason += "; the investigator's decision on the earlier proposal is withdrawn"
    changes = change(ae, values, username=username, now=now, reason=reason)
    if in_expansion(ae.participant):
        expansion_monitor(username=username, now=now)
    return changes


@transaction.atomic
def record_lock(*, user: AbstractBaseUser, now: dt.datetime, model: str, object_id: str) -> None:
    """A data manager locks a record against changes."""
    profile = authorize(user, "record.lock")
    instance = _record(profile, model, object_id)
    key = {"model": model, "object_id": str(instance.pk)}
    if RecordLock.objects.filter(**key, unlocked_at__isnull=True).exists():
        raise RefusedError("object_id", object_id, "already locked")
    RecordLock.objects.create(**key, locked_by=user.get_username(), locked_at=now)
    audit_append(
        username=user.get_username(),
        at=now,
        reason="record locked",
        changes=[Change("lock", model, str(instance.pk), {"locked": [False, True]})],
    )


@transaction.atomic
def record_unlock(
    *, user: AbstractBaseUser, now: dt.datetime, model: str, object_id: str, reason: str
) -> None:
    """Unlock only with a reason, which the lock row and the audit trail keep."""
    profile = authorize(user, "record.unlock")
    if not reason.strip():
        raise RefusedError("reason", reason, "unlocking a record needs a reason")
    instance = _record(profile, model, object_id)
    lock = (
        RecordLock.objects.select_for_update()
        .filter(model=model, object_id=str(instance.pk), unlocked_at__isnull=True)
        .first()
    )
    if lock is None:
        raise RefusedError("object_id", object_id, "is not locked")
    lock.unlocked_by, lock.unlocked_at, lock.unlock_reason = user.get_username(), now, reason
    lock.save()
    audit_append(
        username=user.get_username(),
        at=now,
        reason=reason,
        changes=[Change("unlock", model, str(instance.pk), {"locked": [True, False]})],
    )


@transaction.atomic
def query_open(
    *, user: AbstractBaseUser, now: dt.datetime, model: str, object_id: str, field: str, text: str
) -> DataQuery:
    """Open a query on one field of a record (monitor or data manager)."""
    profile = authorize(user, "query.open")
    instance = _record(profile, model, object_id)
    if field not in {f.name for f in instance._meta.concrete_fields}:
        raise InputError("field", field, f"not a field of {model}")
    if not text.strip():
        raise InputError("text", text, "a query needs its question")
    query = DataQuery.objects.create(
        model=model,
        object_id=str(instance.pk),
        field=field,
        text=text,
        status="open",
        opened_by=user.get_username(),
        opened_at=now,
    )
    audit_append(
        username=user.get_username(),
        at=now,
        reason=text,
        changes=[Change("query", "dataquery", str(query.pk), {"status": [None, "open"]})],
    )
    return query


def _query(profile: UserProfile, pk: int, status: str) -> DataQuery:
    query = DataQuery.objects.select_for_update().filter(pk=pk).first()
    if query is None:
        raise InputError("query", pk, "no such query")
    _record(profile, query.model, query.object_id, by_pk=True)
    if query.status != status:
        raise RefusedError("status", query.status, f"the query must be {status} for this step")
    return query


@transaction.atomic
def query_answer(*, user: AbstractBaseUser, now: dt.datetime, pk: int, answer: str) -> DataQuery:
    profile = authorize(user, "query.answer")
    query = _query(profile, pk, "open")
    if not answer.strip():
        raise InputError("answer", answer, "an answer cannot be empty")
    query.status, query.answer, query.answered_by = "answered", answer, user.get_username()
    query.save()
    audit_append(
        username=user.get_username(),
        at=now,
        reason=answer,
        changes=[Change("query", "dataquery", str(pk), {"status": ["open", "answered"]})],
    )
    return query


@transaction.atomic
def query_close(*, user: AbstractBaseUser, now: dt.datetime, pk: int) -> DataQuery:
    profile = authorize(user, "query.close")
    query = _query(profile, pk, "answered")
    query.status, query.closed_by = "closed", user.get_username()
    query.save()
    audit_append(
        username=user.get_username(),
        at=now,
        reason="query closed",
        changes=[Change("query", "dataquery", str(pk), {"status": ["answered", "closed"]})],
    )
    return query
