"""Exact operating characteristics of a design by dynamic programming over reachable states.

Every design here decides from the per-dose counts (n_j, y_j) and the current dose only, so the
trial is a Markov chain on those states; propagating binomial cohort outcomes and merging paths
that reach the same state gives exact P(select each dose), E[N], E[DLT] and E[n_j] (the
"exact computation" of operating characteristics, Lin & Shih 2001, Biostatistics 2:203).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hyposti.design import _kernel
from hyposti.design.decision import CappedBySampleSize, Design
from hyposti.errors import EngineError, InputError


@dataclass(frozen=True)
class OperatingCharacteristics:
    """P(select) (index 0 = no dose, k = dose k), expected patients and DLTs; SEs when simulated."""

    true_tox: tuple[float, ...]
    prob_select: np.ndarray
    expected_n: float
    expected_dlt: float
    expected_n_at_dose: np.ndarray
    method: str
    trials: int | None = None
    seed: int | None = None
    se_prob_select: np.ndarray | None = None
    se_expected_n: float | None = None
    se_expected_dlt: float | None = None
    se_expected_n_at_dose: np.ndarray | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "method": self.method,
            "true_tox": list(self.true_tox),
            "prob_select": self.prob_select.tolist(),
            "expected_n": self.expected_n,
            "expected_dlt": self.expected_dlt,
            "expected_n_at_dose": self.expected_n_at_dose.tolist(),
        }
        if (
            self.se_prob_select is not None
            and self.se_expected_n_at_dose is not None
            and self.method == "simulation"
        ):
            out.update(
                trials=self.trials,
                seed=self.seed,
                se_prob_select=self.se_prob_select.tolist(),
                se_expected_n=self.se_expected_n,
                se_expected_dlt=self.se_expected_dlt,
                se_expected_n_at_dose=self.se_expected_n_at_dose.tolist(),
            )
        return out


def check_true_tox(true_tox: Sequence[float], num_doses: int) -> np.ndarray:
    p = np.asarray(true_tox, dtype=float)
    if p.shape != (num_doses,):
        raise InputError(
            "true_tox", list(true_tox), f"needs one DLT probability per dose ({num_doses})"
        )
    if np.any((p < 0) | (p > 1)) or not np.all(np.isfinite(p)):
        raise InputError("true_tox", list(true_tox), "DLT probabilities must lie in [0, 1]")
    return p


MAX_EXACT_STATES = 2_000_000
"""Most states exact_oc evaluates, summed over cohorts and weighted by each design's state_cost.

