"""The protocol's dose-escalation design: method, cohort size, start dose and the MTD reading."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.errors import InputError
from hyposti.protocol.common import Reading, Strict

ThreePlusThreeVariant = Literal["conventional", "registry-literal", "escalation-only"]


class DesignSpec(Strict):
    """Escalation rules in force; 3+3 as in Storer 1989 and Korn et al. 1994."""

    method: Literal["3+3", "boin", "crm"]
    cohort_size: int = Field(ge=1, le=12)
    start_dose: int = Field(ge=1, description="1-based dose level of the first cohort.")
    variant: ThreePlusThreeVariant | None = Field(
        default=None, description="3+3 only: which MTD rule is in force."
    )
    target_toxicity: float | None = Field(
        default=None, gt=0, lt=1, description="BOIN/CRM only: the target DLT probability."
    )
    skeleton: tuple[float, ...] | None = Field(
        default=None, description="CRM only: prior DLT probability per dose level."
    )
    max_n: int | None = Field(default=None, ge=1, description="Sample-size cap of the escalation.")
    mtd_rule: Reading | None = None
    rp2d_text: str | None = None

    @model_validator(mode="after")
    def _method_parameters(self) -> DesignSpec:
        if self.method == "3+3" and self.variant is None:
            raise InputError(
                "variant", None, "method '3+3' needs one (conventional, registry-literal, ...)"
            )
        if self.method in ("boin", "crm") and self.target_toxicity is None:
            raise InputError("target_toxicity", None, f"method {self.method!r} needs one")
        if self.method == "crm" and not self.skeleton:
            raise InputError("skeleton", self.skeleton, "method 'crm' needs one")
        return self
