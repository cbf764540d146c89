"""What commands read: protocol and parameter files through the one input-file reader.

Every file a user names is read by `hyposti.data.input_file` (JSON records) or
`hyposti.data.csv_table` (CSV tables), so that a missing, empty, binary or folder path is refused
the same way, naming the option, the path and the rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hyposti.data.input_file import read_text

if TYPE_CHECKING:
    from hyposti.protocol import Protocol
    from hyposti.virtual.parameters import SimulationParameters


def protocol_option(path: Path | None, name: str = "--protocol") -> Protocol:
    """The protocol file given as ``name``, or the shipped NCT05681650 protocol when ``None``."""
    from hyposti.protocol import load_protocol, parse_protocol

    if path is None:
        return load_protocol()
    return parse_protocol(read_text(name, path), str(path))


def params_option(path: Path | None) -> SimulationParameters:
    """The simulation parameter file given as --params, or the shipped defaults when ``None``."""
    from hyposti.protocol.loader import parse_yaml_model
    from hyposti.virtual.parameters import SimulationParameters, load_parameters

    if path is None:
        return load_parameters(None)
    return parse_yaml_model(read_text("--params", path), str(path), SimulationParameters)
