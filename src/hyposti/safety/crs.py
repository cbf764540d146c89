"""ASTCT consensus grade of cytokine release syndrome (Lee DW et al. 2019, BBMT 25:625, Table 3)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.bounds import InputRecord
from hyposti.errors import InputError
from hyposti.protocol.safety_spec import AeScale
from hyposti.safety.grade_result import Finding, GradeResult, most_severe

SCALE: AeScale = "ASTCT 2019 CRS"
FEVER_C = 38.0
#: Lee 2019 Table 3 footnote: low-flow nasal cannula is oxygen delivered at <= 6 L/min.
LOW_FLOW_MAX_L_MIN = 6.0

OxygenSupport = Literal[
    "none",
    "low-flow",
    "blow-by",
    "high-flow",
    "facemask",
    "non-rebreather",
    "venturi",
    "cpap",
    "bipap",
    "mechanical-ventilation",
]
#: Lee 2019 Table 3, hypoxia column: the CRS grade each kind of oxygen support gives.
OXYGEN_GRADE: dict[str, int] = {
    "none": 0,
    "low-flow": 2,
    "blow-by": 2,
    "high-flow": 3,
    "facemask": 3,
    "non-rebreather": 3,
    "venturi": 3,
    "cpap": 4,
    "bipap": 4,
    "mechanical-ventilation": 4,
}


class CrsObservation(InputRecord):
    """The worst findings of one CRS assessment, not attributable to another cause (Lee 2019)."""

    temperature_c: float = Field(ge=30.0, le=45.0, description="Highest temperature, deg C.")
    fever_masked: bool = Field(
        default=False,
        description="Antipyretic or anti-cytokine therapy (tocilizumab, corticosteroids) given "
        "for CRS, so that fever is no longer required to grade.",
    )
    hypotension: bool = False
    vasopressors: int = Field(
        default=0, ge=0, le=10, description="Vasopressors needed, not counting vasopressin."
    )
    vasopressin: bool = False
    oxygen: OxygenSupport = "none"
    oxygen_flow_l_min: float | None = Field(default=None, ge=0.0, le=80.0)
    death_due_to_crs: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> CrsObservation:
        if (self.vasopressors or self.vasopressin) and not self.hypotension:
            raise InputError(
                "hypotension", False, "vasopressors are recorded: hypotension must be set"
            )
        flow = self.oxygen_flow_l_min
        if flow is not None and self.oxygen == "low-flow" and flow > LOW_FLOW_MAX_L_MIN:
            raise InputError(
                "oxygen_flow_l_min", flow, "low-flow nasal cannula is <= 6 L/min by definition"
            )
        if flow is not None and self.oxygen == "high-flow" and flow <= LOW_FLOW_MAX_L_MIN:
            raise InputError(
                "oxygen_flow_l_min", flow, "high-flow nasal cannula is > 6 L/min by definition"
            )
        if flow is not None and self.oxygen == "none" and flow > 0:
            raise InputError(
                "oxygen_flow_l_min", flow, "a flow needs oxygen support other than 'none'"
            )
        return self


def _hypotension(obs: CrsObservation) -> Finding:
    if not obs.hypotension:
        return Finding(domain="hypotension", description="no hypotension", grade=0)
    if obs.vasopressors >= 2:
        text = f"hypotension requiring {obs.vasopressors} vasopressors (excluding vasopressin)"
        return Finding(domain="hypotension", description=text, grade=4)
    if obs.vasopressors == 1 or obs.vasopressin:
        with_vp = " with vasopressin" if obs.vasopressin and obs.vasopressors else ""
        text = "hypotension requiring one vasopressor" + with_vp
        return Finding(domain="hypotension", description=text, grade=3)
    return Finding(
        domain="hypotension", description="hypotension not requiring vasopressors", grade=2
    )


def _hypoxia(obs: CrsObservation) -> Finding:
    if obs.oxygen == "none":
        return Finding(domain="hypoxia", description="no oxygen requirement", grade=0)
    flow = f" at {obs.oxygen_flow_l_min:g} L/min" if obs.oxygen_flow_l_min is not None else ""
    return Finding(
        domain="hypoxia",
        description=f"hypoxia requiring {obs.oxygen} oxygen{flow}",
        grade=OXYGEN_GRADE[obs.oxygen],
    )


def grade_crs(obs: CrsObservation) -> GradeResult:
    """ASTCT CRS grade: the more severe of hypotension and hypoxia; Lee 2019 BBMT 25:625 Table 3.

    Fever >= 38.0 C is required for grades 1-4 unless masked by antipyretic or anti-cytokine
    therapy, after which hypotension and hypoxia drive the grade. Organ toxicities are graded by
    CTCAE separately and never change the CRS grade. Death due to CRS is grade 5.
    """
    fever = obs.temperature_c >= FEVER_C
    findings = [
        Finding(
            domain="fever",
            description=(
                f"fever {obs.temperature_c:.1f} C"
                if fever
                else f"no fever ({obs.temperature_c:.1f} C < {FEVER_C:.1f} C)"
                + (", masked by antipyretic/anti-cytokine therapy" if obs.fever_masked else "")
            ),
            grade=1 if fever else 0,
        ),
        _hypotension(obs),
        _hypoxia(obs),
    ]
    if obs.death_due_to_crs:
        findings.append(Finding(domain="death", description="death due to CRS", grade=5))
        return most_severe(SCALE, findings, "")
    if not fever and not obs.fever_masked:
        return GradeResult(
            grade=0,
            scale=SCALE,
            deciding_finding=(
                f"no fever >= {FEVER_C:.1f} C and fever not masked by antipyretic or "
                "anti-cytokine therapy: CRS criteria not met (hypotension or hypoxia alone is "
                "not CRS)"
            ),
            all_findings=tuple(findings),
        )
    return most_severe(SCALE, findings, "no fever, hypotension or hypoxia: no CRS")
