"""The dosing section: shipped defaults and refused edits."""

import pytest
import yaml

from hyposti.errors import ProtocolError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path
from hyposti.protocol.dosing_spec import DosingSpec


def _with(mutate) -> str:
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False)


def test_shipped_defaults_are_sponsor_editable():
    spec = load_protocol().dosing
    assert DosingSpec.sponsor_editable
    assert (spec.bsa_formula, spec.bsa_cap_m2, spec.bsa_decimals) == ("mosteller", None, 2)
    assert spec.cells_significant_figures == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bsa_formula": "haycock"}, "bsa_formula"),
        ({"bsa_cap_m2": 0}, "bsa_cap_m2"),
        ({"weight_kg_plausible": [250, 30]}, "0 < low < high"),
        ({"mg_rounding_step": -5}, "mg_rounding_step"),
    ],
)
def test_invalid_dosing_edits_are_reported(changes, message):
    with pytest.raises(ProtocolError, match=message):
        parse_protocol(_with(lambda d: d["dosing"].update(changes)), "edited")
