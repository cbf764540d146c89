"""Body surface area from height and weight: Mosteller (default) and DuBois formulas."""

from __future__ import annotations

import math

from hyposti.errors import InputError
from hyposti.protocol.dosing_spec import BsaFormula


def mosteller(height_cm: float, weight_kg: float) -> float:
    """BSA (m2) = sqrt(height cm x weight kg / 3600); Mosteller RD 1987, N Engl J Med 317:1098."""
    return math.sqrt(height_cm * weight_kg / 3600)


def dubois(height_cm: float, weight_kg: float) -> float:
    """BSA (m2) = 0.007184 x weight^0.425 x height^0.725; DuBois D, DuBois EF 1916, Arch Intern
    Med 17:863 (their log A = 0.425 log W + 0.725 log H + 1.8564, A in cm2)."""
    return float(0.007184 * weight_kg**0.425 * height_cm**0.725)


FORMULAS = {"mosteller": mosteller, "dubois": dubois}


def check_body_size(
    weight_kg: float,
    height_cm: float | None,
    weight_range: tuple[float, float],
    height_range: tuple[float, float],
) -> None:
    """Refuse a weight or height that is not a finite positive number inside the plausible range."""
    for field, value, (low, high), unit in (
        ("weight_kg", weight_kg, weight_range, "kg"),
        ("height_cm", height_cm, height_range, "cm"),
    ):
        if value is None:
            continue
        if not math.isfinite(value) or value <= 0:
            raise InputError(field, value, "must be a positive number")
        if not low <= value <= high:
            raise InputError(
                field,
                value,
                f"implausible for an adult: the protocol accepts "
                f"{low:g}-{high:g} {unit}; check the units and the entry",
            )


def body_surface_area(height_cm: float, weight_kg: float, formula: BsaFormula) -> float:
    """Unrounded BSA in m2 by the named formula."""
    if formula not in FORMULAS:
        raise InputError("bsa_formula", formula, f"must be one of {', '.join(FORMULAS)}")
    return FORMULAS[formula](height_cm, weight_kg)
