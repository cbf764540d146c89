"""A trial's operational record as a CDISC ODM 1.3.2 Snapshot document (CDISC ODM Specification
1.3.2, 2013): the study metadata, the clinical data with their audit records and signatures, and
the users, locations and signature meanings they refer to.

Pure: typed records in (``OdmContent``, built from the operations service's database by
hyposti.service.odm_source), an element tree out. Elements of the specification used: Study /
MetaDataVersion with Protocol, StudyEventDef, FormDef, ItemGroupDef, ItemDef and CodeList;
AdminData with User, Location and SignatureDef; ReferenceData for records of no one subject;
ClinicalData / SubjectData / StudyEventData / FormData / ItemGroupData / ItemData; AuditRecord
(UserRef, LocationRef, DateTimeStamp, ReasonForChange, SourceID) and Signature (UserRef,
LocationRef, SignatureRef, DateTimeStamp, CryptoBindingManifest) on the ItemGroupData they
concern and, every one of them, in the ClinicalData's AuditRecords and Signatures containers
(added in ODM 1.3.1). The order and attributes of each element are those of CDISC's ODM 1.3.2
XML schema, which every file written is checked against (hyposti.standards.xml_schema).

A Snapshot holds each record's current values: the old values of every change stay in the
service's hash-chained audit trail, which each AuditRecord names by entry number and hash.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from hyposti.standards.define_xml import ODM_NS, study_oid

DataType = Literal["text", "integer", "float", "date", "datetime", "boolean"]
EventType = Literal["Scheduled", "Unscheduled", "Common"]
UserType = Literal["Sponsor", "Investigator", "Lab", "Other"]
LocationType = Literal["Sponsor", "Site", "CRO", "Lab", "Other"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ODM_NS)


@dataclass(frozen=True)
class OdmItem:
    """An ItemDef: a field of a form, its ODM data type, length and coded values (code, decode)."""

    name: str
    label: str
    data_type: DataType
    length: int | None = None
    codes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OdmForm:
    """A FormDef with its one ItemGroupDef; ``event`` None for reference data (no subject)."""

    name: str
    label: str
    event: str | None
    repeating: bool
    items: tuple[OdmItem, ...]


@dataclass(frozen=True)
class OdmEvent:
    """A StudyEventDef: when in the trial its forms are filled."""

    name: str
    label: str
    event_type: EventType
    mandatory: bool


@dataclass(frozen=True)
class OdmAudit:
    """One audit trail entry: number, who, where, when, why, and what it changed (its source)."""

    seq: int
    user: str
    location: str
    at: dt.datetime
    reason: str
    source: str


@dataclass(frozen=True)
class OdmSignature:
    """One electronic signature: who, where, the meaning, when, and the signed version's hash."""

    number: int
    user: str
    location: str
    meaning: str
    at: dt.datetime
    record_sha256: str


@dataclass(frozen=True)
class OdmRecord:
    """One stored record: its form, repeat key, subject (None for reference data), its values by
    item name, the last audit entry that wrote it and the signature still valid on it."""

    form: str
    key: str
    subject: str | None
    values: Mapping[str, object]
    audit: OdmAudit | None = None
    signature: OdmSignature | None = None


@dataclass(frozen=True)
class OdmUser:
    login: str
    full_name: str
    user_type: UserType
    location: str


@dataclass(frozen=True)
class OdmLocation:
    code: str
    name: str
    location_type: LocationType


@dataclass(frozen=True)
class OdmContent:
    """Everything one ODM file holds."""

    study_id: str
    study_name: str
    created: dt.datetime
    events: tuple[OdmEvent, ...]
    forms: tuple[OdmForm, ...]
    subjects: Mapping[str, str]  # subject key -> site (location code)
    records: tuple[OdmRecord, ...]
    audits: tuple[OdmAudit, ...]
    signatures: tuple[OdmSignature, ...]
    users: tuple[OdmUser, ...]
    locations: tuple[OdmLocation, ...]
    #: signature meaning -> the legal reason a signer gives it (21 CFR 11.50(a)(3))
    meanings: Mapping[str, str] = field(default_factory=dict)
    source_version: str = ""


def _odm(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, attrs: Mapping[str, str] | None = None) -> ET.Element:
    return ET.SubElement(parent, _odm(tag), dict(attrs or {}))


def _translated(parent: ET.Element, tag: str, text: str) -> None:
    _sub(_sub(parent, tag), "TranslatedText", {XML_LANG: "en"}).text = text


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def odm_datetime(at: dt.datetime) -> str:
    """ODM datetime (ISO 8601 with its UTC offset, the specification's data formats); a naive time
    is refused."""
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} has no time zone: ODM datetimes carry their offset")
    return at.astimezone(dt.UTC).isoformat(timespec="seconds")


