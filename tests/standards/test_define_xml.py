"""define.xml holds together by Define-XML 2.1's own rules: every reference resolves, OIDs are
unique, each dataset file has its ItemGroupDef and leaf, keys and codelists are declared."""

import xml.etree.ElementTree as ET

import pytest

ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
DEF = "{http://www.cdisc.org/ns/def/v2.1}"
XLINK = "{http://www.w3.org/1999/xlink}"


@pytest.mark.parametrize("kind", ["sdtm", "adam"])
@pytest.mark.parametrize("fmt", ["xpt", "json"])
def test_define_references_resolve(synthetic_packages, kind, fmt):
    built, folders = synthetic_packages
    folder = folders[(kind, fmt)]
    root = ET.parse(folder / "define.xml").getroot()
    assert root.tag == f"{ODM}ODM" and root.get("ODMVersion") == "1.3.2"
    mdv = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    assert mdv.get(f"{DEF}DefineVersion") == "2.1.0"
    oids = [e.get("OID") for e in mdv.iter() if e.get("OID")]
    assert len(oids) == len(set(oids))
    items = {e.get("OID"): e for e in mdv.findall(f"{ODM}ItemDef")}
    codelists = {e.get("OID") for e in mdv.findall(f"{ODM}CodeList")}
    leaves = {e.get("ID"): e.get(f"{XLINK}href") for e in mdv.findall(f"{DEF}leaf")}
    wheres = {e.get("OID") for e in mdv.findall(f"{DEF}WhereClauseDef")}
    groups = {g.get("Name"): g for g in mdv.findall(f"{ODM}ItemGroupDef")}
    assert set(groups) == {d.name for d in built[kind]}
    for d in built[kind]:
        group = groups[d.name]
        href = leaves[group.get(f"{DEF}ArchiveLocationID")]
        assert href == f"{d.name.lower()}.{fmt}" and (folder / href).exists()
        refs = group.findall(f"{ODM}ItemRef")
        assert [items[r.get("ItemOID")].get("Name") for r in refs] == list(d.spec.names)
        keyed = sorted((int(r.get("KeySequence")), items[r.get("ItemOID")].get("Name"))
                       for r in refs if r.get("KeySequence"))  # fmt: skip
        assert [name for _, name in keyed] == list(d.spec.keys)
        assert group.find(f"{DEF}Class").get("Name") == d.spec.dataset_class
    for item in items.values():
        ref = item.find(f"{ODM}CodeListRef")
        if ref is not None:
            assert ref.get("CodeListOID") in codelists
        assert len(item.get("Name")) <= 8
    for vl in mdv.findall(f"{DEF}ValueListDef"):
        for ref in vl.findall(f"{ODM}ItemRef"):
            assert ref.get("ItemOID") in items
            assert ref.find(f"{DEF}WhereClauseRef").get("WhereClauseOID") in wheres


def test_codelists_carry_ct_version_and_nci_codes(synthetic_packages):
    _built, folders = synthetic_packages
    root = ET.parse(folders[("sdtm", "xpt")] / "define.xml").getroot()
    mdv = root.find(f"{ODM}Study/{ODM}MetaDataVersion")
    ct = next(s for s in mdv.iter(f"{DEF}Standard") if s.get("Type") == "CT")
    assert ct.get("Version") == "2024-09-27"
    sex = next(c for c in mdv.findall(f"{ODM}CodeList") if c.get("OID") == "CL.SEX")
    assert [e.get("CodedValue") for e in sex.findall(f"{ODM}EnumeratedItem")] == [
        "F",
        "M",
        "U",
        "UNDIFFERENTIATED",
    ]
    assert sex.find(f"{ODM}Alias").get("Name") == "C66731"


@pytest.mark.parametrize("kind", ["sdtm", "adam"])
@pytest.mark.parametrize("fmt", ["xpt", "json"])
def test_define_is_valid_against_the_define_xml_2_1_schema(synthetic_packages, kind, fmt):
    """CDISC's Define-XML 2.1 XSD (which redefines the ODM 1.3.2 schema), checked by libxml2."""
    from hyposti.standards.xml_schema import schema_problems

    _built, folders = synthetic_packages
    schema, problems = schema_problems(folders[(kind, fmt)] / "define.xml")
    assert schema == "Define-XML 2.1"
    assert problems == []
