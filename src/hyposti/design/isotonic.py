"""Weighted isotonic (non-decreasing) regression for many short sequences at once.

Uses the max-min formula of Robertson, Wright & Dykstra 1988 (Order Restricted Statistical
Inference, Theorem 1.4.4), which equals pool-adjacent-violators (Barlow et al. 1972) and
vectorises over sequences: fit_j = max_{i<=j} min_{k>=j} Av(i..k), Av the weighted mean of the
block.
"""

from __future__ import annotations

import numpy as np


def isotonic_increasing(values: np.ndarray, weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Isotonic fit of each column over the entries where ``mask`` is True (others -> nan).

    values, weights, mask: (J, S) arrays, one sequence of J entries per column (J is short, S
    large: each step below is one contiguous operation over all sequences, where numpy's
    accumulate along a short axis is far slower); weights must be positive where mask is True.
    """
    fit = np.where(mask, values, np.nan)
    width = values.shape[0]
    if width < 2:
        return fit
    # Sequences already non-decreasing over their masked entries are their own isotonic fit.
    violated = np.zeros(values.shape[1], dtype=bool)
    running_max = np.where(mask[0], values[0], -np.inf)
    for j in range(1, width):
        entry = fit[j]
        violated |= entry < running_max
        np.fmax(running_max, entry, out=running_max)
    columns = np.flatnonzero(violated)
    if not columns.size:
        return fit
    # Entries outside the mask get weight 0: a block's weighted sums then equal, exactly, those
    # of the block trimmed to its masked ends (adding 0.0 changes no float), so every block may
    # be taken and the max-min is unchanged. A block of weight 0 gives nan, which fmin skips.
    m = mask.take(columns, axis=1)
    w = np.where(m, weights.take(columns, axis=1), 0.0)
    wv = w * np.where(m, values.take(columns, axis=1), 0.0)
    cum_wv = np.zeros((width + 1, columns.size))
    cum_w = np.zeros((width + 1, columns.size))
    for j in range(width):
        np.add(cum_wv[j], wv[j], out=cum_wv[j + 1])
        np.add(cum_w[j], w[j], out=cum_w[j + 1])
    out = np.full((width, columns.size), -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(width):
            # mean[k - i] = Av(i..k) for k >= i; suffix = min over k' >= k of Av(i..k').
            mean = (cum_wv[i + 1 :] - cum_wv[i]) / (cum_w[i + 1 :] - cum_w[i])
            suffix = mean[-1]
            np.fmax(out[-1], suffix, out=out[-1])
            for k in range(width - 2, i - 1, -1):
                suffix = np.fmin(suffix, mean[k - i])
                np.fmax(out[k], suffix, out=out[k])
    pooled = np.where(m, out, np.nan)
    for j in range(width):
        np.put(fit[j], columns, pooled[j])
    return fit
