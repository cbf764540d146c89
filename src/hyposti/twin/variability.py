"""Between-patient variability: correlated log-normal draws of every parameter with a CV.

A parameter's typical value is its median; its log is normal with SD sqrt(ln(1 + CV^2)), so the
draw's coefficient of variation is the CV (Johnson, Kotz & Balakrishnan 1994, ch. 14, eq. 14.8).
Correlated deviations are a Cholesky factor times independent normals. A fraction (the
persisting CAR-T fraction) varies on the logit scale instead, so that it stays in (0, 1).
"""

from __future__ import annotations

import numpy as np

from hyposti.errors import InputError
from hyposti.twin.parameters import NAMES, TwinParameters

LOGIT_SCALE = ("persistent_fraction",)


def standard_deviates(rng: np.random.Generator, params: TwinParameters, n: int) -> np.ndarray:
    """Correlated standard normal deviates, one row per parameter in ``NAMES`` order."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError("patients", n, "must be a whole number >= 1")
    chol = np.linalg.cholesky(params.correlation_matrix())
    return chol @ rng.standard_normal((len(NAMES), n))


def individual_values(params: TwinParameters, deviates: np.ndarray) -> dict[str, np.ndarray]:
    """Each parameter per patient from its deviates (``standard_deviates``' rows)."""
    out: dict[str, np.ndarray] = {}
    for i, name in enumerate(NAMES):
        p = params.parameters[name]
        if name in LOGIT_SCALE:
            logit = np.log(p.value / (1.0 - p.value)) + p.log_sd * deviates[i]
            out[name] = 1.0 / (1.0 + np.exp(-logit))
        else:
            out[name] = p.value * np.exp(p.log_sd * deviates[i])
    return out


def sample_individuals(
    rng: np.random.Generator, params: TwinParameters, n: int
) -> dict[str, np.ndarray]:
    """Draw ``n`` patients' parameters: the typical value times a correlated log-normal factor."""
    return individual_values(params, standard_deviates(rng, params, n))