def odm_value(data_type: DataType, value: object) -> str | None:
    """A stored value as ODM writes it (the specification's data formats), or None if there is none.

    Floats in plain decimal notation (ODM float is xs:decimal: no exponent), exact to the float;
    booleans as xs:boolean; dates ISO 8601; JSON documents as compact JSON text."""
    if value is None or value == "":
        return None
    if data_type == "boolean":
        return "true" if value else "false"
    if data_type == "float":
        return format(Decimal(repr(float(value))), "f")  # type: ignore[arg-type]
    if data_type == "datetime" and isinstance(value, dt.datetime):
        return odm_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def item_oid(form: str, item: str) -> str:
    return f"IT.{form}.{item}"


def _audit_record(parent: ET.Element, audit: OdmAudit, with_id: bool) -> None:
    record = _sub(parent, "AuditRecord", {"ID": f"AR.{audit.seq}"} if with_id else {})
    _sub(record, "UserRef", {"UserOID": f"USR.{audit.user}"})
    _sub(record, "LocationRef", {"LocationOID": f"LOC.{audit.location}"})
    _sub(record, "DateTimeStamp").text = odm_datetime(audit.at)
    if audit.reason:
        _sub(record, "ReasonForChange").text = audit.reason
    _sub(record, "SourceID").text = audit.source


def _signature(parent: ET.Element, sig: OdmSignature, with_id: bool) -> None:
    element = _sub(parent, "Signature", {"ID": f"SG.{sig.number}"} if with_id else {})
    _sub(element, "UserRef", {"UserOID": f"USR.{sig.user}"})
    _sub(element, "LocationRef", {"LocationOID": f"LOC.{sig.location}"})
    _sub(element, "SignatureRef", {"SignatureOID": f"SD.{sig.meaning}"})
    _sub(element, "DateTimeStamp").text = odm_datetime(sig.at)
    _sub(element, "CryptoBindingManifest").text = f"sha256:{sig.record_sha256}"


def _metadata(study: ET.Element, content: OdmContent, mdv_oid: str) -> None:
    mdv = _sub(study, "MetaDataVersion", {"OID": mdv_oid,
               "Name": f"{content.study_id} operational data"})  # fmt: skip
    protocol = _sub(mdv, "Protocol")
    for n, event in enumerate(content.events, start=1):
        _sub(protocol, "StudyEventRef", {"StudyEventOID": f"SE.{event.name}",
             "OrderNumber": str(n), "Mandatory": _yes(event.mandatory)})  # fmt: skip
    for event in content.events:
        sed = _sub(mdv, "StudyEventDef", {"OID": f"SE.{event.name}", "Name": event.label,
                   "Repeating": "No", "Type": event.event_type})  # fmt: skip
        forms = [f for f in content.forms if f.event == event.name]
        for n, form in enumerate(forms, start=1):
            _sub(sed, "FormRef", {"FormOID": f"F.{form.name}", "OrderNumber": str(n),
                 "Mandatory": "No"})  # fmt: skip
    for form in content.forms:
        if form.event is None:
            continue
        fd = _sub(mdv, "FormDef", {"OID": f"F.{form.name}", "Name": form.label, "Repeating": "No"})
        _sub(fd, "ItemGroupRef", {"ItemGroupOID": f"IG.{form.name}", "Mandatory": "No"})
    for form in content.forms:
        ig = _sub(mdv, "ItemGroupDef", {"OID": f"IG.{form.name}", "Name": form.label,
                  "Repeating": _yes(form.repeating),
                  "IsReferenceData": _yes(form.event is None)})  # fmt: skip
        for n, item in enumerate(form.items, start=1):
            _sub(ig, "ItemRef", {"ItemOID": item_oid(form.name, item.name),
                 "OrderNumber": str(n), "Mandatory": "No"})  # fmt: skip
    for form in content.forms:
        for item in form.items:
            attrs = {"OID": item_oid(form.name, item.name), "Name": item.name,
                     "DataType": item.data_type}  # fmt: skip
            if item.length is not None:
                attrs["Length"] = str(item.length)
            idef = _sub(mdv, "ItemDef", attrs)
            _translated(idef, "Description", item.label)
            if item.codes:
                _sub(idef, "CodeListRef", {"CodeListOID": f"CL.{form.name}.{item.name}"})
    for form in content.forms:
        for item in form.items:
            if not item.codes:
                continue
            cl = _sub(mdv, "CodeList", {"OID": f"CL.{form.name}.{item.name}",
                      "Name": f"{form.label}: {item.label}", "DataType": "text"})  # fmt: skip
            for n, (code, decode) in enumerate(item.codes, start=1):
                cli = _sub(cl, "CodeListItem", {"CodedValue": code, "OrderNumber": str(n)})
                _translated(cli, "Decode", decode)


