"""Define-XML 2.1 for an SDTM or ADaM package (CDISC Define-XML Specification v2.1, 2019).

ODM 1.3.2 with the def: 2.1 extensions: def:Standards (section 4.2.1), one ItemGroupDef per
dataset with def:Class and def:leaf (5.3.1), ItemDefs with origin and codelist (5.3.3),
value-level metadata through def:ValueListDef and def:WhereClauseDef (5.3.5-5.3.6), and the
CodeLists the variables use with their NCI codes where known (5.3.7).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from hyposti.standards.controlled_terminology import codelist, ct_version
from hyposti.standards.dataset_json import item_oid
from hyposti.standards.spec import Dataset, DomainSpec, Variable

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
DEF_NS = "http://www.cdisc.org/ns/def/v2.1"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ODM_NS)
ET.register_namespace("def", DEF_NS)
ET.register_namespace("xlink", XLINK_NS)

STANDARDS = {"SDTMIG 3.4": ("SDTMIG", "3.4", "SDTM"), "ADaMIG 1.3": ("ADaMIG", "1.3", "ADaM")}
ORIGINS = {"Collected", "Derived", "Assigned", "Protocol", "Predecessor", "Not Available"}


def _odm(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def _def(tag: str) -> str:
    return f"{{{DEF_NS}}}{tag}"


def _description(parent: ET.Element, text: str) -> None:
    d = ET.SubElement(parent, _odm("Description"))
    ET.SubElement(d, _odm("TranslatedText"), {XML_LANG: "en"}).text = text


def _vl_oid(dataset: str, variable: str, when_value: str) -> str:
    """OID of a variable's value-level ItemDef: its ItemDef OID and the where-clause value."""
    return f"{item_oid(dataset, variable)}.{when_value.replace(' ', '_')}"


def _data_type(v: Variable) -> str:
    # SDTM --DTC: ISO 8601 text (Define-XML 2.1 s4.3.2 "date"); ADaM numeric dates are integers.
    if v.iso8601:
        return "date"
    return {"text": "text", "integer": "integer", "float": "float", "date": "integer"}[v.dtype]


def _item_def(parent: ET.Element, oid: str, v: Variable, length: int | None) -> None:
    attrs = {"OID": oid, "Name": v.name, "DataType": _data_type(v), "SASFieldName": v.name}
    if length is not None:
        attrs["Length"] = str(length)
    if v.dtype == "date":
        attrs[_def("DisplayFormat")] = "DATE9."
    item = ET.SubElement(parent, _odm("ItemDef"), attrs)
    _description(item, v.label)
    if v.codelist:
        ET.SubElement(item, _odm("CodeListRef"), {"CodeListOID": f"CL.{v.codelist}"})
    origin = v.origin if v.origin in ORIGINS else "Derived"
    ET.SubElement(item, _def("Origin"), {"Type": origin})


def _length(dataset: Dataset, v: Variable) -> int | None:
    if v.dtype != "text" or v.iso8601:
        return None
    return max([1, *(len(s.encode("utf-8")) for s in dataset.frame[v.name])])


def define_xml(
    datasets: Sequence[Dataset],
    study_id: str,
    study_name: str,
    created: dt.datetime,
    extension: str,
) -> ET.ElementTree:
    """The define.xml document of one package (all datasets of one standard)."""
    standard = datasets[0].spec.standard
    ig_name, ig_version, ct_set = STANDARDS[standard]
    mdv_oid = metadata_version_oid(study_id, standard)
    odm = ET.Element(
        _odm("ODM"),
        {
            "ODMVersion": "1.3.2",
            "FileType": "Snapshot",
            "FileOID": f"{mdv_oid}.define",
            "CreationDateTime": created.isoformat(timespec="seconds"),
            "Originator": "hyposti",
            "SourceSystem": "hyposti",
            _def("Context"): "Submission",
        },
    )
    study = ET.SubElement(odm, _odm("Study"), {"OID": study_oid(study_id)})
    gv = ET.SubElement(study, _odm("GlobalVariables"))
    ET.SubElement(gv, _odm("StudyName")).text = study_id
    ET.SubElement(gv, _odm("StudyDescription")).text = study_name
    ET.SubElement(gv, _odm("ProtocolName")).text = study_id
    mdv = ET.SubElement(
        study,
        _odm("MetaDataVersion"),
        {"OID": mdv_oid, "Name": f"{study_id} {ig_name} {ig_version}",
         _def("DefineVersion"): "2.1.0"},
    )  # fmt: skip
    standards = ET.SubElement(mdv, _def("Standards"))
    ET.SubElement(
        standards,
        _def("Standard"),
        {"OID": "STD.IG", "Name": ig_name, "Type": "IG", "Version": ig_version, "Status": "Final"},
    )
    ET.SubElement(standards, _def("Standard"), {"OID": "STD.CT", "Name": "CDISC/NCI", "Type": "CT",
                  "PublishingSet": ct_set, "Version": ct_version(), "Status": "Final"})  # fmt: skip

    value_lists = [(d.spec, vl) for d in datasets for vl in d.spec.value_level]
    listed = {(spec.name, vl[0]) for spec, vl in value_lists}
    for key in sorted(listed):
        vld = ET.SubElement(mdv, _def("ValueListDef"), {"OID": f"VL.{key[0]}.{key[1]}"})
        for n, (spec, (var, when, value, _cl)) in enumerate(
            [x for x in value_lists if (x[0].name, x[1][0]) == key], start=1
        ):
            ref = ET.SubElement(vld, _odm("ItemRef"), {"ItemOID": _vl_oid(spec.name, var, value),
                                "OrderNumber": str(n), "Mandatory": "No"})  # fmt: skip
            ET.SubElement(
                ref,
                _def("WhereClauseRef"),
                {"WhereClauseOID": f"WC.{spec.name}.{when}.{value.replace(' ', '_')}"},
            )
    for spec, (_var, when, value, _cl) in value_lists:
        wc = ET.SubElement(
            mdv, _def("WhereClauseDef"), {"OID": f"WC.{spec.name}.{when}.{value.replace(' ', '_')}"}
        )
        rc = ET.SubElement(wc, _odm("RangeCheck"), {"Comparator": "EQ", "SoftHard": "Soft",
                           _def("ItemOID"): item_oid(spec.name, when)})  # fmt: skip
        ET.SubElement(rc, _odm("CheckValue")).text = value

    for d in datasets:
        _item_group(mdv, d.spec, extension)
    used: set[str] = set()
    for d in datasets:
        for v in d.spec.variables:
            _item_def(mdv, item_oid(d.name, v.name), v, _length(d, v))
            item = mdv[-1]
            if (d.name, v.name) in listed:
                ET.SubElement(item, _def("ValueListRef"), {"ValueListOID": f"VL.{d.name}.{v.name}"})
            if v.codelist:
                used.add(v.codelist)
        for var, _when, value, cl in d.spec.value_level:
            used.add(cl)
            vl_var = Variable(var, d.spec.variable(var).label, codelist=cl, origin="Collected")
            _item_def(mdv, _vl_oid(d.name, var, value), vl_var, None)
    for name in sorted(used):
        _codelist(mdv, name)
    for d in datasets:
        leaf = ET.SubElement(mdv, _def("leaf"), {"ID": f"LF.{d.name}",
                             f"{{{XLINK_NS}}}href": f"{d.name.lower()}.{extension}"})  # fmt: skip
        ET.SubElement(leaf, _def("title")).text = f"{d.name.lower()}.{extension}"
    ET.indent(odm)
    return ET.ElementTree(odm)


