"""Electronic signatures: password re-entry, printed name, time, meaning, the record's hash.

21 CFR 11.50 (signature manifestations: printed name, date and time, meaning), 11.70 (linked to
the record so it cannot be transferred), 11.200(a)(1)(i) (re-enter the password to sign).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction

from hyposti.service.access import profile_of
from hyposti.service.audit import Change, audit_append, label, record_sha256
from hyposti.service.errors import RefusedError
from hyposti.service.models import Signature
from hyposti.service.models.integrity import SIGNATURE_MEANINGS


@transaction.atomic
def signature_sign(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    instance: models.Model,
    meaning: str,
    password: str,
) -> Signature:
    """Sign the record's current version; a wrong password is refused and nothing is signed."""
    profile = profile_of(user)
    if meaning not in SIGNATURE_MEANINGS:
        raise RefusedError("meaning", meaning, f"must be one of {', '.join(SIGNATURE_MEANINGS)}")
    if not user.check_password(password):
        raise RefusedError("password", "***", "does not match: re-enter your password to sign")
    signature = Signature.objects.create(
        user=profile.user,
        printed_name=profile.printed_name,
        signed_at=now,
        meaning=meaning,
        model=label(instance),
        object_id=str(instance.pk),
        record_sha256=record_sha256(instance),
    )
    audit_append(
        username=user.get_username(),
        at=now,
        changes=[
            Change(
                "sign",
                label(instance),
                str(instance.pk),
                {"signature": [None, f"{meaning} by {profile.printed_name}"]},
            )
        ],
        reason=f"electronic signature ({meaning})",
    )
    return signature
