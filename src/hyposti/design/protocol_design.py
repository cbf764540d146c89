"""Builds a dose-finding design from the protocol's design section, and names its dose levels.

The protocol is data (DESIGN.md): method, 3+3 variant, cohort size, start dose, target, skeleton
and sample-size cap come from `load_protocol().design`; dose levels from
`investigational_product.dose_levels`, which must increase strictly (a dose-escalation design
assumes DLT risk rises with dose; Storer 1989).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hyposti.design.boin import Boin
from hyposti.design.crm import Crm
from hyposti.design.decision import Design
from hyposti.design.three_plus_three import ThreePlusThree
from hyposti.errors import InputError
from hyposti.protocol import Protocol

METHODS = ("3+3", "boin", "crm")


def _amount(value: float) -> str:
    """1e6, 3e6, 1.5e7: the way dose levels are written in the protocol ("3x10^6 cells/kg")."""
    exponent = math.floor(math.log10(value))
    mantissa = value / 10**exponent
    return f"{mantissa:g}e{exponent}" if exponent >= 3 else f"{value:g}"


def design_title(design: Design) -> str:
    """The design as people name it: "3+3 conventional, cohorts of 3", "BOIN, target 0.3, cohorts
    of 3, at most 30 patients" (its repr, with every parameter, is for JSON and logs)."""
    cap = "" if design.max_n is None else f", at most {design.max_n} patients"
    if isinstance(design, ThreePlusThree):
        name = f"3+3 {design.variant_name}"
    elif isinstance(design, Boin):
        name = f"BOIN, target {design.target:g}"
    elif isinstance(design, Crm):
        skeleton = "/".join(f"{s:g}" for s in design.skeleton)
        name = f"CRM, target {design.target:g}, skeleton {skeleton}"
    else:
        name = type(design).__name__
    return f"{name}, cohorts of {design.cohort_size}{cap}"


@dataclass(frozen=True)
class DoseLevels:
    """The dose levels of a trial: their number and, when known, the cells/kg of each."""

    count: int
    cells_per_kg: tuple[float, ...] | None = None

    def label(self, dose: int) -> str:
        if self.cells_per_kg is None:
            return f"dose {dose}"
        return f"dose {dose} ({_amount(self.cells_per_kg[dose - 1])} cells/kg)"


def check_increasing(values: Sequence[float], field: str) -> None:
    """Dose levels must be positive and strictly increasing; the error names the field."""
    for index, value in enumerate(values):
        if not value > 0:
            raise InputError(f"{field}[{index}]", value, "a dose level must be positive")
    for index in range(1, len(values)):
        if values[index] <= values[index - 1]:
            raise InputError(
                f"{field}[{index}]",
                values[index],
                f"dose levels must increase strictly; {values[index]:g} is not above "
                f"{values[index - 1]:g} (level {index})",
            )


def protocol_dose_levels(protocol: Protocol) -> DoseLevels:
    amounts = [level.cells_per_kg for level in protocol.investigational_product.dose_levels]
    check_increasing(amounts, "investigational_product.dose_levels")
    return DoseLevels(count=len(amounts), cells_per_kg=tuple(amounts))


def parse_dose_levels(text: str) -> DoseLevels:
    """``--doses``: a count ("5") or the cells/kg of each level ("1e6,3e6,1e7")."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1 and parts[0].isdigit():
        count = int(parts[0])
        if count < 1:
            raise InputError("doses", text, "needs at least one dose level")
        return DoseLevels(count=count)
    try:
        amounts = [float(p) for p in parts]
    except ValueError:
        raise InputError(
            "doses", text, "give a number of dose levels (5) or cells/kg per level (1e6,3e6,1e7)"
        ) from None
    if not amounts:
        raise InputError("doses", text, "needs at least one dose level")
    check_increasing(amounts, "doses")
    return DoseLevels(count=len(amounts), cells_per_kg=tuple(amounts))


def build_design(
    method: str,
    num_doses: int,
    *,
    variant: str | None = None,
    target: float | None = None,
    skeleton: Sequence[float] | None = None,
    cohort_size: int = 3,
    start_dose: int = 1,
    max_n: int | None = None,
    n_earlystop: int | None = None,
) -> Design:
    """One entry point for every design, with errors naming the missing or invalid option."""
    if method == "3+3":
        return ThreePlusThree.variant(
            variant or "conventional",
            num_doses,
            cohort_size=cohort_size,
            start_dose=start_dose,
            max_n=max_n,
        )
    if method not in METHODS:
        raise InputError("design", method, f"must be one of {', '.join(METHODS)}")
    if target is None:
        raise InputError("target", None, f"the {method} design needs a target DLT probability")
    if max_n is None:
        raise InputError("max_n", None, f"the {method} design needs a maximum sample size")
    if method == "boin":
        return Boin(
            num_doses=num_doses,
            target=target,
            max_n=max_n,
            cohort_size=cohort_size,
            start_dose=start_dose,
            n_earlystop=n_earlystop,
        )
    if not skeleton:
        raise InputError("skeleton", skeleton, "the crm design needs a skeleton (one per dose)")
    return Crm(
        num_doses=num_doses,
        target=target,
        skeleton=tuple(skeleton),
        max_n=max_n,
        cohort_size=cohort_size,
        start_dose=start_dose,
    )


def design_from_protocol(protocol: Protocol) -> Design:
    """The design in force in the protocol file (NCT05681650: conventional 3+3, cohorts of 3)."""
    spec = protocol.design
    levels = protocol_dose_levels(protocol)
    return build_design(
        spec.method,
        levels.count,
        variant=spec.variant,
        target=spec.target_toxicity,
        skeleton=spec.skeleton,
        cohort_size=spec.cohort_size,
        start_dose=spec.start_dose,
        max_n=spec.max_n,
    )
