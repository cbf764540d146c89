"""The protocol as data: a pydantic schema and a loader; NCT05681650 ships as package data.

The names below load on first use (PEP 562), so that a rule module importing one section's spec
(`hyposti.protocol.safety_spec`) does not load the whole protocol model and the YAML reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyposti.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from hyposti.protocol.loader import load_protocol, parse_protocol, shipped_protocol_path
    from hyposti.protocol.model import DoseLevel, Protocol

_SOURCE = {
    "load_protocol": "loader",
    "parse_protocol": "loader",
    "shipped_protocol_path": "loader",
    "DoseLevel": "model",
    "Protocol": "model",
}

__all__ = ["DoseLevel", "Protocol", "load_protocol", "parse_protocol", "shipped_protocol_path"]

__getattr__, __dir__ = lazy_exports(__name__, _SOURCE, globals())
