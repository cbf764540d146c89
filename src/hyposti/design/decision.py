"""What a design decides after each cohort (next dose, stop, MTD, reason), and fitting a history.

A design here is a frozen dataclass of parameters whose rule is one vectorised function ``step``
from per-dose counts (n_j, y_j) and the current dose to the next dose (0 = stop) and the MTD; the
same function serves a single history, exact operating characteristics, dose paths and simulation,
so no rule is implemented twice (design/selector split after Brock 2019, R package escalation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from hyposti.design.outcomes import Cohort, parse_outcomes, tally
from hyposti.errors import InputError

DoseLabel = Callable[[int], str]


def plain_label(dose: int) -> str:
    return f"dose {dose}"


@dataclass(frozen=True)
class Step:
    """Vectorised decisions for S states: ``next_dose`` 0 means stop; ``mtd`` 0 means none."""

    next_dose: np.ndarray
    mtd: np.ndarray
    code: np.ndarray


class Design(Protocol):
    """The contract every dose-finding design meets (frozen dataclass of parameters)."""

    num_doses: int
    cohort_size: int
    start_dose: int
    max_n: int | None

    @property
    def horizon(self) -> int:
        """Most cohorts a trial under this design can take (bounds every loop over cohorts)."""
        ...

    @property
    def max_per_dose(self) -> int:
        """Most patients one dose level can receive (sizes the exact computation's state keys)."""
        ...

    def step(self, n: np.ndarray, y: np.ndarray, current: np.ndarray) -> Step:
        """Decide for S states at once: n, y are (S, J) counts, current is (S,) 1-based doses."""
        ...

    def explain(
        self,
        code: int,
        n: np.ndarray,
        y: np.ndarray,
        current: int,
        next_dose: int,
        mtd: int,
        label: DoseLabel,
    ) -> str:
        """One line a committee member can read, for one state and its decision code."""
        ...

    def check_history(self, n: np.ndarray, y: np.ndarray) -> None:
        """Raise InputError when counts could not arise under this design's cohort rules."""
        ...


class CappedBySampleSize:
    """Model-based designs (BOIN, CRM): ``max_n`` patients in all, any number at one dose."""

    max_n: int
    cohort_size: int

    @property
    def horizon(self) -> int:
        return self.max_n // self.cohort_size

    @property
    def max_per_dose(self) -> int:
        return self.max_n

    def check_history(self, n: np.ndarray, y: np.ndarray) -> None:
        if n.sum() > self.max_n:
            raise InputError("outcomes", int(n.sum()), f"more patients than max_n = {self.max_n}")


@dataclass(frozen=True)
class Decision:
    """The answer for one trial history: where the next cohort goes, or why the trial stops."""

    next_dose: int | None
    stop: bool
    mtd: int | None
    reason: str
    n_at_dose: tuple[int, ...]
    dlt_at_dose: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "next_dose": self.next_dose,
            "stop": self.stop,
            "mtd": self.mtd,
            "reason": self.reason,
            "n_at_dose": list(self.n_at_dose),
            "dlt_at_dose": list(self.dlt_at_dose),
        }


def check_common(num_doses: int, cohort_size: int, start_dose: int, max_n: int | None) -> None:
    """Validate the parameters every design shares; each message names the field and the rule."""
    if num_doses < 1:
        raise InputError("num_doses", num_doses, "a design needs at least one dose level")
    if cohort_size < 1:
        raise InputError("cohort_size", cohort_size, "a cohort needs at least one patient")
    if not 1 <= start_dose <= num_doses:
        raise InputError("start_dose", start_dose, f"must be one of the doses 1..{num_doses}")
    if max_n is not None:
        if max_n < cohort_size:
            raise InputError("max_n", max_n, f"must allow one cohort of {cohort_size}")
        if max_n % cohort_size:
            raise InputError(
                "max_n", max_n, f"must be a whole number of cohorts of {cohort_size} patients"
            )


def check_target(target: float) -> None:
    if not 0.0 < target < 1.0:
        raise InputError("target", target, "the target DLT probability must lie in (0, 1)")


def fit(
    design: Design, history: str | Sequence[Cohort], label: DoseLabel = plain_label
) -> Decision:
    """Apply ``design`` to a trial history ("1NNN 2NTN" or Cohort objects) and explain the decision.

    The decision depends on the per-dose counts and the dose of the last cohort only, as in every
    design here (Storer 1989; Liu & Yuan 2015; O'Quigley et al. 1990).
    """
    cohorts = (
        parse_outcomes(history, design.num_doses) if isinstance(history, str) else tuple(history)
    )
    n, y = tally(cohorts, design.num_doses)
    if not cohorts:
        return Decision(
            next_dose=design.start_dose,
            stop=False,
            mtd=None,
            reason=f"no patients treated yet: start at {label(design.start_dose)}",
            n_at_dose=tuple(int(v) for v in n),
            dlt_at_dose=tuple(int(v) for v in y),
        )
    design.check_history(n, y)
    current = cohorts[-1].dose
    step = design.step(n[None, :], y[None, :], np.array([current]))
    next_dose, mtd, code = int(step.next_dose[0]), int(step.mtd[0]), int(step.code[0])
    return Decision(
        next_dose=next_dose or None,
        stop=next_dose == 0,
        mtd=(mtd or None) if next_dose == 0 else None,
        reason=design.explain(code, n, y, current, next_dose, mtd, label),
        n_at_dose=tuple(int(v) for v in n),
        dlt_at_dose=tuple(int(v) for v in y),
    )
