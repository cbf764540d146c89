"""What commands read: protocol and parameter files through the one input-file reader.

Every file a user names is read by `hyposti.data.input_file` (JSON records) or
`hyposti.data.csv_table` (CSV tables), so that a missing, empty, binary or folder path is refused
the same way, naming the option, the path and the rule.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from hyposti.data.input_file import read_text
from hyposti.errors import InputError

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


def parse_date(option: str, text: str) -> dt.date:
    """An ISO 8601 date typed as ``option``, or an InputError naming the option and the value.

    A value written YYYY-MM-DD that is no day of the calendar (2026-02-30) is told so, with the
    part that is out of range, rather than to be written in the form it already has.
    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise InputError(option, text, f"is not a day of the calendar: {exc}") from None
        raise InputError(option, text, "must be a date YYYY-MM-DD") from None
