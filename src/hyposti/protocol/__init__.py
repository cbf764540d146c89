"""The protocol as data: a pydantic schema and a loader; NCT05681650 ships as package data.

The names below load on first use (PEP 562), so that a rule module importing one section's spec
(`hyposti.protocol.safety_spec`) does not load the whole protocol model and the YAML reader.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name not in _SOURCE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_SOURCE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
