"""Simon's two-stage design for a response rate (Simon 1989, Control Clin Trials 10:1).

Treat n1 patients; stop for futility if at most r1 respond; otherwise treat n - n1 more and call
the treatment promising if more than r of all n respond. For H0: p <= p0 against p >= p1 the
optimal design minimises E[N | p0] and the minimax design minimises n, among designs with
type I error < alpha and type II error < beta. The search reproduces R clinfun `ph2simon`
(Seshan, Fortran `f2bdry`): for each n the design of least E[N | p0] (ties: smallest n1, then
largest r1, then largest r), minimax = the smallest feasible n, optimal = least E[N | p0] over n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hyposti.errors import InputError

MAX_SIMON_N = 200
"""Largest total sample size searched: single-arm phase II trials sit far below it, and the exact
search over (n1, r1, n, r) grows as n^4 (clinfun allows 1000 at a cost of minutes)."""


@dataclass(frozen=True)
class SimonDesign:
    """Stop after stage 1 if responses <= r1 of n1; promising if responses > r of n in all."""

    r1: int
    n1: int
    r: int
    n: int

    def __post_init__(self) -> None:
        if not 1 <= self.n1 < self.n:
            raise InputError("n1", self.n1, f"the first stage must have 1..{self.n - 1} patients")
        if self.n > MAX_SIMON_N:
            raise InputError("n", self.n, f"at most {MAX_SIMON_N} patients in all")
        if not 0 <= self.r1 < self.n1:
            raise InputError("r1", self.r1, f"the futility bound must lie in 0..{self.n1 - 1}")
        if not self.r1 <= self.r < self.n:
            raise InputError("r", self.r, f"the final bound must lie in {self.r1}..{self.n - 1}")

    def __str__(self) -> str:
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"

    def to_dict(self) -> dict[str, object]:
        return {"r1": self.r1, "n1": self.n1, "r": self.r, "n": self.n}

    def stops_for_futility(self, stage_one_responses: int) -> bool:
        """Stage 1 ends the trial when at most r1 of the first n1 patients respond."""
        if not 0 <= stage_one_responses <= self.n1:
            raise InputError("responses", stage_one_responses, f"must lie in 0..{self.n1}")
        return stage_one_responses <= self.r1

    def promising(self, responses: int) -> bool:
        """The treatment is promising when more than r of the n patients respond."""
        if not 0 <= responses <= self.n:
            raise InputError("responses", responses, f"must lie in 0..{self.n}")
        return responses > self.r


@dataclass(frozen=True)
class SimonCharacteristics:
    """Exact type I error (alpha), power, E[N | p0] and P(early termination | p0) of a design."""

    design: SimonDesign
    p0: float
    p1: float
    alpha: float
    power: float
    en_p0: float
    pet_p0: float

    def to_dict(self) -> dict[str, object]:
        return self.design.to_dict() | {
            "p0": self.p0,
            "p1": self.p1,
            "alpha": self.alpha,
            "power": self.power,
            "en_p0": self.en_p0,
            "pet_p0": self.pet_p0,
        }


@dataclass(frozen=True)
class SimonSearch:
    """The optimal and minimax designs, and the least-E[N | p0] design for every feasible n."""

    optimal: SimonCharacteristics
    minimax: SimonCharacteristics
    by_n: tuple[SimonCharacteristics, ...]

    def to_dict(self) -> dict[str, object]:
        return {"optimal": self.optimal.to_dict(), "minimax": self.minimax.to_dict()}


def check_rates(p0: float, p1: float) -> None:
    if not 0.0 < p0 < 1.0:
        raise InputError("p0", p0, "the uninteresting response rate must lie in (0, 1)")
    if not p0 < p1 < 1.0:
        raise InputError("p1", p1, f"the target response rate must lie in ({p0:g}, 1)")


def reject_probability(design: SimonDesign, p: float) -> float:
    """P(more than r1 of n1 respond and more than r of n in all) = sum_x1 b(x1) P(X2 > r - x1)."""
    from scipy.stats import binom

    x1 = np.arange(design.r1 + 1, design.n1 + 1)
    return float(binom.pmf(x1, design.n1, p) @ binom.sf(design.r - x1, design.n - design.n1, p))


def simon_characteristics(design: SimonDesign, p0: float, p1: float) -> SimonCharacteristics:
    """Exact operating figures of one design (Simon 1989, section 2)."""
    from scipy.stats import binom

    check_rates(p0, p1)
    pet = float(binom.cdf(design.r1, design.n1, p0))
    return SimonCharacteristics(
        design=design,
        p0=p0,
        p1=p1,
        alpha=reject_probability(design, p0),
        power=reject_probability(design, p1),
        en_p0=design.n1 + (1.0 - pet) * (design.n - design.n1),
        pet_p0=pet,
    )


def _survival_table(p: float, nmax: int) -> np.ndarray:
    """S[n2, t + nmax] = P(Binomial(n2, p) > t) for n2 = 0..nmax and t = -nmax..nmax."""
    from scipy.stats import binom

    t = np.arange(-nmax, nmax + 1)
    n2 = np.arange(nmax + 1)[:, None]
    table: np.ndarray = binom.sf(t[None, :], n2, p)
    return table


def simon_designs(p0: float, p1: float, alpha: float, beta: float, nmax: int = 100) -> SimonSearch:
    """Optimal and minimax designs with type I error < alpha and type II error < beta, n <= nmax.

    Vectorised over (n2, r) for each n1 and r1: the rejection probability is a running sum over
    x1 = n1, n1 - 1, ... of b(x1; n1, p) P(X2 > r - x1), and where it crosses alpha (under p0)
    and 1 - beta (under p1) bounds the feasible r.
    """
    from scipy.stats import binom

    check_rates(p0, p1)
    if not 0.0 < alpha < 1.0:
        raise InputError("alpha", alpha, "the type I error must lie in (0, 1)")
    if not 0.0 < beta < 1.0:
        raise InputError("beta", beta, "the type II error must lie in (0, 1)")
    if not 2 <= nmax <= MAX_SIMON_N:
        raise InputError(
            "nmax", nmax, f"the largest total sample size must lie in 2..{MAX_SIMON_N}"
        )

    surv = np.stack([_survival_table(p0, nmax), _survival_table(p1, nmax)])
    best_en = np.full(nmax + 1, np.inf)
    best = np.zeros((nmax + 1, 3), dtype=np.int64)  # n1, r1, r for each n
    for n1 in range(1, nmax):
        pmf = np.stack([binom.pmf(np.arange(n1 + 1), n1, p) for p in (p0, p1)])
        pet = binom.cdf(np.arange(n1), n1, p0)  # P(X1 <= r1), r1 = 0..n1-1
        n2 = np.arange(1, nmax - n1 + 1)
        stage_two = surv[:, n2, :]
        # reject[h, n2, r] = P(X1 > r1, X1 + X2 > r) under p0 (h = 0) and p1 (h = 1), summed
        # over x1 from n1 down to r1 + 1, one x1 at a time (contiguous slices, small memory).
        reject = np.zeros((2, n2.size, nmax))
        r_alpha = np.empty((n2.size, n1), dtype=np.int64)
        r_power = np.empty((n2.size, n1), dtype=np.int64)
        for x1 in range(n1, 0, -1):
            reject += pmf[:, x1, None, None] * stage_two[:, :, nmax - x1 : 2 * nmax - x1]
            # Both fall as r grows, so counting where a bound fails finds where it starts to
            # hold: alpha holds from r_alpha on, power up to r_power (r1 = x1 - 1).
            r_alpha[:, x1 - 1] = (reject[0] >= alpha).sum(axis=1)
            r_power[:, x1 - 1] = (1.0 - reject[1] < beta).sum(axis=1) - 1
        # clinfun's range: r1 <= r <= r1 + n2 (larger r is the same design with a larger r1); it
        # keeps the largest feasible r.
        r1_values = np.arange(n1)
        low = np.maximum(r_alpha, r1_values[None, :])
        high = np.minimum(r_power, r1_values[None, :] + n2[:, None])
        feasible = low <= high
        if not feasible.any():
            continue
        en = np.where(feasible, n1 + (1.0 - pet)[None, :] * n2[:, None], np.inf)
        # Least E[N], ties to the largest r1 (clinfun scans r1 downwards, keeps the first).
        r1_best = n1 - 1 - en[:, ::-1].argmin(axis=1)
        rows = np.arange(n2.size)
        en_best = en[rows, r1_best]
        n_total = n1 + n2
        # Strictly better only (clinfun scans n1 upwards), and E[N] < n: a first stage that
        # can stop, as clinfun records.
        better = (en_best < best_en[n_total]) & (en_best < n_total)
        idx = n_total[better]
        best_en[idx] = en_best[better]
        best[idx] = np.column_stack(
            [np.full(idx.size, n1), r1_best[better], high[rows, r1_best][better]]
        )

    feasible_n = np.flatnonzero(np.isfinite(best_en))
    if feasible_n.size == 0:
        raise InputError(
            "nmax", nmax, "no two-stage design meets alpha and beta with this many patients"
        )
    by_n = tuple(
        simon_characteristics(
            SimonDesign(r1=int(best[n, 1]), n1=int(best[n, 0]), r=int(best[n, 2]), n=int(n)),
            p0,
            p1,
        )
        for n in feasible_n
    )
    optimal = int(np.argmin([c.en_p0 for c in by_n]))
    return SimonSearch(optimal=by_n[optimal], minimax=by_n[0], by_n=by_n)