def _item_group(mdv: ET.Element, spec: DomainSpec, extension: str) -> None:
    analysis = spec.standard.startswith("ADaM")
    attrs = {
        "OID": f"IG.{spec.name}",
        "Name": spec.name,
        "SASDatasetName": spec.name,
        "Repeating": "No" if spec.name in ("DM", "ADSL") else "Yes",
        "IsReferenceData": "No" if spec.subject_level else "Yes",
        "Purpose": "Analysis" if analysis else "Tabulation",
        _def("Structure"): spec.structure,
        _def("StandardOID"): "STD.IG",
        _def("ArchiveLocationID"): f"LF.{spec.name}",
    }
    if not analysis and not spec.name.startswith("SUPP"):
        attrs["Domain"] = spec.name
    group = ET.SubElement(mdv, _odm("ItemGroupDef"), attrs)
    _description(group, spec.label)
    for n, v in enumerate(spec.variables, start=1):
        ref = {"ItemOID": item_oid(spec.name, v.name), "OrderNumber": str(n),
               "Mandatory": "Yes" if v.core == "Req" else "No"}  # fmt: skip
        if v.name in spec.keys:
            ref["KeySequence"] = str(spec.keys.index(v.name) + 1)
        ET.SubElement(group, _odm("ItemRef"), ref)
    ET.SubElement(group, _def("Class"), {"Name": spec.dataset_class})


def _codelist(mdv: ET.Element, name: str) -> None:
    cl = codelist(name)
    attrs = {"OID": f"CL.{name}", "Name": cl.name, "DataType": "text"}
    if cl.sponsor:
        attrs[_def("IsNonStandard")] = "Yes"
    else:
        attrs[_def("StandardOID")] = "STD.CT"
    element = ET.SubElement(mdv, _odm("CodeList"), attrs)
    for n, term in enumerate(cl.terms, start=1):
        ET.SubElement(element, _odm("EnumeratedItem"), {"CodedValue": term, "OrderNumber": str(n)})
    if cl.nci_code:
        ET.SubElement(element, _odm("Alias"), {"Name": cl.nci_code, "Context": "nci:ExtCodeID"})


def study_oid(study_id: str) -> str:
    return f"STDY.{study_id}"


def metadata_version_oid(study_id: str, standard: str) -> str:
    return f"MDV.{study_id}.{standard.replace(' ', '.')}"


def described_files(path: Path) -> dict[str, str] | None:
    """The dataset files a define.xml describes: each ItemGroupDef's Name and the file its
    def:leaf names (Define-XML 2.1 section 5.3.1, def:ArchiveLocationID to def:leaf xlink:href).

    None when the file is not well-formed XML: the schema check (HC0080) reports that.
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return None
    hrefs = {
        leaf.get("ID"): leaf.get(f"{{{XLINK_NS}}}href", "") for leaf in root.iter(_def("leaf"))
    }
    return {
        group.get("Name", ""): hrefs.get(group.get(_def("ArchiveLocationID")), "")
        for group in root.iter(_odm("ItemGroupDef"))
    }


def write_define(
    datasets: Sequence[Dataset], folder: Path, study_id: str, study_name: str,
    created: dt.datetime, extension: str,
) -> Path:  # fmt: skip
    """Write ``define.xml`` for the package into ``folder``."""
    path = folder / "define.xml"
    define_xml(datasets, study_id, study_name, created, extension).write(
        path, encoding="UTF-8", xml_declaration=True
    )
    return path
