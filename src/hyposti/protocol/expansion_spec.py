"""The protocol's expansion phase: toxicity monitoring and the two-stage reading of its size."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.errors import InputError
from hyposti.protocol.common import Reading, Strict

MAX_MONITORED = 1000
"""Same bound as the monitoring engine (design.toxicity_monitoring.MAX_MONITOR_N)."""


class ToxicityMonitoringSpec(Strict):
    """Stop enrolling when P(DLT rate > theta | data) > threshold under Beta(prior_a, prior_b),
    checked after each evaluable patient (Thall, Simon & Estey 1995, Stat Med 14:357)."""

    sponsor_editable = True

    prior_a: float = Field(gt=0)
    prior_b: float = Field(gt=0)
    theta: float = Field(gt=0, lt=1, description="The DLT rate the expansion must not exceed.")
    threshold: float = Field(gt=0, lt=1, description="Posterior probability that stops.")
    max_n: int = Field(ge=1, le=MAX_MONITORED, description="Patients monitored in all.")
    why: str


class SimonSpec(Strict):
    """Simon's two-stage design for the response rate (Simon 1989, Control Clin Trials 10:1):
    stop for futility with at most r1 responses in n1; promising with more than r in n."""

    sponsor_editable = True

    kind: Literal["optimal", "minimax"]
    p0: float = Field(gt=0, lt=1)
    p1: float = Field(gt=0, lt=1)
    alpha: float = Field(gt=0, lt=1)
    beta: float = Field(gt=0, lt=1)
    r1: int = Field(ge=0)
    n1: int = Field(ge=1)
    r: int = Field(ge=0)
    n: int = Field(ge=2)
    futility_stop: bool = Field(description="Whether the stage-1 futility stop is applied.")
    reading: Reading

    @model_validator(mode="after")
    def _stages(self) -> SimonSpec:
        if self.p1 <= self.p0:
            raise InputError("p1", self.p1, f"must exceed p0 = {self.p0:g}")
        if not self.n1 < self.n:
            raise InputError("n1", self.n1, f"the first stage must be smaller than n = {self.n}")
        if not self.r1 < self.n1:
            raise InputError("r1", self.r1, f"must be below n1 = {self.n1}")
        if not self.r1 <= self.r < self.n:
            raise InputError("r", self.r, f"must lie in r1..n-1 ({self.r1}..{self.n - 1})")
        return self


class ExpansionSpec(Strict):
    """Rules for the cohort treated at the RP2D after escalation."""

    registry_text: str
    toxicity_monitoring: ToxicityMonitoringSpec
    response_design: SimonSpec | None = None
