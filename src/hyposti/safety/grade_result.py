"""The shape every syndrome grader returns: the grade, its scale and the finding that decided it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Finding(BaseModel):
    """One observed finding and the grade it alone would give on the scale."""

    model_config = ConfigDict(frozen=True)

    domain: str
    description: str
    grade: int


class GradeResult(BaseModel):
    """A syndrome grade (0 = syndrome absent), the scale used and every finding that was weighed.

    ``deciding_finding`` names the most severe finding, the one that set the grade.
    """

    model_config = ConfigDict(frozen=True)

    grade: int
    scale: str
    deciding_finding: str
    all_findings: tuple[Finding, ...]


def most_severe(scale: str, findings: list[Finding], absent: str) -> GradeResult:
    """The grade is the most severe single finding; ties go to the first domain listed."""
    worst = max(findings, key=lambda f: f.grade, default=None)
    if worst is None or worst.grade == 0:
        return GradeResult(
            grade=0, scale=scale, deciding_finding=absent, all_findings=tuple(findings)
        )
    return GradeResult(
        grade=worst.grade,
        scale=scale,
        deciding_finding=f"{worst.description} -> grade {worst.grade}",
        all_findings=tuple(findings),
    )
