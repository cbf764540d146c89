"""What every criterion evaluator reads: the record, the protocol and the evaluation date."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from hyposti.eligibility.record import ScreeningRecord
from hyposti.protocol import Protocol


@dataclass(frozen=True)
class ScreeningContext:
    record: ScreeningRecord
    protocol: Protocol
    today: dt.date


def at_most(value: float, limit: float) -> bool:
    """``value <= limit`` robust to binary rounding (1.5 x 1.2 is 1.7999999999999998 in floats)."""
    return value <= limit or math.isclose(value, limit, rel_tol=1e-9)


def at_least(value: float, limit: float) -> bool:
    """``value >= limit`` robust to binary rounding."""
    return value >= limit or math.isclose(value, limit, rel_tol=1e-9)


def fmt(value: float) -> str:
    """A number as a coordinator writes it: no trailing zeros, up to 4 significant decimals."""
    return f"{value:.4g}" if -1e5 < value < 1e5 else f"{value:.3e}"
