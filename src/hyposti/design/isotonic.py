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
    fit = np.where(mask, values, np.nan)
    # Rows already non-decreasing over their masked entries are their own isotonic fit.
    running_max = np.maximum.accumulate(np.where(mask, values, -np.inf), axis=1)
    violated = (mask[:, 1:] & (values[:, 1:] < running_max[:, :-1])).any(axis=1)
    if not violated.any():
        return fit
    v, m = values[violated], mask[violated]
    w = np.where(m, weights[violated], 0.0)
    zeros = np.zeros((v.shape[0], 1))
    cum_wv = np.hstack([zeros, np.cumsum(w * np.where(m, v, 0.0), axis=1)])
    cum_w = np.hstack([zeros, np.cumsum(w, axis=1)])
    width = v.shape[1]
    out = np.full(v.shape, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(width):
            # Blocks i..k count only when they start and end on masked entries; others are nan,
            # which fmin/fmax skip. suffix = min over k >= j of the block mean Av(i..k).
            suffix = np.full(v.shape[0], np.nan)
            for k in range(width - 1, i - 1, -1):
                mean = (cum_wv[:, k + 1] - cum_wv[:, i]) / (cum_w[:, k + 1] - cum_w[:, i])
                suffix = np.fmin(suffix, np.where(m[:, i] & m[:, k], mean, np.nan))
                out[:, k] = np.fmax(out[:, k], suffix)
    fit[violated] = np.where(m, out, np.nan)
    return fit
