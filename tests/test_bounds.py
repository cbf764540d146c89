"""Shared input bounds: range ends accepted, one step beyond refused, ids as sites write them."""

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from hyposti.bounds import Identifier, LesionMm, TrialDate, check_trial_date
from hyposti.errors import InputError


@pytest.mark.parametrize("day", [dt.date(1900, 1, 1), dt.date(2199, 12, 31)])
def test_the_ends_of_the_trial_date_range_are_accepted(day):
    assert check_trial_date(day) == day
    assert TypeAdapter(TrialDate).validate_python(day.isoformat()) == day


@pytest.mark.parametrize("day", [dt.date(1899, 12, 31), dt.date(2200, 1, 1)])
def test_one_day_beyond_the_range_is_refused(day):
    with pytest.raises(InputError) as info:
        check_trial_date(day, "visit_date")
    assert str(info.value) == (
        f"visit_date = {day}: a trial date lies between 1900-01-01 and 2199-12-31"
    )
    with pytest.raises(ValidationError):
        TypeAdapter(TrialDate).validate_python(day)


@pytest.mark.parametrize("value", ["HER2-001", "T1.a", "site 3/012", "P#7", "NT(2)", "x" * 64])
def test_identifiers_as_sites_write_them_are_accepted(value):
    assert TypeAdapter(Identifier).validate_python(value) == value


@pytest.mark.parametrize("value", ["", " P1", "-P1", "P1\n", "P1;DROP", "x" * 65])
def test_empty_padded_control_or_overlong_identifiers_are_refused(value):
    with pytest.raises(ValidationError):
        TypeAdapter(Identifier).validate_python(value)


@pytest.mark.parametrize(
    ("value", "ok"), [(0, True), (1000, True), (1000.01, False), (-0.1, False)]
)
def test_lesion_diameters_run_from_0_to_1000_mm(value, ok):
    adapter = TypeAdapter(LesionMm)
    if ok:
        assert adapter.validate_python(value) == value
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
