"""Turns per-patient DLT adjudications into the dose-finding history (cohorts of N/T outcomes).

Only DLT-evaluable patients enter the history; the others are listed for replacement, as the 3+3
convention requires (Le Tourneau, Lee & Siu 2009, J Natl Cancer Inst 101:708).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hyposti.design.outcomes import Cohort, format_outcomes
from hyposti.errors import InputError
from hyposti.safety.dlt import PatientAdjudication


@dataclass(frozen=True)
class DoseFindingHistory:
    """Cohorts of evaluable patients in enrolment order, and who is pending or to be replaced."""

    cohorts: tuple[Cohort, ...]
    needs_replacement: tuple[str, ...]
    pending: tuple[str, ...]

    @property
    def outcomes(self) -> str:
        """The history in the dose-path notation, e.g. "1NNN 2NTN" (Brock 2019)."""
        return format_outcomes(self.cohorts)


def dose_finding_history(
    adjudications: Sequence[PatientAdjudication], num_doses: int
) -> DoseFindingHistory:
    """Cohorts for the dose-finding engine: evaluable patients' DLT outcomes, cohort by cohort.

    Patients of one cohort must share a dose level in 1..num_doses; a cohort whose patients are
    all non-evaluable or pending contributes no cohort (yet).
    """
    seen: set[str] = set()
    by_cohort: dict[int, list[PatientAdjudication]] = {}
    for i, adj in enumerate(adjudications):
        if adj.patient_id in seen:
            raise InputError(f"patients[{i}].patient_id", adj.patient_id, "patient listed twice")
        seen.add(adj.patient_id)
        if not 1 <= adj.dose_level <= num_doses:
            raise InputError(
                f"patients[{i}].dose_level",
                adj.dose_level,
                f"dose level must be one of the doses 1..{num_doses}",
            )
        members = by_cohort.setdefault(adj.cohort, [])
        if members and members[0].dose_level != adj.dose_level:
            raise InputError(
                f"patients[{i}].dose_level",
                adj.dose_level,
                f"cohort {adj.cohort} was treated at dose level {members[0].dose_level} "
                f"(patient {members[0].patient_id}); a cohort has one dose level",
            )
        members.append(adj)
    cohorts = []
    for number in sorted(by_cohort):
        evaluable = [a for a in by_cohort[number] if a.evaluability == "evaluable"]
        if evaluable:
            cohorts.append(
                Cohort(dose=evaluable[0].dose_level, dlts=tuple(a.has_dlt for a in evaluable))
            )
    return DoseFindingHistory(
        cohorts=tuple(cohorts),
        needs_replacement=tuple(
            a.patient_id for a in adjudications if a.evaluability == "not evaluable"
        ),
        pending=tuple(a.patient_id for a in adjudications if a.evaluability == "pending"),
    )
