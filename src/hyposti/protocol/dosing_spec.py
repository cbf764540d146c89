"""The protocol's dosing rules: BSA formula and cap, rounding, plausible body sizes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.protocol.common import Strict

BsaFormula = Literal["mosteller", "dubois"]


class DosingSpec(Strict):
    """How per-patient doses are computed; the registry gives ranges only, so these are defaults.

    Rounding is half-up and applied once to each reported quantity: BSA to ``bsa_decimals``
    (the rounded, capped BSA is the one dosed, as a pharmacy order shows it), each chemotherapy
    dose to the nearest ``mg_rounding_step``, the CAR-T total to ``cells_significant_figures``.
    """

    sponsor_editable = True

    bsa_formula: BsaFormula = Field(description="Default formula (Mosteller 1987 or DuBois 1916).")
    bsa_cap_m2: float | None = Field(
        gt=0, description="BSA used for dosing never exceeds this; null means no cap."
    )
    bsa_decimals: int = Field(ge=0, le=4)
    mg_rounding_step: float = Field(gt=0, description="Chemotherapy mg rounded to a multiple.")
    cells_significant_figures: int = Field(ge=1, le=6)
    weight_kg_plausible: tuple[float, float] = Field(
        description="Weights outside this range are refused as implausible for an adult."
    )
    height_cm_plausible: tuple[float, float] = Field(
        description="Heights outside this range are refused as implausible for an adult."
    )

    @model_validator(mode="after")
    def _ranges(self) -> DosingSpec:
        for name in ("weight_kg_plausible", "height_cm_plausible"):
            low, high = getattr(self, name)
            if not 0 < low < high:
                raise ValueError(f"{name} must be 0 < low < high; got {low}-{high}")
        return self