def _admin(odm: ET.Element, content: OdmContent, mdv_oid: str, effective: dt.date) -> None:
    admin = _sub(odm, "AdminData", {"StudyOID": study_oid(content.study_id)})
    for user in content.users:
        u = _sub(admin, "User", {"OID": f"USR.{user.login}", "UserType": user.user_type})
        _sub(u, "LoginName").text = user.login
        _sub(u, "FullName").text = user.full_name
        _sub(u, "LocationRef", {"LocationOID": f"LOC.{user.location}"})
    for loc in content.locations:
        location = _sub(admin, "Location", {"OID": f"LOC.{loc.code}", "Name": loc.name,
                        "LocationType": loc.location_type})  # fmt: skip
        _sub(location, "MetaDataVersionRef", {"StudyOID": study_oid(content.study_id),
             "MetaDataVersionOID": mdv_oid, "EffectiveDate": effective.isoformat()})  # fmt: skip
    for meaning, legal in content.meanings.items():
        sd = _sub(admin, "SignatureDef", {"OID": f"SD.{meaning}", "Methodology": "Electronic"})
        _sub(sd, "Meaning").text = meaning
        _sub(sd, "LegalReason").text = legal


def _item_group(parent: ET.Element, record: OdmRecord, form: OdmForm) -> None:
    group = _sub(parent, "ItemGroupData", {"ItemGroupOID": f"IG.{form.name}",
                 "ItemGroupRepeatKey": record.key})  # fmt: skip
    if record.audit is not None:
        _audit_record(group, record.audit, with_id=False)
    if record.signature is not None:
        _signature(group, record.signature, with_id=False)
    for item in form.items:
        text = odm_value(item.data_type, record.values.get(item.name))
        if text is not None:
            _sub(group, "ItemData", {"ItemOID": item_oid(form.name, item.name), "Value": text})


def odm_document(content: OdmContent) -> ET.ElementTree:
    """The ODM 1.3.2 Snapshot document of ``content``."""
    created = odm_datetime(content.created)
    mdv_oid = f"MDV.{content.study_id}.operations"
    odm = ET.Element(_odm("ODM"), {
        "FileType": "Snapshot", "Granularity": "All", "FileOID": f"{content.study_id}.{created}",
        "CreationDateTime": created, "AsOfDateTime": created, "ODMVersion": "1.3.2",
        "Originator": "hyposti", "SourceSystem": "hyposti",
        "SourceSystemVersion": content.source_version or "unknown",
    })  # fmt: skip
    study = _sub(odm, "Study", {"OID": study_oid(content.study_id)})
    gv = _sub(study, "GlobalVariables")
    _sub(gv, "StudyName").text = content.study_id
    _sub(gv, "StudyDescription").text = content.study_name
    _sub(gv, "ProtocolName").text = content.study_id
    _metadata(study, content, mdv_oid)
    first = min((a.at for a in content.audits), default=content.created)
    _admin(odm, content, mdv_oid, first.astimezone(dt.UTC).date())

    forms = {f.name: f for f in content.forms}
    reference = [r for r in content.records if r.subject is None]
    if reference:
        ref = _sub(odm, "ReferenceData", {"StudyOID": study_oid(content.study_id),
                   "MetaDataVersionOID": mdv_oid})  # fmt: skip
        for record in reference:
            _item_group(ref, record, forms[record.form])
    clinical = _sub(odm, "ClinicalData", {"StudyOID": study_oid(content.study_id),
                    "MetaDataVersionOID": mdv_oid})  # fmt: skip
    by_subject: dict[str, list[OdmRecord]] = {s: [] for s in content.subjects}
    for record in content.records:
        if record.subject is not None:
            by_subject[record.subject].append(record)
    for subject, site in content.subjects.items():
        sd = _sub(clinical, "SubjectData", {"SubjectKey": subject})
        _sub(sd, "SiteRef", {"LocationOID": f"LOC.{site}"})
        for event in content.events:
            in_event = [f for f in content.forms if f.event == event.name]
            records = {f.name: [r for r in by_subject[subject] if r.form == f.name]
                       for f in in_event}  # fmt: skip
            if not any(records.values()):
                continue
            sed = _sub(sd, "StudyEventData", {"StudyEventOID": f"SE.{event.name}"})
            for form in in_event:
                if not records[form.name]:
                    continue
                fd = _sub(sed, "FormData", {"FormOID": f"F.{form.name}"})
                for record in records[form.name]:
                    _item_group(fd, record, form)
    if content.audits:
        container = _sub(clinical, "AuditRecords")
        for audit in content.audits:
            _audit_record(container, audit, with_id=True)
    if content.signatures:
        container = _sub(clinical, "Signatures")
        for sig in content.signatures:
            _signature(container, sig, with_id=True)
    ET.indent(odm)
    return ET.ElementTree(odm)


def write_odm(content: OdmContent, path: str | Path) -> Path:
    """Write the ODM document to ``path`` (UTF-8, with the XML declaration)."""
    out = Path(path)
    odm_document(content).write(out, encoding="UTF-8", xml_declaration=True)
    return out
