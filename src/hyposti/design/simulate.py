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
from hyposti.errors import InputError


def simulate_trials(
    design: Design, true_tox: Sequence[float], trials: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``trials`` trials; returns the MTD per trial (0 = none) and n, y per trial and dose."""
    p = check_true_tox(true_tox, design.num_doses)
    if trials < 2:
        raise InputError("trials", trials, "needs at least 2 trials for a standard error")
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
    raise RuntimeError(f"{design!r} left trials running after its horizon of cohorts")


def simulate_oc(
    design: Design, true_tox: Sequence[float], trials: int, seed: int
) -> OperatingCharacteristics:
    """Operating characteristics from ``trials`` simulated trials, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    mtd, n, y = simulate_trials(design, true_tox, trials, rng)
    selected = np.zeros((trials, design.num_doses + 1))
    selected[np.arange(trials), mtd] = 1.0
    total_n = n.sum(axis=1)
    total_y = y.sum(axis=1)

    def se(values: np.ndarray) -> np.ndarray:
        return values.std(axis=0, ddof=1) / np.sqrt(trials)

    return OperatingCharacteristics(
        true_tox=tuple(float(v) for v in true_tox),
        prob_select=selected.mean(axis=0),
        expected_n=float(total_n.mean()),
        expected_dlt=float(total_y.mean()),
        expected_n_at_dose=n.mean(axis=0),
        method="simulation",
        trials=trials,
        seed=seed,
        se_prob_select=se(selected),
        se_expected_n=float(se(total_n)),
        se_expected_dlt=float(se(total_y)),
        se_expected_n_at_dose=se(n),
    )
