"""Continuous toxicity monitoring of an expansion cohort: a Bayesian beta-binomial stopping rule.

After every evaluable patient, stop enrolling when P(p_tox > theta | y DLTs in n) > c under a
Beta(a, b) prior (Thall, Simon & Estey 1995, Stat Med 14:357, section 2). The rule depends on
(n, y) only, so the stopping boundary is a table over n, and the probability of stopping and the
expected sample size under any true DLT rate follow exactly from a forward pass over the
distribution of y among trials still running (no simulation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hyposti.design.simulate import MAX_TRIALS
from hyposti.errors import InputError

SIMULATED_CELLS = 10_000_000
"""Patient outcomes drawn at once: memory stays about 10 MB whatever the number of cohorts."""

MAX_MONITOR_N = 1000
"""Largest cohort the rule is tabulated for: far beyond any expansion cohort (NCT05681650 enrols
at most 21), and small enough that a boundary table stays instant and readable."""


def posterior_exceeds(prior_a: float, prior_b: float, theta: float, n: int, dlts: int) -> float:
    """P(p > theta | dlts of n) under a Beta(prior_a, prior_b) prior (conjugate beta posterior)."""
    # Imported here so that importing the design package stays light for the command line.
    from scipy.special import betaincc

    return float(betaincc(prior_a + dlts, prior_b + n - dlts, theta))


@dataclass(frozen=True)
class MonitorBoundaries:
    """``stop_if_dlt_ge[i]``: fewest DLTs among n = i + 1 patients that stop (None: none does)."""

    stop_if_dlt_ge: tuple[int | None, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "n": list(range(1, len(self.stop_if_dlt_ge) + 1)),
            "stop_if_dlt_ge": list(self.stop_if_dlt_ge),
        }


@dataclass(frozen=True)
class MonitorDecision:
    """Where a cohort stands against the rule after its n-th evaluable patient."""

    n: int
    dlts: int
    posterior: float
    boundary: int | None
    stop: bool
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "dlts": self.dlts,
            "posterior_prob_exceeds": self.posterior,
            "stop_if_dlt_ge": self.boundary,
            "stop": self.stop,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MonitorOperating:
    """Exact behaviour under a true DLT rate: P(stop early), E[N], P(stopped by patient n)."""

    true_tox: float
    prob_stop: float
    expected_n: float
    prob_stop_by_n: tuple[float, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "true_tox": self.true_tox,
            "prob_stop": self.prob_stop,
            "expected_n": self.expected_n,
            "prob_stop_by_n": list(self.prob_stop_by_n),
        }


@dataclass(frozen=True)
class ToxicityMonitor:
    """Stop when P(p_tox > theta | data) > threshold under Beta(prior_a, prior_b), checked after
    each of up to ``max_n`` patients (Thall, Simon & Estey 1995, Stat Med 14:357)."""

    prior_a: float
    prior_b: float
    theta: float
    threshold: float
    max_n: int

    def __post_init__(self) -> None:
        for name in ("prior_a", "prior_b"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InputError(name, value, "a beta prior parameter must be a positive number")
        if not 0.0 < self.theta < 1.0:
            raise InputError("theta", self.theta, "the DLT rate limit must lie in (0, 1)")
        if not 0.0 < self.threshold < 1.0:
            raise InputError(
                "threshold", self.threshold, "the posterior probability cut-off must lie in (0, 1)"
            )
        if not 1 <= self.max_n <= MAX_MONITOR_N:
            raise InputError(
                "max_n", self.max_n, f"the monitored cohort must have 1..{MAX_MONITOR_N} patients"
            )

    def stops(self, n: int, dlts: int) -> bool:
        return posterior_exceeds(self.prior_a, self.prior_b, self.theta, n, dlts) > self.threshold

    def boundaries(self) -> MonitorBoundaries:
        """Smallest stopping DLT count for n = 1..max_n.

        The posterior probability rises with y and falls with n, so the boundary never decreases
        with n and the search resumes where the previous n left off (linear in max_n).
        """
        table: list[int | None] = []
        y = 0
        for n in range(1, self.max_n + 1):
            while y <= n and not self.stops(n, y):
                y += 1
            table.append(y if y <= n else None)
        return MonitorBoundaries(stop_if_dlt_ge=tuple(table))

    def decide(self, n: int, dlts: int) -> MonitorDecision:
        """The rule applied after ``n`` evaluable patients with ``dlts`` DLTs among them."""
        if not 1 <= n <= self.max_n:
            raise InputError("n", n, f"the rule is defined for 1..{self.max_n} patients")
        if not 0 <= dlts <= n:
            raise InputError("dlts", dlts, f"must lie between 0 and the {n} patients treated")
        boundary = self.boundaries().stop_if_dlt_ge[n - 1]
        posterior = posterior_exceeds(self.prior_a, self.prior_b, self.theta, n, dlts)
        stop = posterior > self.threshold
        seen = (
            f"{dlts}/{n} DLTs: P(DLT rate > {self.theta:g}) = {posterior:.3f} "
            f"({'>' if stop else '<='} {self.threshold:g})"
        )
        if stop:
            reason = f"{seen}: stop enrolling (boundary: {boundary} or more DLTs in {n})"
        elif boundary is None:
            reason = f"{seen}: continue (no DLT count among {n} patients stops)"
        else:
            reason = f"{seen}: continue (stop at {boundary} or more DLTs in {n})"
        return MonitorDecision(
            n=n, dlts=dlts, posterior=posterior, boundary=boundary, stop=stop, reason=reason
        )

    def operating(self, true_tox: float) -> MonitorOperating:
        """Exact P(stop before or at max_n) and E[patients] under a true DLT rate.

        Forward pass over n: ``running[y]`` is P(still enrolling with y DLTs after n patients);
        each new patient moves mass from y to y + 1 with probability true_tox, and the mass on or
        above the boundary stops there.
        """
        if not (np.isfinite(true_tox) and 0.0 <= true_tox <= 1.0):
            raise InputError("true_tox", true_tox, "a DLT probability must lie in [0, 1]")
        boundary = self.boundaries().stop_if_dlt_ge
        running = np.zeros(self.max_n + 2)
        running[0] = 1.0
        stopped_at = np.zeros(self.max_n)
        for n in range(1, self.max_n + 1):
            running[1 : n + 1] = running[1 : n + 1] * (1.0 - true_tox) + running[:n] * true_tox
            running[0] *= 1.0 - true_tox
            limit = boundary[n - 1]
            if limit is not None:
                stopped_at[n - 1] = running[limit : n + 1].sum()
                running[limit : n + 1] = 0.0
        prob_stop = float(stopped_at.sum())
        n_values = np.arange(1, self.max_n + 1)
        expected_n = float(stopped_at @ n_values + (1.0 - prob_stop) * self.max_n)
        return MonitorOperating(
            true_tox=float(true_tox),
            prob_stop=prob_stop,
            expected_n=expected_n,
            prob_stop_by_n=tuple(float(v) for v in np.cumsum(stopped_at)),
        )


@dataclass(frozen=True)
class MonitorSimulation:
    """Monte Carlo P(stop) and E[N] with their standard errors (sd / sqrt(trials))."""

    true_tox: float
    trials: int
    seed: int
    prob_stop: float
    se_prob_stop: float
    expected_n: float
    se_expected_n: float

    def to_dict(self) -> dict[str, object]:
        return {
            "true_tox": self.true_tox,
            "trials": self.trials,
            "seed": self.seed,
            "prob_stop": self.prob_stop,
            "se_prob_stop": self.se_prob_stop,
            "expected_n": self.expected_n,
            "se_expected_n": self.se_expected_n,
        }


def simulate_monitor(
    monitor: ToxicityMonitor, true_tox: float, trials: int, seed: int
) -> MonitorSimulation:
    """Simulated cohorts under a true DLT rate, for checking the exact recursion or teaching.

    Each cohort draws max_n Bernoulli(true_tox) outcomes and stops at its first crossing; the
    standard errors are those of a Monte Carlo mean (Morris, White & Crowther 2019, Stat Med
    38:2074, Table 6).
    """
    if not (np.isfinite(true_tox) and 0.0 <= true_tox <= 1.0):
        raise InputError("true_tox", true_tox, "a DLT probability must lie in [0, 1]")
    if not 2 <= trials <= MAX_TRIALS:
        raise InputError("trials", trials, f"simulate 2..{MAX_TRIALS:,} cohorts")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "must be a whole number >= 0")
    table = monitor.boundaries().stop_if_dlt_ge
    limit = np.array([monitor.max_n + 1 if v is None else v for v in table])
    rng = np.random.default_rng(seed)
    chunk = max(1, SIMULATED_CELLS // monitor.max_n)
    stops = total_n = total_n2 = 0.0
    for start in range(0, trials, chunk):
        draws = rng.random((min(chunk, trials - start), monitor.max_n)) < true_tox
        crossed = np.cumsum(draws, axis=1) >= limit[None, :]
        stopped = crossed.any(axis=1)
        size = np.where(stopped, crossed.argmax(axis=1) + 1, monitor.max_n).astype(float)
        stops += float(stopped.sum())
        total_n += float(size.sum())
        total_n2 += float((size**2).sum())
    prob = stops / trials
    mean_n = total_n / trials
    var_n = max(total_n2 - trials * mean_n**2, 0.0) / (trials - 1)
    return MonitorSimulation(
        true_tox=float(true_tox),
        trials=trials,
        seed=seed,
        prob_stop=prob,
        se_prob_stop=float(np.sqrt(prob * (1.0 - prob) / (trials - 1))),
        expected_n=mean_n,
        se_expected_n=float(np.sqrt(var_n / trials)),
    )


def monitor_sequence(monitor: ToxicityMonitor, dlts: Sequence[bool]) -> MonitorDecision | None:
    """Apply the rule after each patient in order; the first crossing, or None if none occurs."""
    if len(dlts) > monitor.max_n:
        raise InputError("dlts", len(dlts), f"more patients than max_n = {monitor.max_n}")
    boundary = monitor.boundaries().stop_if_dlt_ge
    count = 0
    for n, dlt in enumerate(dlts, start=1):
        count += bool(dlt)
        limit = boundary[n - 1]
        if limit is not None and count >= limit:
            return monitor.decide(n, count)
    return None
