"""Creating and changing any clinical record with its audit entries, lock and date checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models

from hyposti.errors import InputError
from hyposti.service.audit import Change, audit_append, diff, label, snapshot
from hyposti.service.errors import RefusedError
from hyposti.service.models import RecordLock


def check_not_future(field: str, value: dt.date | None, now: dt.datetime) -> None:
    """Observations cannot be dated after today (today in UTC, from the caller's clock)."""
    if value is not None and value > now.astimezone(dt.UTC).date():
        raise RefusedError(field, value.isoformat(), f"is in the future (today is {now.date()})")


def check_unlocked(instance: models.Model) -> None:
    if RecordLock.objects.filter(
        model=label(instance), object_id=str(instance.pk), unlocked_at__isnull=True
    ).exists():
        raise RefusedError(
            label(instance), str(instance.pk), "the record is locked: a data manager must unlock it"
        )


def clean(instance: models.Model) -> None:
    """Django's field checks (choices, types), as an InputError naming the first bad field.

    A foreign key holding an object read from the database is not looked up again (Django's
    check is an existence query); the database's foreign key constraint still holds on save.
    """
    loaded = [
        f.name
        for f in instance._meta.concrete_fields
        if isinstance(f, models.ForeignKey)
        and f.is_cached(instance)
        and getattr(instance, f.name) is not None
    ]
    try:
        instance.full_clean(exclude=loaded, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InputError(field, getattr(instance, field, None), " ".join(messages)) from exc


def _attribute(instance: models.Model, user: object, reason: str) -> None:
    """What django-simple-history stores beside its copy of the row: who, and why."""
    instance._history_user = user  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


def _user(username: str) -> AbstractBaseUser | None:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def create(
    instances: Sequence[models.Model],
    *,
    username: str,
    now: dt.datetime,
    reason: str,
    user: AbstractBaseUser | None = None,
) -> None:
    """Save new records and append one audit entry each (old values empty). ``user`` is the
    account of ``username`` when the caller has it (else it is read)."""
    if user is None or user.get_username() != username:
        user = _user(username)
    for instance in instances:
        clean(instance)
        _attribute(instance, user, reason)
        instance.save()
    audit_append(
        username=username,
        at=now,
        changes=[Change("create", label(i), str(i.pk), diff(None, snapshot(i))) for i in instances],
        reason=reason,
    )


def change(
    instance: models.Model,
    values: dict[str, Any],
    *,
    username: str,
    now: dt.datetime,
    reason: str,
    action: str = "update",
) -> dict[str, list[Any]]:
    """Set fields of an existing record; a reason is required (ICH E6(R3): changes after first
    entry are explained) and a locked record is refused. Returns the {field: [old, new]} diff."""
    if not reason.strip():
        raise RefusedError("reason", reason, "a change to an entered record needs a reason")
    check_unlocked(instance)
    before = snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    clean(instance)
    changes = diff(before, snapshot(instance))
    if changes:
        _attribute(instance, _user(username), reason)
        instance.save()
        audit_append(
            username=username,
            at=now,
            changes=[Change(action, label(instance), str(instance.pk), changes)],
            reason=reason,
        )
    return changes
