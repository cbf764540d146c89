"""The protocol's toxicity-management algorithm for CRS and ICANS, as data.

The registry gives none; the defaults follow the CARTOX guidance (Neelapu et al. 2018, Nat Rev
Clin Oncol 15:47, Tables 3 and 5): tocilizumab 8 mg/kg (at most 800 mg) for CRS of grade 2 or
higher, dexamethasone 10 mg every 6 hours for grade 3 or higher CRS and for ICANS of grade 2 or
higher.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.protocol.common import Strict
from hyposti.protocol.safety_spec import AeScale


class ManagementRule(Strict):
    """A medication given for an episode graded ``min_grade`` or higher on ``scale``."""

    scale: AeScale
    min_grade: int = Field(ge=1, le=5)
    medication: str = Field(min_length=1, max_length=80)
    dose: float = Field(gt=0)
    dose_unit: Literal["mg", "mg/kg"]
    max_dose_mg: float | None = Field(default=None, gt=0, description="Cap of a mg/kg dose.")
    interval_hours: int | None = Field(
        default=None,
        ge=1,
        le=168,
        description="Repeated every so many hours while the episode lasts.",
    )
    source: str = Field(min_length=1)

    def describe(self) -> str:
        """'tocilizumab 8 mg/kg (at most 800 mg) for ASTCT 2019 CRS grade >= 2'."""
        dose = f"{self.medication} {self.dose:g} {self.dose_unit}"
        if self.max_dose_mg is not None:
            dose += f" (at most {self.max_dose_mg:g} mg)"
        if self.interval_hours is not None:
            dose += f" every {self.interval_hours} h"
        return f"{dose} for {self.scale} grade >= {self.min_grade}"

    @model_validator(mode="after")
    def _cap_is_for_weight_based_doses(self) -> ManagementRule:
        if self.max_dose_mg is not None and self.dose_unit != "mg/kg":
            raise ValueError("max_dose_mg caps a mg/kg dose; a mg dose needs no cap")
        return self


class ToxicityManagementSpec(Strict):
    """Which medication each graded CAR-T syndrome episode receives."""

    sponsor_editable = True

    rules: tuple[ManagementRule, ...] = Field(min_length=1)
