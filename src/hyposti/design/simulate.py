"""Monte Carlo operating characteristics, vectorised over trials, with Monte Carlo standard errors.

Each cohort's DLT count is drawn Binomial(cohort size, true p at its dose) for all running trials
at once, and the design's own `step` decides; standard errors are sd / sqrt(trials) (the usual
Monte Carlo error of a mean, e.g. Morris, White & Crowther 2019, Stat Med 38:2074, Table 6).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hyposti.design.decision import Design
from hyposti.design.operating import OperatingCharacteristics, check_true_tox
from hyposti.errors import EngineError, InputError

MAX_TRIALS = 10**7
"""Most simulated trials per call: a Monte Carlo SE of at most 0.00016 on any probability, far
below what a design decision needs (exact_oc removes Monte Carlo error altogether)."""

CHUNK_TRIALS = 100_000
"""Trials simulated at once: per-trial arrays stay a few megabytes whatever ``trials`` is."""


def simulate_trials(
    design: Design, true_tox: Sequence[float], trials: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``trials`` trials; returns the MTD per trial (0 = none) and n, y per trial and dose."""
    p = check_true_tox(true_tox, design.num_doses)
    if not 1 <= trials <= CHUNK_TRIALS:
        raise InputError("trials", trials, f"simulate 1..{CHUNK_TRIALS} trials at once")
    num_doses, size = design.num_doses, design.cohort_size
    n = np.zeros((trials, num_doses), dtype=np.int64)
    y = np.zeros((trials, num_doses), dtype=np.int64)
    mtd = np.zeros(trials, dtype=np.int64)
    running = np.arange(trials)
    dose = np.full(trials, design.start_dose, dtype=np.int64)
    for _ in range(design.horizon):
        dlts = rng.binomial(size, p[dose - 1])
        n[running, dose - 1] += size
        y[running, dose - 1] += dlts
        step = design.step(n[running], y[running], dose)
        stopped = step.next_dose == 0
        mtd[running[stopped]] = step.mtd[stopped]
        running, dose = running[~stopped], step.next_dose[~stopped]
        if running.size == 0:
            return mtd, n, y
    raise EngineError(repr(design), "left trials running after its horizon of cohorts")


def simulate_oc(
    design: Design, true_tox: Sequence[float], trials: int, seed: int
) -> OperatingCharacteristics:
    """Operating characteristics from ``trials`` simulated trials, reproducible from ``seed``.

    Trials run in chunks of CHUNK_TRIALS; only running sums and sums of squares are kept.
    """
    check_true_tox(true_tox, design.num_doses)
    if not 2 <= trials <= MAX_TRIALS:
        raise InputError(
            "trials", trials, f"simulate 2..{MAX_TRIALS:,} trials (2 for a standard error)"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "must be a whole number >= 0")
    rng = np.random.default_rng(seed)
    columns = design.num_doses + 1 + design.num_doses + 2  # selected, n per dose, N, DLTs
    total = np.zeros(columns)
    squares = np.zeros(columns)
    for start in range(0, trials, CHUNK_TRIALS):
        mtd, n, y = simulate_trials(design, true_tox, min(CHUNK_TRIALS, trials - start), rng)
        selected = np.zeros((mtd.size, design.num_doses + 1))
        selected[np.arange(mtd.size), mtd] = 1.0
        values = np.hstack([selected, n, n.sum(axis=1)[:, None], y.sum(axis=1)[:, None]])
        total += values.sum(axis=0)
        squares += (values.astype(float) ** 2).sum(axis=0)
    mean = total / trials
    # Sample variance from the sums (ddof 1); clipped at 0 against rounding.
    variance = np.maximum(squares - trials * mean**2, 0.0) / (trials - 1)
    se = np.sqrt(variance / trials)
    j = design.num_doses
    return OperatingCharacteristics(
        true_tox=tuple(float(v) for v in true_tox),
        prob_select=mean[: j + 1],
        expected_n=float(mean[-2]),
        expected_dlt=float(mean[-1]),
        expected_n_at_dose=mean[j + 1 : 2 * j + 1],
        method="simulation",
        trials=trials,
        seed=seed,
        se_prob_select=se[: j + 1],
        se_expected_n=float(se[-2]),
        se_expected_dlt=float(se[-1]),
        se_expected_n_at_dose=se[j + 1 : 2 * j + 1],
    )
