"""The hash-chained audit trail: append an entry, and verify the chain names the first break.

21 CFR 11.10(e): secure, computer-generated, time-stamped audit trails of who created, modified
or deleted a record, keeping the old values; ICH E6(R3) 4.2.1 (reason for change). Each entry's
hash covers the previous entry's hash, so editing, inserting or deleting an entry breaks the chain
(Haber & Stornetta 1991, J Cryptology 3:99, "How to time-stamp a digital document").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models

from hyposti.service.models import AuditEntry, ChainHead

GENESIS = "0" * 64


def plain(value: Any) -> Any:
    """A JSON-ready value: dates ISO 8601, everything else as JSON has it."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, dates in ISO 8601 (RFC 8785-style canonical form for hashing)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=plain)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Every stored field of a record (foreign keys by id), as JSON-ready values."""
    return {f.attname: plain(getattr(instance, f.attname)) for f in instance._meta.concrete_fields}


def record_sha256(instance: models.Model) -> str:
    """The hash of one record version: what a signature is bound to."""
    return hashlib.sha256(canonical_json(snapshot(instance)).encode()).hexdigest()


def label(instance: models.Model | type[models.Model]) -> str:
    return instance._meta.model_name or ""


def entry_content(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": plain(entry.at),
        "username": entry.username,
        "action": entry.action,
        "model": entry.model,
        "object_id": entry.object_id,
        "changes": entry.changes,
        "reason": entry.reason,
    }


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry_content(entry))).encode()).hexdigest()


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Changed fields as {field: [old, new]} (old None on creation, new None on deletion)."""
    keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
    return {
        k: [(before or {}).get(k), (after or {}).get(k)]
        for k in keys
        if (before or {}).get(k) != (after or {}).get(k)
    }


@dataclass(frozen=True)
class Change:
    """One audited change: what happened to which record, and its old and new values."""

    action: str
    model: str
    object_id: str
    changes: dict[str, list[Any]]


def audit_append(*, username: str, at: dt.datetime, changes: list[Change], reason: str) -> None:
    """Append entries to the chain. Call inside the transaction that made the changes, so the
    record and its audit entries commit together or not at all."""
    try:
        head = ChainHead.objects.select_for_update().get(pk=1)
    except ChainHead.DoesNotExist:  # migration 0002 creates it; a flushed (test) database lacks it
        head = ChainHead.objects.create(pk=1, seq=0, entry_hash=GENESIS)
    seq, prev = head.seq, head.entry_hash
    entries = []
    for change in changes:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=at,
            username=username,
            action=change.action,
            model=change.model,
            object_id=change.object_id,
            changes=json.loads(canonical_json(change.changes)),
            reason=reason,
            prev_hash=prev,
        )
        entry.entry_hash = entry_hash(prev, entry)
        prev = entry.entry_hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    ChainHead.objects.filter(pk=1).update(seq=seq, entry_hash=prev)


@dataclass(frozen=True)
class ChainVerdict:
    """The audit chain's state: intact, or the first broken link and what is wrong with it."""

    intact: bool
    entries: int
    first_broken_seq: int | None
    problem: str

    def to_dict(self) -> dict[str, object]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "first_broken_seq": self.first_broken_seq,
            "problem": self.problem,
        }


def audit_verify() -> ChainVerdict:
    """Walk the chain from the start: every entry's number follows the last, its prev_hash is the
    last entry's hash and its own hash matches its content; the head matches the last entry."""
    prev, expected, count = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if entry.seq != expected:
            what = "missing (deleted)" if entry.seq > expected else "duplicated (inserted)"
            return ChainVerdict(False, count, expected, f"entry {expected} is {what}")
        if entry.prev_hash != prev:
            return ChainVerdict(
                False, count, entry.seq, f"entry {entry.seq} does not link to entry {expected - 1}"
            )
        if entry_hash(prev, entry) != entry.entry_hash:
            return ChainVerdict(
                False, count, entry.seq, f"entry {entry.seq} was changed after it was written"
            )
        prev, expected = entry.entry_hash, expected + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.entry_hash) != (expected - 1, prev):
        return ChainVerdict(
            False, count, expected, f"entries after {expected - 1} are missing (head at {head.seq})"
        )
    return ChainVerdict(True, count, None, f"all {count} entries link and match their hashes")
