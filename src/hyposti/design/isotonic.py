"""Weighted isotonic (non-decreasing) regression for many short sequences at once.

Uses the max-min formula of Robertson, Wright & Dykstra 1988 (Order Restricted Statistical
Inference, Theorem 1.4.4), which equals pool-adjacent-violators (Barlow et al. 1972) and
vectorises over rows: fit_j = max_{i<=j} min_{k>=j} Av(i..k), Av the weighted mean of the block.
"""

from __future__ import annotations

import numpy as np


def isotonic_increasing(values: np.ndarray, weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Isotonic fit per row over the entries where ``mask`` is True (others are ignored, -> nan).

    values, weights, mask: (S, J) arrays; weights must be positive where mask is True.
    """
    size, width = values.shape
    w = np.where(mask, weights, 0.0)
    zeros = np.zeros((size, 1))
    cum_wv = np.hstack([zeros, np.cumsum(w * np.where(mask, values, 0.0), axis=1)])
    cum_w = np.hstack([zeros, np.cumsum(w, axis=1)])
    fit = np.full((size, width), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(width):
            best = np.full(size, -np.inf)
            for i in range(j + 1):
                worst = np.full(size, np.inf)
                for k in range(j, width):
                    mean = (cum_wv[:, k + 1] - cum_wv[:, i]) / (cum_w[:, k + 1] - cum_w[:, i])
                    worst = np.where(mask[:, k], np.minimum(worst, mean), worst)
                best = np.where(mask[:, i], np.maximum(best, worst), best)
            fit[:, j] = np.where(mask[:, j], best, np.nan)
    return fit
