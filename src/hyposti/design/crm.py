"""CRM with the empiric (power) model (O'Quigley, Pepe & Fisher 1990), dfcrm defaults (Cheung 2011).

p_j(beta) = skeleton_j ** exp(beta), beta ~ Normal(0, variance 1.34); the posterior is integrated
on a fixed grid (composite Simpson), so identical counts give identical answers and the exact
operating characteristics stay exact. The dose estimate follows dfcrm `crm`: skeleton_j raised to
exp(posterior mean of beta). Safety add-ons (Cheung 2011, chapter 5): no skipping untried doses
when escalating, and stop with no MTD when P(p_1 > target | data) exceeds ``stop_confidence``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from hyposti.design.decision import (
    CappedBySampleSize,
    DoseLabel,
    Step,
    check_common,
    check_target,
)
from hyposti.errors import InputError

PRIOR_VARIANCE = 1.34
"""dfcrm default prior variance of beta for the empiric model (Cheung 2011, section 3.2)."""


class Reason(IntEnum):
    ESCALATE = 1
    STAY = 2
    DEESCALATE = 3
    NO_SKIPPING = 4
    TOO_TOXIC = 5
    CAP = 6


def _simpson(a: float, b: float, points: int) -> tuple[np.ndarray, np.ndarray]:
    nodes = np.linspace(a, b, points)
    h = (b - a) / (points - 1)
    weights = np.full(points, 2.0)
    weights[1::2] = 4.0
    weights[0] = weights[-1] = 1.0
    return nodes, weights * h / 3.0


@dataclass(frozen=True)
class PosteriorGrid:
    """Quadrature nodes for beta, with the node split at the dose-1 safety cut point."""

    nodes: np.ndarray
    weights: np.ndarray
    below_cut: np.ndarray
    log_p: np.ndarray
    log_1mp: np.ndarray


def posterior_grid(
    skeleton: Sequence[float], target: float, prior_variance: float, points: int = 401
) -> PosteriorGrid:
    """Grid over +-10 prior SDs; p_1 > target exactly when beta < log(log(target)/log(s_1))."""
    sd = math.sqrt(prior_variance)
    cut = math.log(math.log(target) / math.log(skeleton[0]))
    lo, hi = min(-10.0 * sd, cut - 1.0), max(10.0 * sd, cut + 1.0)
    left_nodes, left_weights = _simpson(lo, cut, points)
    right_nodes, right_weights = _simpson(cut, hi, points)
    nodes = np.concatenate([left_nodes, right_nodes[1:]])
    weights = np.concatenate([left_weights[:-1], [left_weights[-1] + right_weights[0]]])
    weights = np.concatenate([weights, right_weights[1:]])
    below = np.concatenate([left_weights, np.zeros(points - 1)])
    prior = np.exp(-0.5 * nodes**2 / prior_variance)
    log_p = np.exp(nodes)[:, None] * np.log(np.asarray(skeleton))[None, :]
    return PosteriorGrid(
        nodes=nodes,
        weights=weights * prior,
        below_cut=below * prior,
        log_p=log_p,
        log_1mp=np.log(-np.expm1(log_p)),
    )


@dataclass(frozen=True)
class Crm(CappedBySampleSize):
    """Bayesian CRM, empiric model, dfcrm defaults, no skipping and a dose-1 safety stop.

    ``estimate``: "plugin" = skeleton ** exp(E[beta]) as dfcrm `crm`; "mean" = E[p_j | data].
    """

    num_doses: int
    target: float
    skeleton: tuple[float, ...]
    max_n: int
    cohort_size: int = 3
    start_dose: int = 1
    prior_variance: float = PRIOR_VARIANCE
    stop_confidence: float = 0.9
    estimate: str = "plugin"
    _grid: PosteriorGrid = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_target(self.target)
        check_common(self.num_doses, self.cohort_size, self.start_dose, self.max_n)
        skeleton = tuple(float(s) for s in self.skeleton)
        object.__setattr__(self, "skeleton", skeleton)
        if len(skeleton) != self.num_doses:
            raise InputError(
                "skeleton", skeleton, f"needs one prior DLT probability per dose ({self.num_doses})"
            )
        if any(not 0.0 < s < 1.0 for s in skeleton):
            raise InputError("skeleton", skeleton, "every prior DLT probability must lie in (0, 1)")
        if any(b <= a for a, b in itertools.pairwise(skeleton)):
            raise InputError("skeleton", skeleton, "prior DLT probabilities must increase strictly")
        if self.prior_variance <= 0:
            raise InputError("prior_variance", self.prior_variance, "must be positive")
        if not 0.5 <= self.stop_confidence <= 1.0:
            raise InputError("stop_confidence", self.stop_confidence, "must lie in [0.5, 1]")
        if self.estimate not in ("plugin", "mean"):
            raise InputError("estimate", self.estimate, "must be 'plugin' (dfcrm) or 'mean'")
        grid = posterior_grid(skeleton, self.target, self.prior_variance)
        object.__setattr__(self, "_grid", grid)

    @property
    def state_cost(self) -> int:
        # One decision integrates the posterior on an 801-node grid: about 10 BOIN decisions.
        return 10

    def posterior(self, n: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: dose-wise DLT estimates (S, J) and P(p_1 > target | data) (S,)."""
        grid = self._grid
        log_lik = y @ grid.log_p.T + (n - y) @ grid.log_1mp.T
        density = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))
        total = density @ grid.weights
        if self.estimate == "plugin":
            beta_mean = (density @ (grid.weights * grid.nodes)) / total
            p = np.asarray(self.skeleton)[None, :] ** np.exp(beta_mean)[:, None]
        else:
            p = (density * grid.weights) @ np.exp(grid.log_p) / total[:, None]
        return p, (density @ grid.below_cut) / total

    def step(self, n: np.ndarray, y: np.ndarray, current: np.ndarray) -> Step:
        """Recommend the dose whose estimate is closest to the target (O'Quigley et al. 1990)."""
        p, p_over = self.posterior(n, y)
        recommended = np.abs(p - self.target).argmin(axis=1) + 1
        tried = n > 0
        highest_tried = self.num_doses - tried[:, ::-1].argmax(axis=1)
        next_dose = np.minimum(recommended, highest_tried + 1)
        code = np.full(n.shape[0], Reason.STAY.value, dtype=np.int8)
        code[next_dose > current] = Reason.ESCALATE.value
        code[next_dose < current] = Reason.DEESCALATE.value
        code[recommended > highest_tried + 1] = Reason.NO_SKIPPING.value
        mtd = np.zeros(n.shape[0], dtype=np.int64)
        capped = n.sum(axis=1) >= self.max_n
        mtd[capped] = np.minimum(recommended, highest_tried)[capped]
        code[capped] = Reason.CAP.value
        next_dose[capped] = 0
        too_toxic = p_over > self.stop_confidence
        code[too_toxic] = Reason.TOO_TOXIC.value
        next_dose[too_toxic] = 0
        mtd[too_toxic] = 0
        return Step(next_dose=next_dose, mtd=mtd, code=code)

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
        p, p_over = self.posterior(n[None, :], y[None, :])
        estimates = ", ".join(f"{v:.2f}" for v in p[0])
        rec = int(np.abs(p[0] - self.target).argmin()) + 1
        model = f"estimated DLT rates [{estimates}], closest to {self.target:g} at {label(rec)}"
        reason = Reason(code)
        if reason is Reason.TOO_TOXIC:
            return (
                f"P(DLT rate at {label(1)} > {self.target:g}) = {p_over[0]:.3f} > "
                f"{self.stop_confidence:g}: stop, no MTD"
            )
        if reason is Reason.CAP:
            chosen = f"MTD = {label(mtd)}" if mtd else "no MTD"
            return f"sample-size cap of {self.max_n} patients reached; {model}: stop, {chosen}"
        if reason is Reason.NO_SKIPPING:
            return f"{model}; no skipping untried doses: escalate to {label(next_dose)}"
        verbs = {Reason.ESCALATE: "escalate to", Reason.STAY: "stay at"}
        verb = verbs.get(reason, "de-escalate to")
        return f"{model}: {verb} {label(next_dose)}"