Enumeration grows about geometrically with doses and cohorts (BOIN, 8 doses, 60 patients would
take minutes); beyond this budget exact_oc refuses and points to simulate_oc, whose Monte Carlo
error is known and falls with the number of trials.
"""


def cohort_pmf(p: np.ndarray, size: int) -> np.ndarray:
    """P(k DLTs in a cohort of ``size``) = C(size, k) p^k (1-p)^(size-k); rows are doses."""
    k = np.arange(size + 1)
    ways = np.array([math.comb(size, j) for j in k], dtype=float)
    return ways * p[:, None] ** k * (1.0 - p[:, None]) ** (size - k)


@dataclass(frozen=True)
class CohortStep:
    """One cohort of the reachable-state graph: how the states' probabilities flow through it.

    Child c of the step is state c // (cohort size + 1) of the previous step's ``go`` (the start
    for the first cohort), given the cohort at dose ``dose[c // (cohort size + 1)]`` with
    c % (cohort size + 1) DLTs; it merges into state ``group[c]`` of this step's ``states``.
    States ``ended`` (None: every state) stop there with their MTD and counts (rows n_1..n_J,
    y_1..y_J); states ``go`` take the next cohort.
    """

    dose: np.ndarray
    group: np.ndarray
    states: int
    ended: np.ndarray | None
    mtd: np.ndarray
    counts_ended: np.ndarray
    go: np.ndarray


@functools.lru_cache(maxsize=4)
def state_graph(design: Design, max_states: int = MAX_EXACT_STATES) -> tuple[CohortStep, ...]:
    """Every state a trial under ``design`` can reach, cohort by cohort, with its decision.

    The graph depends on the design only: which outcomes can occur does not depend on the true
    DLT probabilities (those in (0, 1); outcomes impossible under 0 or 1 carry probability 0),
    so one graph serves every scenario of a scan, and the last 4 designs' graphs are kept
    (a graph at the state budget holds about 40 MB).
    """
    size = design.cohort_size
    num_doses = design.num_doses
    # Counts n_1..n_J, y_1..y_J side by side in one small-integer row per state, which the
    # compiled merge (_kernel.c, merge_cohort) copies and compares as bytes (a dose never holds
    # more than max_per_dose patients).
    count_type = np.int8 if design.max_per_dose < 127 else np.int32
    counts = np.zeros((1, 2 * num_doses), dtype=count_type)
    dose = np.array([design.start_dose], dtype=np.int64)
    evaluated = 0
    steps: list[CohortStep] = []
    # A design capped by sample size stops every trial at its last cohort and selects the MTD
    # from the counts alone (BOIN select.mtd, CRM's estimate), so the last cohort's states merge
    # by counts, whatever the dose they ended at.
    last_by_counts = isinstance(design, CappedBySampleSize)

    for cohort in range(design.horizon):
        evaluated += len(dose) * (size + 1) * design.state_cost
        if evaluated > max_states:
            raise InputError(
                "design",
                f"{num_doses} doses, cohorts of {size}, max_n {design.max_n}",
                f"exact operating characteristics would evaluate more than {max_states:,} "
                "states; simulate instead (simulate_oc, --trials N --seed S)",
            )
        # Paths reaching the same counts at the same dose decide alike: merge them before deciding.
        group = np.empty(len(dose) * (size + 1), dtype=np.int32)
        try:
            rows, doses = _kernel.merge_cohort(
                counts, dose, size, last_by_counts and cohort == design.horizon - 1, group
            )
        except ValueError as error:
            raise EngineError(
                repr(design), f"a cohort's outcomes did not merge: {error.args}"
            ) from None
        counts = np.frombuffer(rows, dtype=count_type).reshape(-1, 2 * num_doses)
        current = np.frombuffer(doses, dtype=np.int64)
        found = len(current)

        step = design.step(counts[:, :num_doses], counts[:, num_doses:], current)
        ended = np.empty(found, dtype=np.int64)
        go = np.empty(found, dtype=np.int64)
        stopped = _kernel.split_stopped(step.next_dose, ended, go)
        if stopped == found:
            steps.append(
                CohortStep(
                    dose=dose,
                    group=group,
                    states=found,
                    ended=None,
                    mtd=step.mtd,
                    counts_ended=counts,
                    go=np.empty(0, dtype=np.int64),
                )
            )
            return tuple(steps)
        ended, go = ended[:stopped], go[: found - stopped]
        steps.append(
            CohortStep(
                dose=dose,
                group=group,
                states=found,
                ended=ended,
                mtd=step.mtd.take(ended),
                counts_ended=counts.take(ended, axis=0),
                go=go,
            )
        )
        counts, dose = counts.take(go, axis=0), step.next_dose.take(go)
    raise EngineError(repr(design), "left trials running after its horizon of cohorts")


def exact_oc(
    design: Design, true_tox: Sequence[float], max_states: int = MAX_EXACT_STATES
) -> OperatingCharacteristics:
    """Exact operating characteristics under true DLT probabilities (one per dose).

    Refuses with InputError before evaluating more than ``max_states`` states (weighted by the
    design's ``state_cost``): use simulate_oc instead.
    """
    p = check_true_tox(true_tox, design.num_doses)
    pmf = cohort_pmf(p, design.cohort_size).ravel()
    num_doses = design.num_doses
    prob = np.ones(1)
    prob_select = np.zeros(num_doses + 1)
    expected_n_at_dose = np.zeros(num_doses)
    expected_dlt = 0.0
    for step in state_graph(design, max_states):
        merged = np.empty(step.states)
        _kernel.propagate(prob, step.dose, step.group, pmf, design.cohort_size, merged)
        if step.mtd.size:
            expected_dlt += _kernel.accumulate_ended(
                merged, step.ended, step.mtd, step.counts_ended, prob_select, expected_n_at_dose
            )
        prob = merged.take(step.go)

    return OperatingCharacteristics(
        true_tox=tuple(float(v) for v in p),
        prob_select=prob_select,
        expected_n=float(expected_n_at_dose.sum()),
        expected_dlt=expected_dlt,
        expected_n_at_dose=expected_n_at_dose,
        method="exact",
    )
