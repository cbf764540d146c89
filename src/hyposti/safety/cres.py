"""CARTOX grade of CAR-T-cell encephalopathy syndrome (CRES; Neelapu SS et al. 2018, NRCO 15:47)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.bounds import InputRecord
from hyposti.errors import InputError
from hyposti.protocol.safety_spec import AeScale
from hyposti.safety.grade_result import (
    Finding,
    GradeResult,
    cognitive_grade,
    cognitive_score,
    most_severe,
)

SCALE: AeScale = "CARTOX CRES"
#: Neelapu 2018 Table 3: CSF opening pressure at or above this marks grade 4 raised ICP.
CSF_GRADE4_MMHG = 20.0
#: Upper limit of a normal adult lumbar opening pressure, 20 cmH2O = 14.7 mmHg (Lee SCM & Lueck CJ
#: 2014, J Neuroophthalmol 34:278). Reading: Neelapu's grade 3 "CSF opening pressure < 20 mmHg"
#: means a raised pressure below 20 mmHg; a pressure within the normal range is not a finding.
CSF_NORMAL_MAX_MMHG = 14.7

Seizure = Literal[
    "none",
    "partial",
    "non-convulsive-benzodiazepine-responsive",
    "generalised",
    "convulsive-status",
    "non-convulsive-status",
]
#: Neelapu 2018 Table 3, seizures or motor weakness row.
SEIZURE_GRADE: dict[str, tuple[int, str]] = {
    "none": (0, "no seizure"),
    "partial": (3, "partial seizure"),
    "non-convulsive-benzodiazepine-responsive": (
        3,
        "non-convulsive seizure on EEG responding to benzodiazepine",
    ),
    "generalised": (4, "generalised seizure"),
    "convulsive-status": (4, "convulsive status epilepticus"),
    "non-convulsive-status": (4, "non-convulsive status epilepticus"),
}


def cartox10_score(orientation: int, naming: int, writing: int, attention: int) -> int:
    """CARTOX-10 score 0-10 from its items; Neelapu 2018 NRCO 15:47, Figure 3 / Table 3.

    orientation to year, month, city, hospital, president/prime minister (0-5); naming 3 objects
    (0-3); writing a standard sentence (0-1); counting back from 100 by 10 (0-1).
    """
    items = {
        "orientation": (orientation, 5),
        "naming": (naming, 3),
        "writing": (writing, 1),
        "attention": (attention, 1),
    }
    return cognitive_score(items, "CARTOX-10")


class CresObservation(InputRecord):
    """The worst findings of one CRES assessment (Neelapu 2018 Table 3)."""

    cartox10: int | None = Field(default=None, ge=0, le=10, description="CARTOX-10 score 0-10.")
    obtunded: bool = Field(
        default=False,
        description="Critical condition and/or obtunded, unable to perform the assessment.",
    )
    papilloedema_stage: int = Field(
        default=0, ge=0, le=5, description="Modified Frisén stage of papilloedema; 0 = none."
    )
    csf_opening_pressure_mmhg: float | None = Field(default=None, ge=0.0, le=100.0)
    cerebral_oedema: bool = False
    seizure: Seizure = "none"
    motor_weakness: bool = Field(default=False, description="New motor weakness.")
    death_due_to_cres: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> CresObservation:
        if self.cartox10 is None and not self.obtunded:
            raise InputError(
                "cartox10", None, "required unless the patient is obtunded/unassessable"
            )
        if self.obtunded and self.cartox10 is not None:
            raise InputError(
                "cartox10", self.cartox10, "an obtunded patient cannot be scored: leave it out"
            )
        return self


def _neuro_finding(obs: CresObservation) -> Finding:
    if obs.obtunded:
        return Finding(
            domain="CARTOX-10", description="obtunded, unable to perform the assessment", grade=4
        )
    score = obs.cartox10
    assert score is not None  # the validator guarantees a score when not obtunded
    grade = cognitive_grade(score)
    return Finding(domain="CARTOX-10", description=f"CARTOX-10 score {score}/10", grade=grade)


def _icp_findings(obs: CresObservation) -> list[Finding]:
    domain = "raised ICP"
    out = []
    if obs.papilloedema_stage:
        stage = obs.papilloedema_stage
        out.append(
            Finding(
                domain=domain,
                description=f"papilloedema stage {stage}",
                grade=3 if stage <= 2 else 4,
            )
        )
    pressure = obs.csf_opening_pressure_mmhg
    if pressure is not None and pressure >= CSF_GRADE4_MMHG:
        out.append(
            Finding(
                domain=domain,
                description=f"CSF opening pressure {pressure:g} mmHg (>= {CSF_GRADE4_MMHG:g})",
                grade=4,
            )
        )
    elif pressure is not None and pressure > CSF_NORMAL_MAX_MMHG:
        out.append(
            Finding(
                domain=domain,
                description=f"raised CSF opening pressure {pressure:g} "
                f"mmHg (< {CSF_GRADE4_MMHG:g})",
                grade=3,
            )
        )
    elif pressure is not None:
        out.append(
            Finding(
                domain=domain,
                description=f"CSF opening pressure {pressure:g} mmHg, "
                f"within normal (<= {CSF_NORMAL_MAX_MMHG:g})",
                grade=0,
            )
        )
    if obs.cerebral_oedema:
        out.append(Finding(domain=domain, description="cerebral oedema", grade=4))
    return out


def grade_cres(obs: CresObservation) -> GradeResult:
    """CARTOX CRES grade: the most severe of the three rows; Neelapu 2018 NRCO 15:47, Table 3.

    CARTOX-10 7-9 -> 1, 3-6 -> 2, 0-2 -> 3, obtunded/unassessable -> 4; papilloedema stage 1-2 or
    CSF opening pressure < 20 mmHg -> 3, stage 3-5, >= 20 mmHg or cerebral oedema -> 4; partial or
    benzodiazepine-responsive non-convulsive seizure -> 3, generalised seizure, status epilepticus
    or new motor weakness -> 4. Table 3 stops at grade 4; death due to CRES is recorded as grade 5
    as in CTCAE's convention for fatal events.
    """
    seizure = SEIZURE_GRADE[obs.seizure]
    findings = [
        _neuro_finding(obs),
        *_icp_findings(obs),
        Finding(domain="seizure", description=seizure[1], grade=seizure[0]),
        Finding(
            domain="motor",
            description="new motor weakness" if obs.motor_weakness else "no motor weakness",
            grade=4 if obs.motor_weakness else 0,
        ),
    ]
    if obs.death_due_to_cres:
        findings.append(Finding(domain="death", description="death due to CRES", grade=5))
    return most_severe(SCALE, findings, "CARTOX-10 10/10 and no other finding: no CRES")
