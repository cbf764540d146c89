"""A protocol is frozen all the way down: it cannot be changed by whoever holds it, it is equal
and hashes equal to another load of the same file, and its JSON form is still the file's."""

import datetime as dt
import functools
import json
import pickle

import pytest
import yaml

from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path
from hyposti.protocol.common import FrozenMapping

TEXT = shipped_protocol_path().read_text(encoding="utf-8")


def test_two_loads_of_one_file_are_one_cache_key_and_a_changed_dose_another():
    first, second = parse_protocol(TEXT, "a"), parse_protocol(TEXT, "b")
    assert first is not second
    assert first == second and hash(first) == hash(second)
    # The shipped file's third dose level, 1x10^7 cells/kg, raised to 2x10^7.
    assert TEXT.count("cells_per_kg: 1.0e+7") == 1
    changed = parse_protocol(TEXT.replace("cells_per_kg: 1.0e+7", "cells_per_kg: 2.0e+7"), "c")
    assert changed.investigational_product.dose_levels[2].cells_per_kg == 2e7
    assert changed != first

    calls = []

    @functools.cache
    def top_dose(protocol):
        calls.append(protocol)
        return protocol.investigational_product.dose_levels[-1].cells_per_kg

    assert [top_dose(p) for p in (first, second, changed)] == [1e7, 1e7, 2e7]
    assert calls == [first, changed]


def test_the_shared_protocol_cannot_be_changed_through_its_parts():
    protocol = load_protocol()
    with pytest.raises(AttributeError):
        protocol.endpoints.append(protocol.endpoints[0])
    table = protocol.corticosteroid_equivalence.equivalent_dose_mg
    with pytest.raises(TypeError):
        table["prednisone"] = 1.0
    # Liu et al. 2013, Table 1: dexamethasone 0.75 mg = prednisone 5 mg.
    assert (table["prednisone"], table["dexamethasone"]) == (5.0, 0.75)


def _as_json(value):
    """A YAML value as JSON writes it (dates in ISO 8601)."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def test_the_json_form_is_the_files_content():
    written = json.loads(load_protocol().model_dump_json(exclude_unset=True))
    assert written == _as_json(yaml.safe_load(TEXT))


def test_frozen_mapping_equals_and_hashes_by_its_items():
    a = FrozenMapping({"x": 1.0, "y": 2.0})
    b = FrozenMapping({"y": 2.0, "x": 1.0})
    assert a == b == {"x": 1.0, "y": 2.0} and hash(a) == hash(b)
    assert a != FrozenMapping({"x": 1.0, "y": 3.0})
    assert (list(a), len(a), a.get("z")) == (["x", "y"], 2, None)


def test_a_protocol_survives_pickling_as_it_goes_to_a_worker_process():
    protocol = load_protocol()
    again = pickle.loads(pickle.dumps(protocol))
    assert again == protocol and hash(again) == hash(protocol)
