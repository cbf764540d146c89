"""The protocol as data: a pydantic schema and a loader; NCT05681650 ships as package data."""

from hyposti.protocol.loader import load_protocol, parse_protocol, shipped_protocol_path
from hyposti.protocol.model import DoseLevel, Protocol

__all__ = ["DoseLevel", "Protocol", "load_protocol", "parse_protocol", "shipped_protocol_path"]
