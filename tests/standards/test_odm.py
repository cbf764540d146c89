"""ODM values as the ODM 1.3.2 data formats write them: worked by hand."""

import datetime as dt

import pytest

from hyposti.standards.odm import (
    OdmAudit,
    OdmContent,
    OdmEvent,
    OdmForm,
    OdmItem,
    OdmLocation,
    OdmRecord,
    OdmSignature,
    OdmUser,
    odm_datetime,
    odm_value,
)


def test_floats_are_plain_decimals_exact_to_the_float():
    # ODM's float type is xs:decimal: no exponent, so 1e-05 is 0.00001 and 1.5e20 is written out
    assert odm_value("float", 1e-05) == "0.00001"
    assert odm_value("float", 1.5e20) == "150000000000000000000"
    assert odm_value("float", 61.0) == "61.0"
    assert float(odm_value("float", 0.1 + 0.2)) == 0.1 + 0.2  # 0.30000000000000004 kept


def test_other_values():
    assert (odm_value("boolean", False), odm_value("boolean", True)) == ("false", "true")
    assert odm_value("date", dt.date(2024, 1, 10)) == "2024-01-10"
    assert odm_value("text", {"b": 1, "a": [2]}) == '{"a":[2],"b":1}'
    assert odm_value("text", "") is None and odm_value("integer", None) is None


def test_datetimes_carry_their_offset():
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert (
        odm_datetime(dt.datetime(2026, 11, 20, 17, 0, tzinfo=beijing))
        == "2026-11-20T09:00:00+00:00"
    )
    with pytest.raises(ValueError, match="no time zone"):
        odm_datetime(dt.datetime(2026, 11, 20, 9, 0))


def _content():
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    audit = OdmAudit(1, "crc", "PLAGH", at, "first entry", "create adverseevent 1")
    sig = OdmSignature(1, "inv", "PLAGH", "review", at, "ab" * 32)
    form = OdmForm("AE", "Adverse event", "FOLLOWUP", True, (
        OdmItem("term", "term", "text", 200), OdmItem("grade", "grade", "integer"),
        OdmItem("serious", "serious", "boolean"),
        OdmItem("scale", "scale", "text", 30, (("CTCAE v5.0", "CTCAE v5.0"),)),
    ))  # fmt: skip
    return OdmContent(
        study_id="NCT05681650", study_name="test", created=at,
        events=(OdmEvent("FOLLOWUP", "Follow-up", "Common", False),), forms=(form,),
        subjects={"S01": "PLAGH"},
        records=(OdmRecord("AE", "1", "S01", {"term": "Fatigue", "grade": 2, "serious": False,
                                              "scale": "CTCAE v5.0"}, audit, sig),),
        audits=(audit,), signatures=(sig,),
        users=(OdmUser("crc", "C R C", "Sponsor", "PLAGH"),
               OdmUser("inv", "Dr I", "Investigator", "PLAGH")),
        locations=(OdmLocation("PLAGH", "PLA General Hospital", "Site"),),
        meanings={"review": "reviewed"},
    )  # fmt: skip


def test_a_hand_built_odm_file_is_schema_valid_and_a_broken_one_is_reported(tmp_path):
    """The CDISC ODM 1.3.2 XSD accepts the file; a Signature without its SignatureRef (required
    by the schema) is reported as HC0080 at its line by `export check`."""
    from hyposti.standards.conformance import check_folder
    from hyposti.standards.odm import write_odm

    path = write_odm(_content(), tmp_path / "trial.xml")
    assert check_folder(tmp_path) == []
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "<SignatureRef" in line)
    del lines[at]
    path.write_text("".join(lines), encoding="utf-8")
    findings = check_folder(tmp_path)
    assert findings and {(f.rule_id, f.domain) for f in findings} == {("HC0080", "trial.xml")}
    assert any("SignatureRef" in f.message for f in findings)
