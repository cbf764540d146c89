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
    if values.shape[1] < 2:
        return fit
    # Doses along the first axis, looped over explicitly: each step is one contiguous operation
    # over all rows (numpy's accumulate along a short axis is far slower for few doses).
    v = np.ascontiguousarray(values.T)
    m = np.ascontiguousarray(mask.T)
    width = v.shape[0]
    # Rows already non-decreasing over their masked entries are their own isotonic fit.
    violated = np.zeros(v.shape[1], dtype=bool)
    running_max = np.where(m[0], v[0], -np.inf)
    for j in range(1, width):
        violated |= m[j] & (v[j] < running_max)
        running_max = np.maximum(running_max, np.where(m[j], v[j], -np.inf))
    if not violated.any():
        return fit
    v, m = v[:, violated], m[:, violated]
    w = np.where(m, weights.T[:, violated], 0.0)
    wv = w * np.where(m, v, 0.0)
    cum_wv = np.zeros((width + 1, v.shape[1]))
    cum_w = np.zeros((width + 1, v.shape[1]))
    for j in range(width):
        cum_wv[j + 1] = cum_wv[j] + wv[j]
        cum_w[j + 1] = cum_w[j] + w[j]
    out = np.full(v.shape, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(width):
            # Blocks i..k count only when they start and end on masked entries; others are nan,
            # which fmin/fmax skip. suffix = min over k >= j of the block mean Av(i..k).
            suffix = np.full(v.shape[1], np.nan)
            for k in range(width - 1, i - 1, -1):
                mean = (cum_wv[k + 1] - cum_wv[i]) / (cum_w[k + 1] - cum_w[i])
                suffix = np.fmin(suffix, np.where(m[i] & m[k], mean, np.nan))
                out[k] = np.fmax(out[k], suffix)
    fit[violated] = np.where(m, out, np.nan).T
    return fit
