"""An adverse event's attributions move from one column per NCT05681650 product
(attribution_<id>) to one JSON field keyed by the protocol's product ids, so that a protocol with
other products needs no schema change.

The values are unchanged, but a signature is bound to the hash of the record's stored fields
(hyposti.service.audit.record_sha256), which the new layout changes: a signature that held on an
event before the move is re-bound to the same event after it, and the audit trail records every
event's move and every re-bound signature, so that the migration is as traceable as any change.
"""

import hashlib
import json
from typing import Any

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone

from hyposti.service.audit import GENESIS, canonical_json, entry_hash, plain

PREFIX = "attribution_"
OLD = ("attribution_car_t", "attribution_nab_paclitaxel", "attribution_cyclophosphamide")
USERNAME = "migration 0007"
REASON = (
    "attributions stored as one field keyed by the protocol's product ids (values unchanged); "
    "signatures valid on the event before are re-bound to it"
)


def _hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


def _snapshot(ae: models.Model, drop: tuple[str, ...]) -> dict[str, Any]:
    return {
        f.attname: plain(getattr(ae, f.attname))
        for f in ae._meta.concrete_fields
        if f.attname not in drop
    }


def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    adverse_event = apps.get_model("service", "AdverseEvent")
    signature = apps.get_model("service", "Signature")
    audit_entry = apps.get_model("service", "AuditEntry")
    chain_head = apps.get_model("service", "ChainHead")
    for history in apps.get_model("service", "HistoricalAdverseEvent").objects.all():
        history.attribution = {c.removeprefix(PREFIX): getattr(history, c) for c in OLD}
        history.save(update_fields=["attribution"])
    changes: list[tuple[str, str, dict[str, list[Any]]]] = []
    for ae in adverse_event.objects.order_by("pk"):
        before = _hash(_snapshot(ae, ("attribution",)))
        ae.attribution = {c.removeprefix(PREFIX): getattr(ae, c) for c in OLD}
        ae.save(update_fields=["attribution"])
        after = _hash(_snapshot(ae, OLD))
        moved = {c: [getattr(ae, c), None] for c in OLD}
        changes.append(("migrate", str(ae.pk), moved | {"attribution": [None, ae.attribution]}))
        for s in signature.objects.filter(
            model="adverseevent", object_id=str(ae.pk), record_sha256=before
        ):
            s.record_sha256 = after
            s.save(update_fields=["record_sha256"])
            changes.append(("rebind", str(s.pk), {"record_sha256": [before, after]}))
    if not changes:
        return
    head, _ = chain_head.objects.get_or_create(pk=1, defaults={"seq": 0, "entry_hash": GENESIS})
    seq, prev, now = head.seq, head.entry_hash, timezone.now()
    for action, object_id, change in changes:
        seq += 1
        entry = audit_entry(
            seq=seq,
            at=now,
            username=USERNAME,
            action=action,
            model="adverseevent" if action == "migrate" else "signature",
            object_id=object_id,
            changes=json.loads(canonical_json(change)),
            reason=REASON,
            prev_hash=prev,
        )
        entry.entry_hash = prev = entry_hash(prev, entry)
        entry.save()
    chain_head.objects.filter(pk=1).update(seq=seq, entry_hash=prev)


class Migration(migrations.Migration):
    dependencies = [("service", "0006_lab_vital")]

    operations = [
        migrations.AddField(
            model_name="adverseevent", name="attribution", field=models.JSONField(default=dict)
        ),
        migrations.AddField(
            model_name="historicaladverseevent",
            name="attribution",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="adverseevent", name="attribution", field=models.JSONField()
        ),
        migrations.AlterField(
            model_name="historicaladverseevent", name="attribution", field=models.JSONField()
        ),
        *(
            migrations.RemoveField(model_name=model, name=name)
            for model in ("adverseevent", "historicaladverseevent")
            for name in OLD
        ),
    ]
