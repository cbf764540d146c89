"""The shape every syndrome grader returns: the grade, its scale and the finding that decided it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from hyposti.errors import InputError
from hyposti.protocol.safety_spec import AeScale


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
    scale: AeScale
    deciding_finding: str
    all_findings: tuple[Finding, ...]


def most_severe(scale: AeScale, findings: list[Finding], absent: str) -> GradeResult:
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


def cognitive_score(items: dict[str, tuple[int, int]], scale: str) -> int:
    """Sum of a 10-point bedside screen from ``{item: (points, maximum)}``, each item checked."""
    for name, (points, maximum) in items.items():
        if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= maximum:
            raise InputError(name, points, f"{scale} item scores 0 to {maximum} points")
    return sum(points for points, _ in items.values())


def cognitive_grade(score: int) -> int:
    """10 -> 0, 7-9 -> 1, 3-6 -> 2, 0-2 -> 3: the bands ASTCT's ICE score (Lee 2019 BBMT 25:625,
    Table 5) took over from CARTOX-10 (Neelapu 2018 NRCO 15:47, Table 3)."""
    return 0 if score == 10 else 1 if score >= 7 else 2 if score >= 3 else 3
