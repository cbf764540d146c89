"""BOIN (Liu & Yuan 2015, J R Stat Soc C 64:507): interval boundaries, elimination, isotonic MTD.

Decision order and tables follow the authors' R package BOIN 2.7 (Yan, Pan, Zhang, Liu & Yuan
2020, J Stat Softw 94(13)): `get.boundary`, `get.oc` and `select.mtd`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from hyposti.design import _kernel
from hyposti.design.decision import (
    CappedBySampleSize,
    DoseLabel,
    Step,
    check_common,
    check_target,
    kernel_error,
)
from hyposti.design.toxicity_monitoring import MAX_MONITOR_N, ToxicityMonitor
from hyposti.errors import InputError


class Reason(IntEnum):
    """Why a BOIN step decided as it did: the codes the compiled decision returns."""

    ESCALATE = _kernel.ESCALATE
    STAY = _kernel.STAY
    DEESCALATE = _kernel.DEESCALATE
    STAY_AT_TOP = _kernel.STAY_AT_TOP
    STAY_AT_BOTTOM = _kernel.STAY_AT_BOTTOM
    ELIMINATED = _kernel.ELIMINATED
    NO_SAFE_DOSE = _kernel.NO_SAFE_DOSE
    EARLY_STOP = _kernel.EARLY_STOP
    CAP = _kernel.CAP


def boin_lambdas(target: float, phi1: float, phi2: float) -> tuple[float, float]:
    """Escalation and de-escalation boundaries lambda_e, lambda_d (Liu & Yuan 2015, eq. 2.3)."""
    check_target(target)
    if not 0.0 < phi1 < target:
        raise InputError("phi1", phi1, f"must lie strictly between 0 and the target {target}")
    if not target < phi2 < 1.0:
        raise InputError("phi2", phi2, f"must lie strictly between the target {target} and 1")
    lambda_e = math.log((1 - phi1) / (1 - target)) / math.log(
        target * (1 - phi1) / (phi1 * (1 - target))
    )
    lambda_d = math.log((1 - target) / (1 - phi2)) / math.log(
        phi2 * (1 - target) / (target * (1 - phi2))
    )
    return lambda_e, lambda_d


MAX_BOUNDARY_N = MAX_MONITOR_N
"""Largest n the boundary table is computed for (1000): BOIN trials treat a few dozen patients."""


def elimination_counts(max_n: int, target: float, cutoff: float) -> tuple[int | None, ...]:
    """Fewest DLTs in n = 1..max_n making P(p > target | Beta(1,1) prior) > cutoff; None below 3.

    Liu & Yuan 2015, section 2.3 (safety rule); as `get.boundary` in R package BOIN. It is the
    beta-binomial stopping rule of Thall, Simon & Estey 1995 with a uniform prior, so it is
    computed by that one engine.
    """
    rule = ToxicityMonitor(prior_a=1.0, prior_b=1.0, theta=target, threshold=cutoff, max_n=max_n)
    table = rule.boundaries().stop_if_dlt_ge
    # R BOIN counts from 1 DLT: a rule so strict that 0 DLTs would cross still needs one DLT.
    return tuple(
        None if n < 3 or count is None else max(count, 1) for n, count in enumerate(table, start=1)
    )


@dataclass(frozen=True)
class BoinBoundaries:
    """The decision table: entry i is for n = i + 1 patients at the current dose."""

    target: float
    lambda_e: float
    lambda_d: float
    escalate_if_dlt_le: tuple[int, ...]
    deescalate_if_dlt_ge: tuple[int, ...]
    eliminate_if_dlt_ge: tuple[int | None, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "lambda_e": self.lambda_e,
            "lambda_d": self.lambda_d,
            "n": list(range(1, len(self.escalate_if_dlt_le) + 1)),
            "escalate_if_dlt_le": list(self.escalate_if_dlt_le),
            "deescalate_if_dlt_ge": list(self.deescalate_if_dlt_ge),
            "eliminate_if_dlt_ge": list(self.eliminate_if_dlt_ge),
        }


def boin_boundaries(
    target: float,
    max_n: int,
    phi1: float | None = None,
    phi2: float | None = None,
    cutoff: float = 0.95,
) -> BoinBoundaries:
    """Boundary table for n = 1..max_n as R package BOIN `get.boundary` (Liu & Yuan 2015, Table 1).

    Escalate if y <= floor(lambda_e n); de-escalate if y >= floor(lambda_d n) + 1, capped at the
    elimination count.
    """
    check_target(target)
    if not 1 <= max_n <= MAX_BOUNDARY_N:
        raise InputError("max_n", max_n, f"the table is computed for 1..{MAX_BOUNDARY_N} patients")
    if not 0.5 < cutoff < 1.0:
        raise InputError("elimination_cutoff", cutoff, "must lie in (0.5, 1)")
    lambda_e, lambda_d = boin_lambdas(
        target, 0.6 * target if phi1 is None else phi1, 1.4 * target if phi2 is None else phi2
    )
    escalate, deescalate, eliminate = [], [], []
    for n, elim in enumerate(elimination_counts(max_n, target, cutoff), start=1):
        down = math.floor(lambda_d * n) + 1
        escalate.append(math.floor(lambda_e * n))
        deescalate.append(down if elim is None else min(down, elim))
        eliminate.append(elim)
    return BoinBoundaries(
        target=target,
        lambda_e=lambda_e,
        lambda_d=lambda_d,
        escalate_if_dlt_le=tuple(escalate),
        deescalate_if_dlt_ge=tuple(deescalate),
        eliminate_if_dlt_ge=tuple(eliminate),
    )


@dataclass(frozen=True)
class BoinTables:
    """Every per-dose rule of a design as a look-up by cell n * (max_n + 1) + y (n patients at a
    dose, y of them with DLTs), which the compiled decision (_kernel.c) reads."""

    move: np.ndarray
    eliminated: np.ndarray
    p_hat: np.ndarray
    weight: np.ndarray


def boin_tables(design: Boin) -> BoinTables:
    """The design's boundary table (boin_boundaries) and select_mtd's estimates, by cell."""
    table = design.boundaries()
    max_n = design.max_n
    sentinel = max_n + 1
    escalate = np.array((-1, *table.escalate_if_dlt_le), dtype=np.int64)[:, None]
    deescalate = np.array((sentinel, *table.deescalate_if_dlt_ge), dtype=np.int64)[:, None]
    eliminate = np.array(
        (sentinel, *(sentinel if e is None else e for e in table.eliminate_if_dlt_ge)),
        dtype=np.int64,
    )[:, None]
    y = np.arange(max_n + 1)[None, :]
    n = np.arange(max_n + 1)[:, None]
    # +1 escalate, 0 stay, -1 de-escalate. A cell meets both boundaries only when the
    # elimination count caps de-escalation at or below floor(lambda_e n) (a cutoff near 0.5):
    # the cell then eliminates its dose, and step's elimination rule decides.
    move = np.where(y >= deescalate, -1, np.where(y <= escalate, 1, 0)).astype(np.int8)
    # MTD selection's estimate and isotonic weight per cell (select_mtd).
    p_hat = (y + 0.05) / (n + 0.1)
    with np.errstate(divide="ignore"):
        # Cells with y > n never occur; their weights are not read.
        weight = 1.0 / ((y + 0.05) * (n - y + 0.05) / ((n + 0.1) ** 2 * (n + 0.1 + 1)))
    return BoinTables(
        move=move.ravel(),
        eliminated=(y >= eliminate).ravel(),
        p_hat=p_hat.ravel(),
        weight=weight.ravel(),
    )


@dataclass(frozen=True)
class Boin(CappedBySampleSize):
    """BOIN with dose elimination, optional early stop and isotonic MTD selection (Liu & Yuan 2015).

    ``n_earlystop``: stop when the current dose has this many patients and the decision is to stay
    (R package BOIN `get.oc`, argument n.earlystop). ``phi1``/``phi2`` default to 0.6 and 1.4 times
    the target (Liu & Yuan 2015, section 2.2).
    """

    num_doses: int
    target: float
    max_n: int
    cohort_size: int = 3
    start_dose: int = 1
    n_earlystop: int | None = None
    phi1: float | None = None
    phi2: float | None = None
    elimination_cutoff: float = 0.95
    _tables: BoinTables = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_target(self.target)
        check_common(self.num_doses, self.cohort_size, self.start_dose, self.max_n)
        if self.n_earlystop is not None and self.n_earlystop < 1:
            raise InputError("n_earlystop", self.n_earlystop, "must be a positive number")
        object.__setattr__(self, "_tables", boin_tables(self))

    def boundaries(self) -> BoinBoundaries:
        return boin_boundaries(
            self.target, self.max_n, self.phi1, self.phi2, self.elimination_cutoff
        )

    def first_eliminated(self, n: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Lowest eliminated dose per row (num_doses + 1 when none): it and all above are out."""
        first_out = np.empty(len(n), dtype=np.int64)
        try:
            _kernel.boin_first_out(n, y, *self._kernel_tables, self.max_n, first_out)
        except ValueError as error:
            raise kernel_error(error) from None
        return first_out

    def step(self, n: np.ndarray, y: np.ndarray, current: np.ndarray) -> Step:
        """One BOIN decision after a cohort (R package BOIN `get.oc`, Liu & Yuan 2015 section 2).

        Move by the boundary table at the current dose (escalate, stay, de-escalate), never past
        dose 1 nor into the lowest eliminated dose; a current dose at or above it goes just below
        it, and with dose 1 eliminated the trial stops without an MTD. Decided state by state in
        _kernel.c (boin_step).
        """
        size = len(current)
        next_dose = np.empty(size, dtype=np.int64)
        mtd = np.empty(size, dtype=np.int64)
        code = np.empty(size, dtype=np.int8)
        early = self.max_n + 1 if self.n_earlystop is None else self.n_earlystop
        try:
            _kernel.boin_step(
                n, y, current, *self._kernel_tables, self.max_n, early, self.target,
                next_dose, mtd, code,
            )  # fmt: skip
        except ValueError as error:
            raise kernel_error(error) from None
        return Step(next_dose=next_dose, mtd=mtd, code=code)

    def select_mtd(self, n: np.ndarray, y: np.ndarray, first_out: np.ndarray) -> np.ndarray:
        """Isotonic estimate closest to the target over treated, non-eliminated doses (0 = none).

        R package BOIN `select.mtd`: p_hat = (y + 0.05)/(n + 0.1), PAVA with weights 1/variance,
        ties broken by adding 1e-10 times the rank (lower dose if above target, higher if below).
        Selected in _kernel.c (boin_select), as step selects when a trial stops.
        """
        mtd = np.empty(len(n), dtype=np.int64)
        try:
            _kernel.boin_select(n, y, first_out, *self._kernel_tables, self.max_n, self.target, mtd)
        except ValueError as error:
            raise kernel_error(error) from None
        return mtd

    @property
    def _kernel_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        tables = self._tables
        return tables.move, tables.eliminated, tables.p_hat, tables.weight

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
        d = current
        nd, yd = int(n[d - 1]), int(y[d - 1])
        lam = f"lambda_e {self._lambda_e:.3f}, lambda_d {self._lambda_d:.3f}"
        seen = f"{yd}/{nd} DLTs at {label(d)} (rate {yd / nd:.2f}; {lam})"
        chosen = f"MTD = {label(mtd)}" if mtd else "no dose qualifies as MTD"
        reason = Reason(code)
        if reason is Reason.ESCALATE:
            return f"{seen}: rate <= lambda_e, escalate to {label(next_dose)}"
        if reason is Reason.STAY:
            return f"{seen}: rate between the boundaries, stay at {label(d)}"
        if reason is Reason.DEESCALATE:
            return f"{seen}: rate > lambda_d, de-escalate to {label(next_dose)}"
        if reason is Reason.STAY_AT_TOP:
            why = "it is the highest dose" if d == self.num_doses else "the next dose is eliminated"
            return f"{seen}: rate <= lambda_e but {why}, stay at {label(d)}"
        if reason is Reason.STAY_AT_BOTTOM:
            return f"{seen}: rate > lambda_d but it is the lowest dose, stay at {label(d)}"
        out = int(self.first_eliminated(n[None, :], y[None, :])[0])
        gone = (
            (
                f"{int(y[out - 1])}/{int(n[out - 1])} DLTs at {label(out)} give "
                f"P(DLT rate > {self.target:g}) > {self.elimination_cutoff:g}: "
                f"{label(out)} and above are eliminated"
            )
            if out <= self.num_doses
            else ""
        )
        if reason is Reason.ELIMINATED:
            return f"{gone}; de-escalate to {label(next_dose)}"
        if reason is Reason.NO_SAFE_DOSE:
            return f"{gone}; no dose is left: stop, no MTD"
        if reason is Reason.EARLY_STOP:
            return (
                f"{seen}: stay with {nd} >= n_earlystop {self.n_earlystop} at {label(d)}: "
                f"stop, {chosen} (isotonic estimate closest to {self.target:g})"
            )
        return (
            f"sample-size cap of {self.max_n} patients reached: stop, {chosen} "
            f"(isotonic estimate closest to {self.target:g})"
        )

    @property
    def _lambda_e(self) -> float:
        return boin_lambdas(self.target, *self._phis)[0]

    @property
    def _lambda_d(self) -> float:
        return boin_lambdas(self.target, *self._phis)[1]

    @property
    def _phis(self) -> tuple[float, float]:
        return (
            0.6 * self.target if self.phi1 is None else self.phi1,
            1.4 * self.target if self.phi2 is None else self.phi2,
        )
