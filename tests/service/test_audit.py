"""The audit trail: who/when/old/new/reason on every change, and tampering detected.

Tampering is done the way an attacker with database access would: raw SQL on the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json

import pytest
from django.db import connection

from hyposti.cli.main import run
from hyposti.service.audit import GENESIS, audit_verify
from hyposti.service.models import AuditEntry
from tests.service.conftest import SITE, START

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trail(users) -> list[AuditEntry]:
    """A registered participant whose weight was then corrected (a change after first entry)."""
    from hyposti.service.services.integrity import record_correct
    from hyposti.service.services.participants import participant_create

    crc = users["research_coordinator"]
    participant_create(user=crc, now=START, subject_id="A01", site_code=SITE, sex="F",
                       age_years=60, weight_kg=70.0)  # fmt: skip
    later = START + dt.timedelta(hours=2)
    record_correct(user=crc, now=later, model="participant", object_id="A01",
                   values={"weight_kg": 68.5}, reason="transcription error")  # fmt: skip
    return list(AuditEntry.objects.order_by("seq"))


def test_a_change_records_who_when_old_new_and_reason(trail) -> None:
    last = trail[-1]
    assert (last.username, last.action, last.model) == ("research_coordinator", "correct",
                                                        "participant")  # fmt: skip
    assert last.changes == {"weight_kg": [70.0, 68.5]}
    assert last.reason == "transcription error"
    assert last.at == START + dt.timedelta(hours=2) and last.at.utcoffset() == dt.timedelta(0)


def test_a_change_without_reason_is_refused(trail, users) -> None:
    from hyposti.service.errors import RefusedError
    from hyposti.service.services.integrity import record_correct

    with pytest.raises(RefusedError, match="needs a reason"):
        record_correct(user=users["research_coordinator"], now=START, model="participant",
                       object_id="A01", values={"weight_kg": 66.0}, reason=" ")  # fmt: skip


def test_the_chain_is_sha256_over_previous_hash_and_canonical_json(trail) -> None:
    # Recompute the first link by hand from the documented formula.
    first = trail[0]
    content = {"seq": 1, "at": first.at.isoformat(), "username": first.username,
               "action": first.action, "model": first.model, "object_id": first.object_id,
               "changes": first.changes, "reason": first.reason}  # fmt: skip
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    assert first.prev_hash == GENESIS
    assert first.entry_hash == hashlib.sha256((GENESIS + canonical).encode()).hexdigest()
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(trail))
    assert audit_verify().intact


def _sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_edited_entry_is_named(trail) -> None:
    _sql("UPDATE service_auditentry SET reason = %s WHERE seq = %s", "no reason", trail[-1].seq)
    verdict = audit_verify()
    assert not verdict.intact and verdict.first_broken_seq == trail[-1].seq
    assert "changed after it was written" in verdict.problem


def test_a_deleted_entry_is_named(trail) -> None:
    _sql("DELETE FROM service_auditentry WHERE seq = %s", 2)
    verdict = audit_verify()
    assert (verdict.intact, verdict.first_broken_seq) == (False, 2)


def test_deleting_the_last_entries_is_seen_from_the_chain_head(trail) -> None:
    _sql("DELETE FROM service_auditentry WHERE seq = %s", trail[-1].seq)
    verdict = audit_verify()
    assert (verdict.intact, verdict.first_broken_seq) == (False, trail[-1].seq)


def test_an_inserted_entry_is_named(trail) -> None:
    # Renumber to make room, then insert a forged entry with a self-consistent hash.
    n = len(trail)
    for seq in range(n, 1, -1):
        _sql("UPDATE service_auditentry SET seq = %s WHERE seq = %s", seq + 1, seq)
    forged = trail[0]
    _sql("INSERT INTO service_auditentry (seq, at, username, action, model, object_id, changes,"
         " reason, prev_hash, entry_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
         2, forged.at, "intruder", "update", "participant", forged.object_id, '{}', "",
         forged.entry_hash, "0" * 64)  # fmt: skip
    verdict = audit_verify()
    assert (verdict.intact, verdict.first_broken_seq) == (False, 2)


def test_cli_audit_verify_exits_1_naming_the_link(trail, capsys) -> None:
    assert run(["audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intact"] is True
    _sql("UPDATE service_auditentry SET username = %s WHERE seq = %s", "someone", 1)
    assert run(["audit", "verify", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert (out["intact"], out["first_broken_seq"]) == (False, 1)


def test_simple_history_keeps_each_version_with_user_and_reason(trail) -> None:
    from hyposti.service.models import Participant

    versions = Participant.objects.get(subject_id="A01").history.order_by("history_date")
    assert [(v.weight_kg, v.history_user.username, v.history_change_reason) for v in versions] == [
        (70.0, "research_coordinator", "registered"),
        (68.5, "research_coordinator", "transcription error"),
    ]


def test_history_manager_is_built_once_and_keeps_the_querysets_methods(trail) -> None:
    """The history manager's class is kept (hyposti.service.models.history), not rebuilt on
    each access, and still has the library's queryset methods: as_of gives the version of then
    (the history's dates are the server's clock when it saved, not the services' "now")."""
    from hyposti.service.models import Participant

    participant = Participant.objects.get(subject_id="A01")
    assert type(participant.history) is type(Participant.objects.get(subject_id="A01").history)
    entered, corrected = participant.history.order_by("history_date")
    assert participant.history.as_of(entered.history_date).weight_kg == 70.0
    assert participant.history.as_of(corrected.history_date).weight_kg == 68.5
