"""Error messages: plain values (no NumPy reprs, NaN named, long text cut), each field once."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, field_validator, model_validator

from hyposti.bounds import InputRecord
from hyposti.errors import InputError, RecordError, parse_record, shown


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (np.int64(-6), "-6"),  # was "np.int64(-6)"
        (np.float64(2.5), "2.5"),
        (np.bool_(True), "True"),
        (float("nan"), "NaN"),  # was an empty-looking "nan" or nothing
        (np.float64("nan"), "NaN"),
        (None, "empty"),
        (pd.NaT, "empty"),
        (pd.NA, "empty"),
        (pd.Timestamp("2024-01-10"), "2024-01-10"),
        (dt.date(2024, 1, 10), "2024-01-10"),
        ("S01", "'S01'"),
    ],
)
def test_values_print_as_plain_python(value, text):
    assert shown(value) == text


def test_a_long_value_is_cut_at_300_characters_with_its_length():
    # repr adds a leading quote: 1 + 299 characters, then the length of the value itself
    assert shown("a" * 500) == "'" + "a" * 299 + "... (500 characters)"
    # 300 characters + 2 quotes = 302 > 300: cut; 298 + 2 = 300: shown whole
    assert shown("a" * 300) == "'" + "a" * 299 + "... (300 characters)"
    assert shown("a" * 298) == "'" + "a" * 298 + "'"


def test_input_error_names_field_value_and_rule():
    err = InputError("n", np.int64(-6), "must be >= 0")
    assert str(err) == "n = -6: must be >= 0"
    assert (err.field, err.rule) == ("n", "must be >= 0")


class _Visit(InputRecord):
    day: int
    weight_kg: float

    @field_validator("day")
    @classmethod
    def _not_negative(cls, day: int) -> int:
        if day < 0:
            raise InputError("day", day, "a study day here is >= 0")
        return day


class _Patient(BaseModel):
    visits: list[_Visit]
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _order(self) -> "_Patient":
        if self.end < self.start:
            raise InputError("end", self.end, f"is before start {self.start}")
        return self


def test_a_validator_error_names_its_field_once_without_pydantic_prefixes():
    data = {
        "visits": [{"day": 1, "weight_kg": 70}, {"day": -3, "weight_kg": "nan"}],
        "start": "2024-01-10",
        "end": "2024-01-10",
    }
    with pytest.raises(RecordError) as info:
        parse_record(_Patient, data, "patient")
    assert info.value.problems == [
        "visits[1].day = -3: a study day here is >= 0",  # once, not "day = ...: day = -3"
        "visits[1].weight_kg = 'nan': Input should be a finite number",
    ]
    assert str(info.value).startswith("patient: 2 problem(s)\n  - visits[1].day = -3")


def test_a_model_validator_error_names_its_field_not_the_whole_record():
    data = {"visits": [], "start": "2024-01-10", "end": "2024-01-09"}
    with pytest.raises(RecordError) as info:
        parse_record(_Patient, data)
    assert info.value.problems == ["end = 2024-01-09: is before start 2024-01-10"]
    assert info.value.record == "_Patient"


def test_json_text_is_parsed_and_a_missing_field_has_no_value():
    with pytest.raises(RecordError) as info:
        parse_record(_Visit, '{"day": 2}')
    assert info.value.problems == ["weight_kg: Field required"]
    assert parse_record(_Visit, '{"day": 2, "weight_kg": 70.5}').weight_kg == 70.5
