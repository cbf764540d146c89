"""ASTCT grade of ICANS in adults, with the ICE score (Lee DW et al. 2019, BBMT 25:625)."""

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

SCALE: AeScale = "ASTCT 2019 ICANS"

Consciousness = Literal[
    "normal", "awakens-spontaneously", "awakens-to-voice", "awakens-to-touch", "unarousable"
]
#: Lee 2019 Table 5, depressed level of consciousness row.
CONSCIOUSNESS_GRADE: dict[str, tuple[int, str]] = {
    "normal": (0, "normal level of consciousness"),
    "awakens-spontaneously": (1, "depressed consciousness, awakens spontaneously"),
    "awakens-to-voice": (2, "depressed consciousness, awakens to voice"),
    "awakens-to-touch": (3, "depressed consciousness, awakens only to tactile stimulus"),
    "unarousable": (4, "unarousable or requires vigorous/repetitive stimuli; stupor or coma"),
}
Seizure = Literal["none", "rapidly-resolving", "prolonged-or-repetitive"]
#: Lee 2019 Table 5, seizure row.
SEIZURE_GRADE: dict[str, tuple[int, str]] = {
    "none": (0, "no seizure"),
    "rapidly-resolving": (
        3,
        "clinical seizure resolving rapidly, or non-convulsive seizure on EEG resolving with "
        "intervention",
    ),
    "prolonged-or-repetitive": (
        4,
        "life-threatening prolonged seizure (> 5 min), or repetitive seizures without return to "
        "baseline in between",
    ),
}
IcpFinding = Literal[
    "focal-oedema",
    "diffuse-oedema",
    "posturing",
    "cranial-nerve-vi-palsy",
    "papilloedema",
    "cushings-triad",
]
#: Lee 2019 Table 5, raised intracranial pressure / cerebral oedema row.
ICP_GRADE: dict[str, tuple[int, str]] = {
    "focal-oedema": (3, "focal/local oedema on neuroimaging"),
    "diffuse-oedema": (4, "diffuse cerebral oedema on neuroimaging"),
    "posturing": (4, "decerebrate or decorticate posturing"),
    "cranial-nerve-vi-palsy": (4, "cranial nerve VI palsy"),
    "papilloedema": (4, "papilloedema"),
    "cushings-triad": (4, "Cushing's triad"),
}


def ice_score(
    orientation: int, naming: int, following_commands: int, writing: int, attention: int
) -> int:
    """ICE score 0-10 from its items; Lee 2019 Table 4 (Immune effector Cell Encephalopathy).

    orientation to year, month, city, hospital (0-4); naming 3 objects (0-3); following simple
    commands (0-1); writing a standard sentence (0-1); counting back from 100 by 10 (0-1).
    """
    items = {
        "orientation": (orientation, 4),
        "naming": (naming, 3),
        "following_commands": (following_commands, 1),
        "writing": (writing, 1),
        "attention": (attention, 1),
    }
    return cognitive_score(items, "ICE")


class IcansObservation(InputRecord):
    """The worst findings of one ICANS assessment, none attributable to another cause (Lee 2019)."""

    ice_score: int | None = Field(
        default=None, ge=0, le=10, description="ICE score 0-10; None only if unarousable."
    )
    consciousness: Consciousness = "normal"
    seizure: Seizure = "none"
    motor_weakness: bool = Field(
        default=False, description="Deep focal motor weakness such as hemiparesis or paraparesis."
    )
    icp: tuple[IcpFinding, ...] = Field(
        default=(), description="Raised intracranial pressure / cerebral oedema findings."
    )
    death_due_to_icans: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> IcansObservation:
        unarousable = self.consciousness == "unarousable"
        if self.ice_score is None and not unarousable:
            raise InputError("ice_score", None, "required unless the patient is unarousable")
        if unarousable and self.ice_score not in (None, 0):
            raise InputError(
                "ice_score", self.ice_score, "an unarousable patient scores 0: record 0 or omit it"
            )
        return self


def _ice_finding(obs: IcansObservation) -> Finding:
    score = obs.ice_score
    if score is None:
        return Finding(domain="ICE", description="ICE not assessable: patient unarousable", grade=4)
    if obs.consciousness == "unarousable":
        return Finding(domain="ICE", description="ICE 0 because unarousable", grade=4)
    grade = cognitive_grade(score)
    return Finding(domain="ICE", description=f"ICE score {score}/10", grade=grade)


def grade_icans(obs: IcansObservation) -> GradeResult:
    """ASTCT ICANS grade: the most severe domain; Lee 2019 BBMT 25:625 Table 5 (adults).

    ICE 7-9 -> 1, 3-6 -> 2, 0-2 -> 3, 0 because unarousable -> 4; depressed consciousness,
    seizures, deep focal motor weakness and raised ICP / cerebral oedema as in the table. Death
    due to ICANS is grade 5 (Lee 2019, text beside Table 5).
    """
    consciousness = CONSCIOUSNESS_GRADE[obs.consciousness]
    seizure = SEIZURE_GRADE[obs.seizure]
    findings = [
        _ice_finding(obs),
        Finding(domain="consciousness", description=consciousness[1], grade=consciousness[0]),
        Finding(domain="seizure", description=seizure[1], grade=seizure[0]),
        Finding(
            domain="motor",
            description="deep focal motor weakness (hemiparesis or paraparesis)"
            if obs.motor_weakness
            else "no focal motor weakness",
            grade=4 if obs.motor_weakness else 0,
        ),
    ]
    findings += [
        Finding(
            domain="raised ICP / cerebral oedema",
            description=ICP_GRADE[f][1],
            grade=ICP_GRADE[f][0],
        )
        for f in obs.icp
    ]
    if obs.death_due_to_icans:
        findings.append(Finding(domain="death", description="death due to ICANS", grade=5))
    return most_severe(SCALE, findings, "ICE 10/10 and no other finding: no ICANS")
