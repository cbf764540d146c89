"""`hyposti export odm`: a synthetic trial (with medications, labs and vital signs) imported into
the service, two AEs signed (one then corrected), written as ODM 1.3.2, checked against CDISC's
ODM 1.3.2 XSD and read back.

Independent truth: the XML schema CDISC publishes (validated by libxml2), and the database
itself -- every subject, record, value, audit entry and signature read back from the file is
compared with what the service stored, and every reference in the file resolves.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from hyposti.cli.main import run
from hyposti.virtual.tables import trial_dataset
from hyposti.virtual.trial import simulate_trial
from tests.service.conftest import PASSWORD, START

pytestmark = pytest.mark.django_db(transaction=True)

ODM = "{http://www.cdisc.org/ns/odm/v1.3}"


def _parse(data_type: str, text: str) -> object:
    """An ItemData value back to Python by its ItemDef's DataType (ODM 1.3.2 section 2.13)."""
    if data_type == "integer":
        return int(text)
    if data_type == "float":
        return float(Decimal(text))
    if data_type == "boolean":
        return {"true": True, "false": False}[text]
    if data_type == "date":
        return dt.date.fromisoformat(text)
    if data_type == "datetime":
        return dt.datetime.fromisoformat(text)
    return text


@pytest.fixture
def exported(users, tmp_path, capsys):
    """A synthetic trial imported; AE 1 signed, AE 2 signed then corrected; exported as ODM."""
    from django.db import transaction

    from hyposti.service.dataset_io import import_dataset
    from hyposti.service.models import AdverseEvent
    from hyposti.service.services.records import change
    from hyposti.service.services.signatures import signature_sign

    import_dataset(trial_dataset(simulate_trial(7)), username="import", now=START)
    first, second = AdverseEvent.objects.order_by("pk")[:2]
    at = START + dt.timedelta(hours=1)
    investigator = users["investigator"]
    for ae in (first, second):
        signature_sign(user=investigator, now=at, instance=ae, meaning="review", password=PASSWORD)
    with transaction.atomic():  # as the service's callers of records.change do
        change(second, {"serious": not second.serious}, username="investigator",
               now=at + dt.timedelta(hours=1), reason="source document verified")  # fmt: skip
    path = tmp_path / "trial.odm.xml"
    assert run(["export", "odm", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    return path, summary, first, second


def test_the_file_is_valid_against_the_odm_1_3_2_schema(exported) -> None:
    from hyposti.standards.xml_schema import schema_problems

    path, summary, _first, _second = exported
    assert summary["schema"] == "ODM 1.3.2"
    assert schema_problems(path) == ("ODM 1.3.2", [])


def test_the_schema_check_finds_a_broken_document(exported, tmp_path) -> None:
    """A SubjectData without its required SubjectKey (ODM 1.3.2 section 3.4.1) is caught."""
    from hyposti.standards.xml_schema import schema_problems

    path, *_ = exported
    tree = ET.parse(path)
    del tree.getroot().find(f"{ODM}ClinicalData/{ODM}SubjectData").attrib["SubjectKey"]
    broken = tmp_path / "broken.xml"
    tree.write(broken, encoding="UTF-8", xml_declaration=True)
    schema, problems = schema_problems(broken)
    assert schema == "ODM 1.3.2"
    assert any("SubjectKey" in p.message for p in problems)


def test_every_record_and_value_reads_back_as_stored(exported) -> None:
    from hyposti.service.models import AdverseEvent, Participant
    from hyposti.service.odm_source import EVENTS, REFERENCE

    path, summary, _first, _second = exported
    root = ET.parse(path).getroot()
    mdv = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    item_defs = {i.get("OID"): i for i in mdv.iter(f"{ODM}ItemDef")}
    groups = {g.get("OID"): g for g in mdv.iter(f"{ODM}ItemGroupDef")}
    codelists = {c.get("OID") for c in mdv.iter(f"{ODM}CodeList")}
    for group in groups.values():
        assert all(r.get("ItemOID") in item_defs for r in group.iter(f"{ODM}ItemRef"))
    for item in item_defs.values():
        ref = item.find(f"{ODM}CodeListRef")
        assert ref is None or ref.get("CodeListOID") in codelists

    subjects = root.findall(f"{ODM}ClinicalData/{ODM}SubjectData")
    stored = dict(Participant.objects.values_list("subject_id", "site__code"))
    assert {s.get("SubjectKey"): s.find(f"{ODM}SiteRef").get("LocationOID") for s in subjects} \
        == {k: f"LOC.{v}" for k, v in stored.items()}  # fmt: skip
    assert summary["subjects"] == len(stored)

    read: dict[str, dict[str, dict[str, object]]] = {}
    for group in root.iter(f"{ODM}ItemGroupData"):
        oid = group.get("ItemGroupOID")
        assert oid in groups
        values = {}
        for item in group.findall(f"{ODM}ItemData"):
            definition = item_defs[item.get("ItemOID")]  # every ItemData has its ItemDef
            assert item.get("ItemOID") in {
                r.get("ItemOID") for r in groups[oid].iter(f"{ODM}ItemRef")
            }
            values[definition.get("Name")] = _parse(definition.get("DataType"), item.get("Value"))
        read.setdefault(oid, {})[group.get("ItemGroupRepeatKey")] = values

    models = [m for _event, members in EVENTS for m, _path in members] + list(REFERENCE)
    # every form has records to compare, but the dose record (the import writes none: the service
    # keeps one when a dose is computed through it)
    assert [m.__name__ for m in models if not m.objects.exists()] == ["DosingRecord"]
    total = 0
    for model in models:
        got = read.get(f"IG.{model._meta.model_name.upper()}", {})
        assert len(got) == model.objects.count(), model
        for obj in model.objects.all():
            values = got[str(obj.pk)]
            for name, value in values.items():
                # an AE's attribution to each product is one item (ODM: one value per item)
                product = name.removeprefix("attribution_")
                stored_value = obj.attribution[product] if product != name else getattr(obj, name)
                if isinstance(stored_value, dict | list):
                    value = json.loads(value)
                assert value == stored_value, (model, obj.pk, name)
            # nothing stored was left out: every unwritten field is empty (a participant's site
            # is its SubjectData's SiteRef, checked above)
            if isinstance(obj, AdverseEvent):
                assert {f"attribution_{p}" for p in obj.attribution} <= set(values)
            for f in model._meta.concrete_fields:
                linked = f.name == "participant" or (model is Participant and f.name == "site")
                split = f.name == "attribution"  # written as one item per product, checked above
                if f.attname not in values and not f.primary_key and not linked and not split:
                    assert getattr(obj, f.attname) in (None, ""), (model, f.attname)
        total += len(got)
    assert summary["records"] == total


def test_audit_trail_signatures_users_and_locations(exported) -> None:
    from hyposti.service.audit import audit_verify
    from hyposti.service.models import AuditEntry, Signature

    path, summary, first, second = exported
    root = ET.parse(path).getroot()
    admin = root.find(f"{ODM}AdminData")
    users = {u.get("OID") for u in admin.findall(f"{ODM}User")}
    locations = {loc.get("OID") for loc in admin.findall(f"{ODM}Location")}
    meanings = {
        s.get("OID"): s.find(f"{ODM}Meaning").text for s in admin.iter(f"{ODM}SignatureDef")
    }
    for ref in root.iter(f"{ODM}UserRef"):
        assert ref.get("UserOID") in users
    for ref in root.iter(f"{ODM}LocationRef"):
        assert ref.get("LocationOID") in locations

    clinical = root.find(f"{ODM}ClinicalData")
    trail = clinical.findall(f"{ODM}AuditRecords/{ODM}AuditRecord")
    entries = list(AuditEntry.objects.order_by("seq"))
    assert len(trail) == len(entries) == summary["audit_records"]
    for record, entry in zip(trail, entries, strict=True):
        assert record.get("ID") == f"AR.{entry.seq}"
        assert record.find(f"{ODM}UserRef").get("UserOID") == f"USR.{entry.username}"
        stamp = dt.datetime.fromisoformat(record.find(f"{ODM}DateTimeStamp").text)
        assert stamp == entry.at
        reason = record.find(f"{ODM}ReasonForChange")
        assert (reason.text if reason is not None else "") == entry.reason
        assert entry.entry_hash in record.find(f"{ODM}SourceID").text

    signatures = clinical.findall(f"{ODM}Signatures/{ODM}Signature")
    assert len(signatures) == Signature.objects.count() == summary["signatures"] == 2
    for element, stored in zip(signatures, Signature.objects.order_by("pk"), strict=True):
        assert element.find(f"{ODM}UserRef").get("UserOID") == "USR.investigator"
        assert element.find(f"{ODM}LocationRef").get("LocationOID") == "LOC.PLAGH"
        assert meanings[element.find(f"{ODM}SignatureRef").get("SignatureOID")] == "review"
        assert dt.datetime.fromisoformat(element.find(f"{ODM}DateTimeStamp").text) == \
            stored.signed_at  # fmt: skip
        assert element.find(f"{ODM}CryptoBindingManifest").text == f"sha256:{stored.record_sha256}"

    aes = {g.get("ItemGroupRepeatKey"): g for g in clinical.iter(f"{ODM}ItemGroupData")
           if g.get("ItemGroupOID") == "IG.ADVERSEEVENT"}  # fmt: skip
    # the signature on AE 1 still holds; AE 2 changed after signing, so its signature lapsed
    assert aes[str(first.pk)].find(f"{ODM}Signature/{ODM}UserRef").get("UserOID") \
        == "USR.investigator"  # fmt: skip
    assert aes[str(second.pk)].find(f"{ODM}Signature") is None
    last = aes[str(second.pk)].find(f"{ODM}AuditRecord")
    assert last.find(f"{ODM}ReasonForChange").text == "source document verified"
    assert last.find(f"{ODM}UserRef").get("UserOID") == "USR.investigator"
    assert audit_verify().intact
