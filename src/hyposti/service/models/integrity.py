"""Integrity records: the hash-chained audit trail, electronic signatures, queries, record locks."""

from __future__ import annotations

from django.conf import settings
from django.db import models

SIGNATURE_MEANINGS = ("review", "approval", "responsibility")


class AuditEntry(models.Model):
    """One append-only entry; ``entry_hash`` = sha256(previous hash + canonical JSON of the entry).

    ``seq`` is gapless (1, 2, ...), so a deleted entry shows as a missing number.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20)
    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    changes = models.JSONField()
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)


class ChainHead(models.Model):
    """One row: the last entry's number and hash. Locked to append, so the chain stays linear."""

    seq = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50, 11.70) bound to the hash of the record version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    printed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    meaning = models.CharField(max_length=20, choices=[(m, m) for m in SIGNATURE_MEANINGS])
    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    record_sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meaning__in=SIGNATURE_MEANINGS), name="signature_meaning"
            )
        ]


class DataQuery(models.Model):
    """A data query on one field of one record: opened, answered, closed."""

    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    field = models.CharField(max_length=60)
    text = models.TextField()
    status = models.CharField(
        max_length=10, choices=[("open",) * 2, ("answered",) * 2, ("closed",) * 2]
    )
    opened_by = models.CharField(max_length=150)
    opened_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.CharField(max_length=150, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)


class RecordLock(models.Model):
    """A data manager's lock on a record; an unlock keeps the row with its reason."""

    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    locked_by = models.CharField(max_length=150)
    locked_at = models.DateTimeField()
    unlocked_by = models.CharField(max_length=150, blank=True)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model", "object_id"],
                condition=models.Q(unlocked_at__isnull=True),
                name="one_active_lock",
            )
        ]
