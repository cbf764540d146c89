"""Rounding of reported doses: half-up in decimal arithmetic, so 1.825 m2 becomes 1.83 m2."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int) -> float:
    """Round to ``decimals`` places, halves away from zero (pharmacy convention, not banker's)."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP))


def round_to_step(value: float, step: float) -> float:
    """Round to the nearest multiple of ``step`` (e.g. 5 mg), halves up."""
    units = (Decimal(repr(value)) / Decimal(repr(step))).quantize(Decimal(1), ROUND_HALF_UP)
    return float(units * Decimal(repr(step)))


def round_significant(value: float, figures: int) -> float:
    """Round to ``figures`` significant figures, halves up (7.035e7 -> 7.04e7 at 3)."""
    if value == 0:
        return 0.0
    exponent = Decimal(repr(value)).adjusted()
    return round_half_up(value, figures - 1 - exponent)
