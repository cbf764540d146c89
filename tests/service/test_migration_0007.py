"""Migration 0007: an adverse event's attributions move from three columns to one field keyed by
the protocol's product ids; the values, the signatures that held and the audit chain survive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("service", "0006_lab_vital")]
AFTER = [("service", "0007_adverse_event_attribution_by_product")]
STALE = "0" * 64


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_attributions_move_to_one_field_and_valid_signatures_still_hold() -> None:
    from hyposti.service.audit import audit_verify, record_sha256

    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="inv")
    participant = old.get_model("service", "Participant").objects.create(
        subject_id="P01", sex="F", age_years=50
    )
    ae = old.get_model("service", "AdverseEvent").objects.create(
        participant=participant,
        ae_id="P01-AE01",
        term="Nausea",
        soc="Gastrointestinal disorders",
        grade=1,
        scale="CTCAE v5.0",
        onset_date=dt.date(2026, 1, 5),
        serious=False,
        attribution_car_t="unlikely",
        attribution_nab_paclitaxel="probable",
        attribution_cyclophosphamide="possible",
    )
    signature = old.get_model("service", "Signature")
    signed = {
        "user": user,
        "printed_name": "Dr Investigator",
        "signed_at": dt.datetime(2026, 1, 6, tzinfo=dt.UTC),
        "meaning": "responsibility",
        "model": "adverseevent",
        "object_id": str(ae.pk),
    }
    # One signature on the event as stored (valid), one on an earlier version (invalidated).
    valid = signature.objects.create(**signed, record_sha256=record_sha256(ae))
    invalidated = signature.objects.create(**signed, record_sha256=STALE)

    _migrate(AFTER)

    from hyposti.service.models import AdverseEvent, AuditEntry, Signature

    moved = AdverseEvent.objects.get(pk=ae.pk)
    assert moved.attribution == {
        "car_t": "unlikely",
        "nab_paclitaxel": "probable",
        "cyclophosphamide": "possible",
    }
    assert Signature.objects.get(pk=valid.pk).record_sha256 == record_sha256(moved)
    assert Signature.objects.get(pk=invalidated.pk).record_sha256 == STALE
    verdict = audit_verify()
    assert verdict.intact and verdict.entries == 2
    migrated, rebound = AuditEntry.objects.order_by("seq")
    assert (migrated.action, migrated.model, migrated.object_id) == (
        "migrate",
        "adverseevent",
        str(ae.pk),
    )
    assert migrated.changes["attribution_nab_paclitaxel"] == ["probable", None]
    assert migrated.changes["attribution"] == [None, moved.attribution]
    assert (rebound.action, rebound.model, rebound.object_id) == (
        "rebind",
        "signature",
        str(valid.pk),
    )
