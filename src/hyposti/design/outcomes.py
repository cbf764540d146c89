"""The dose-path outcome notation ("1NNN 2NTN"): cohorts of patients, DLT (T) or not (N).

Notation of Brock 2019 (R package escalation): each cohort is its 1-based dose level followed by
one letter per patient, ``T`` for a dose-limiting toxicity and ``N`` for none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from hyposti.errors import InputError

_COHORT = re.compile(r"(\d+)([NT]+)")


@dataclass(frozen=True)
class Cohort:
    """Patients treated together at one dose level; ``dlts[i]`` is True when patient i had a DLT."""

    dose: int
    dlts: tuple[bool, ...]

    @property
    def size(self) -> int:
        return len(self.dlts)

    @property
    def num_dlts(self) -> int:
        return sum(self.dlts)

    def __str__(self) -> str:
        return f"{self.dose}" + "".join("T" if t else "N" for t in self.dlts)


def parse_outcomes(text: str, num_doses: int) -> tuple[Cohort, ...]:
    """Read "1NNN 2NTN" into cohorts; every dose must lie in 1..num_doses (Brock 2019 notation)."""
    cohorts = []
    for token in text.upper().split():
        match = _COHORT.fullmatch(token)
        if match is None:
            raise InputError(
                "outcomes",
                token,
                "a cohort is a dose level followed by one letter per patient, "
                "N (no DLT) or T (DLT), e.g. '2NTN'",
            )
        dose = int(match.group(1))
        if not 1 <= dose <= num_doses:
            raise InputError(
                "outcomes", token, f"dose level {dose} is not one of the doses 1..{num_doses}"
            )
        cohorts.append(Cohort(dose=dose, dlts=tuple(ch == "T" for ch in match.group(2))))
    return tuple(cohorts)


def format_outcomes(cohorts: Iterable[Cohort]) -> str:
    """Write cohorts back in the outcome notation, one space between cohorts."""
    return " ".join(str(c) for c in cohorts)


def tally(cohorts: Sequence[Cohort], num_doses: int) -> tuple[np.ndarray, np.ndarray]:
    """Patients and DLTs per dose level (index 0 = dose 1) accumulated over the cohorts.

    Only the last cohort may be empty: a cohort opened at its dose whose patients are not yet
    evaluable, which a live trial's review must answer ("stay, the decision waits for 3").
    """
    n = np.zeros(num_doses, dtype=np.int64)
    y = np.zeros(num_doses, dtype=np.int64)
    for index, cohort in enumerate(cohorts):
        if not 1 <= cohort.dose <= num_doses:
            raise InputError(
                f"cohorts[{index}].dose",
                cohort.dose,
                f"dose level must be one of the doses 1..{num_doses}",
            )
        if cohort.size == 0 and index < len(cohorts) - 1:
            raise InputError(
                f"cohorts[{index}].dlts",
                cohort.dlts,
                "a cohort needs a patient (only the last "
                "cohort may still be waiting for its first evaluable patient)",
            )
        n[cohort.dose - 1] += cohort.size
        y[cohort.dose - 1] += cohort.num_dlts
    return n, y
