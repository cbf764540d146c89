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
    """The contract every dose-finding design meets (frozen dataclass of parameters).

    Parameters are read-only properties here, which frozen dataclass fields satisfy.
    """

    @property
    def num_doses(self) -> int: ...

    @property
    def cohort_size(self) -> int: ...

    @property
    def start_dose(self) -> int: ...

    @property
    def max_n(self) -> int | None: ...

    def __hash__(self) -> int:
        """Equal parameters hash alike: exact_oc caches each design's state graph."""
        ...

    @property
    def horizon(self) -> int:
        """Most cohorts a trial under this design can take (bounds every loop over cohorts)."""
        ...

    @property
    def max_per_dose(self) -> int:
        """Most patients one dose level can receive (sizes the exact computation's state keys)."""
        ...

    @property
    def state_cost(self) -> int:
        """Relative cost of one decision, as exact_oc counts states against its budget."""
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

    @property
    def state_cost(self) -> int:
        return 1

    def check_history(self, n: np.ndarray, y: np.ndarray) -> None:
        if n.sum() > self.max_n:
            raise InputError("outcomes", int(n.sum()), f"more patients than max_n = {self.max_n}")


@dataclass(frozen=True)
class Decision:
    """The answer for one trial history: where the next patient goes, or why the trial stops.

    ``deviations`` lists cohorts not treated where the design said (a skipped dose, a cohort after
    a stop): the decision still follows the counts, and the deviations are reported beside it.
    """

    next_dose: int | None
    stop: bool
    mtd: int | None
    reason: str
    n_at_dose: tuple[int, ...]
    dlt_at_dose: tuple[int, ...]
    deviations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "next_dose": self.next_dose,
            "stop": self.stop,
            "mtd": self.mtd,
            "reason": self.reason,
            "n_at_dose": list(self.n_at_dose),
            "dlt_at_dose": list(self.dlt_at_dose),
            "deviations": list(self.deviations),
        }


def kernel_error(error: ValueError) -> InputError:
    """The InputError for a ValueError(field, value, rule) raised by the compiled rules."""
    field, value, rule = error.args
    return InputError(field, value, rule)


def check_common(num_doses: int, cohort_size: int, start_dose: int, max_n: int | None) -> None:
    """Validate the parameters every design shares; each message names the field and the rule."""
    if num_doses < 1:
        raise InputError("num_doses", num_doses, "a design needs at least one dose level")
    if cohort_size < 1:
        raise InputError("cohort_size", cohort_size, "must be >= 1: a cohort needs a patient")
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
    design here (Storer 1989; Liu & Yuan 2015; O'Quigley et al. 1990). A last cohort with fewer
    evaluable patients than the cohort size is answered too, as a live trial needs after each
    patient's DLT window: when every outcome of the patients still pending leads to the same
    decision to stop or de-escalate, it stands now (two DLTs in a 3+3 cohort of three);
    otherwise, escalation included, the trial stays at the dose until the cohort is complete
    (R package escalation, Brock 2019, `fit` on "1N": dose 1, continue).
    """
    cohorts = (
        parse_outcomes(history, design.num_doses) if isinstance(history, str) else tuple(history)
    )
    n, y = tally(cohorts, design.num_doses)
    n_at_dose = tuple(int(v) for v in n)
    dlt_at_dose = tuple(int(v) for v in y)
    if not cohorts:
        return Decision(
            next_dose=design.start_dose,
            stop=False,
            mtd=None,
            reason=f"no patients treated yet: start at {label(design.start_dose)}",
            n_at_dose=n_at_dose,
            dlt_at_dose=dlt_at_dose,
        )
    deviations = _deviations(design, cohorts, label)
    current = cohorts[-1].dose
    pending = max(design.cohort_size - cohorts[-1].size, 0)
    # Every completion of the last cohort: 0..pending more DLTs among the patients still pending.
    extra = np.arange(pending + 1)
    n_all = np.repeat(n[None, :], pending + 1, axis=0)
    y_all = np.repeat(y[None, :], pending + 1, axis=0)
    n_all[:, current - 1] += pending
    y_all[:, current - 1] += extra
    design.check_history(n_all[0], y_all[0])
    step = design.step(n_all, y_all, np.full(pending + 1, current))
    next_dose, mtd, code = int(step.next_dose[0]), int(step.mtd[0]), int(step.code[0])
    reason = design.explain(code, n_all[0], y_all[0], current, next_dose, mtd, label)
    if pending:
        evaluable = f"cohort incomplete: {cohorts[-1].size} of {design.cohort_size} evaluable"
        settled = bool(
            np.all(step.next_dose == next_dose) and np.all((step.mtd == mtd) | (next_dose != 0))
        )
        waiting = f"{pending} more patient{'s' if pending > 1 else ''}"
        if settled and next_dose > current:
            # Escalation waits for every DLT window of the cohort, even when the pending
            # patients can no longer change it; stopping and de-escalating need not wait.
            return Decision(
                next_dose=current,
                stop=False,
                mtd=None,
                reason=f"{evaluable} at {label(current)}, stay: whatever the pending patients "
                f"show the next step is to escalate to {label(next_dose)}, which waits for "
                f"{waiting}",
                deviations=deviations,
                n_at_dose=n_at_dose,
                dlt_at_dose=dlt_at_dose,
            )
        if not settled:
            return Decision(
                next_dose=current,
                stop=False,
                mtd=None,
                reason=f"{evaluable} at {label(current)}, stay: the decision waits for {waiting}",
                deviations=deviations,
                n_at_dose=n_at_dose,
                dlt_at_dose=dlt_at_dose,
            )
        reason = (
            f"{evaluable}, but whatever the {pending} pending patient"
            f"{'s show' if pending > 1 else ' shows'} the decision is the same; "
            f"with none of them a DLT: {reason}"
        )
    return Decision(
        next_dose=next_dose or None,
        stop=next_dose == 0,
        mtd=(mtd or None) if next_dose == 0 else None,
        reason=reason,
        deviations=deviations,
        n_at_dose=n_at_dose,
        dlt_at_dose=dlt_at_dose,
    )


def _deviations(design: Design, cohorts: Sequence[Cohort], label: DoseLabel) -> tuple[str, ...]:
    """Cohorts not treated where the design sent them, replaying the history cohort by cohort."""
    found: list[str] = []
    for index in range(1, len(cohorts)):
        done = cohorts[:index]
        short = [i for i, c in enumerate(done, start=1) if c.size != design.cohort_size]
        if short:
            # The design's rule is defined on whole cohorts: stop replaying at a short one.
            found.append(
                f"cohort {short[0]} has {done[short[0] - 1].size} patients where the design "
                f"treats cohorts of {design.cohort_size}"
            )
            break
        n, y = tally(done, design.num_doses)
        step = design.step(n[None, :], y[None, :], np.array([done[-1].dose]))
        advised = int(step.next_dose[0])
        given = cohorts[index].dose
        tried = max(c.dose for c in done)
        if advised == 0:
            found.append(
                f"cohort {index + 1} treated at {label(given)} after the design stopped the trial"
            )
        elif given > tried + 1:
            skipped = ", ".join(label(d) for d in range(tried + 1, given))
            found.append(
                f"cohort {index + 1} treated at {label(given)}, skipping untried {skipped}, where "
                f"the design advised {label(advised)}: escalation goes one level at a time"
            )
        elif given != advised:
            found.append(
                f"cohort {index + 1} treated at {label(given)} where the design advised "
                f"{label(advised)}"
            )
    return tuple(found)
