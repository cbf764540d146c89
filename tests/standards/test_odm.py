"""ODM values as the ODM 1.3.2 data formats write them: worked by hand."""

import datetime as dt

import pytest

from hyposti.standards.odm import odm_datetime, odm_value


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
