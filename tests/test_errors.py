"""Error messages: plain values (no NumPy reprs, NaN named, long text cut), each field once."""

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import BaseModel, field_validator, model_validator

from hyposti.bounds import InputRecord
from hyposti.design.outcomes import parse_outcomes
from hyposti.design.protocol_design import parse_dose_levels
from hyposti.eligibility.record import parse_screening_record
from hyposti.errors import (
    DataError,
    DatasetError,
    HypostiError,
    InputError,
    ProtocolError,
    RecordError,
    parse_record,
    shown,
)
from hyposti.protocol.loader import parse_protocol, shipped_protocol_path
from hyposti.safety.crs import CrsObservation
from hyposti.safety.dlt import parse_patient
from hyposti.twin.sweep import load_scenarios
from hyposti.virtual.parameters import default_parameters_path, load_parameters


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


# One hierarchy, closed: every public door (the protocol loader, each parse_* function, the
# parameter loaders, an engine record's constructor) refuses bad input with a HypostiError whose
# problem names the field at fault. The fields below are where each change was made by hand.
def _protocol_with(change: Callable[[dict[str, Any]], object]) -> str:
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["design"].pop("variant"), "design.variant"),
        (
            lambda d: d["expansion"]["response_design"].update(p1=0.05),
            "expansion.response_design.p1",
        ),
        (
            lambda d: d["expansion"]["toxicity_monitoring"].update(theta=1.5),
            "expansion.toxicity_monitoring.theta",
        ),
        (
            lambda d: d["investigational_product"]["dose_levels"][1].update(cells_per_kg="many"),
            "investigational_product.dose_levels[1].cells_per_kg",
        ),
        (lambda d: d["preconditioning"][0].update(dose_min=500), "preconditioning[0].dose_min"),
        (
            lambda d: d["eligibility"].update(age_range_years=[75, 18]),
            "eligibility.age_range_years",
        ),
        (lambda d: d["organ_function"].update(anc_min_10e9_per_l="x"), "organ_function.anc_min"),
        (
            lambda d: d["response"].update(confirmation_min_days=-3),
            "response.confirmation_min_days",
        ),
        (lambda d: d["dosing"].update(bsa_cap_m2=-1), "dosing.bsa_cap_m2"),
        (lambda d: d["schedule"].update(end_day=-5), "schedule.end_day"),
        (
            lambda d: d["toxicity_management"]["rules"][0].update(typo=1),
            "toxicity_management.rules[0].typo",
        ),
        (lambda d: d["dlt"].update(window_last_day="late"), "dlt.window_last_day"),
    ],
)
def test_the_protocol_loader_names_the_field_of_each_bad_sub_spec(change, field):
    with pytest.raises(HypostiError) as info:
        parse_protocol(_protocol_with(change), "changed.yaml")
    assert isinstance(info.value, ProtocolError)
    assert [p for p in info.value.problems if p.startswith(field)], info.value.problems


def _eligible() -> dict[str, Any]:
    path = Path(__file__).parent / "eligibility" / "fixtures" / "eligible.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("parse", "field"),
    [
        (
            lambda: parse_screening_record(_eligible() | {"screening_date": "2026-13-45"}),
            "screening_date",
        ),
        (
            lambda: parse_patient(
                {"patient_id": "P-001", "adverse_events": [{"grade": 9}]}, ("car_t",)
            ),
            "adverse_events[0].grade",
        ),
        (lambda: parse_outcomes("1NX", 3), "outcomes"),
        (lambda: parse_dose_levels("0"), "doses"),
        (lambda: CrsObservation(temperature_c=39.0, oxygen="helmet"), "oxygen"),
    ],
)
def test_each_parse_entry_point_names_the_field(parse, field):
    with pytest.raises(HypostiError) as info:
        parse()
    err = info.value
    named = err.problems if isinstance(err, RecordError) else [f"{err.field} = {err.value}"]
    assert [p for p in named if p.startswith(field)], named


def test_the_parameter_loaders_name_the_field(tmp_path):
    bad = tmp_path / "params.yaml"
    text = default_parameters_path().read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["screening"]["her2_max_percent"] = 150
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        load_parameters(bad)
    assert [p for p in info.value.problems if p.startswith("screening.her2_max_percent")]
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text("scenarios:\n  - gated: true\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenarios(scenarios)
    assert caught.value.field == "scenarios[0].name"


def test_dataset_error_lives_with_the_hierarchy():
    err = DatasetError([DataError("subjects", 2, "age_years", "value 130 is outside [0, 120]")])
    assert isinstance(err, HypostiError) and isinstance(err, DataError)
    assert "subjects row 2 column 'age_years'" in str(err)


def test_no_plain_runtime_error_is_raised():
    """An engine's broken guarantee is an EngineError, named; a RuntimeError would reach the user
    as a traceback."""
    src = Path(__file__).parents[1] / "src" / "hyposti"
    offenders = [
        f"{path.relative_to(src)}:{i}"
        for path in src.rglob("*.py")
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "raise RuntimeError(" in line
    ]
    assert offenders == []
