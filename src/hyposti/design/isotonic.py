"""Weighted isotonic (non-decreasing) regression for many short sequences at once.

Uses the max-min formula of Robertson, Wright & Dykstra 1988 (Order Restricted Statistical
Inference, Theorem 1.4.4), which equals pool-adjacent-violators (Barlow et al. 1972) and
vectorises over sequences: fit_j = max_{i<=j} min_{k>=j} Av(i..k), Av the weighted mean of the
block.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def isotonic_increasing(
    values: Sequence[np.ndarray], weights: Sequence[np.ndarray], mask: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """Isotonic fit of each sequence over the entries where ``mask`` is True (others -> nan).

    values, weights, mask: J rows of S entries each (a (J, S) array or a list of J rows), entry j
    of every sequence side by side, so each step below is one contiguous operation over all
    sequences; weights must be positive where mask is True. Returns the J fitted rows. Working
    row by row keeps every temporary to one row of S floats: rows of a few thousand sequences
    stay under glibc's 128 KiB mmap threshold, where whole (J, S) temporaries were mapped and
    faulted in afresh on every call.
    """
    fit = [np.where(m, v, np.nan) for v, m in zip(values, mask, strict=True)]
    width = len(fit)
    if width < 2:
        return fit
    # Sequences already non-decreasing over their masked entries are their own isotonic fit.
    violated = np.zeros(fit[0].size, dtype=bool)
    running_max = np.where(mask[0], values[0], -np.inf)
    for entry in fit[1:]:
        violated |= entry < running_max
        np.fmax(running_max, entry, out=running_max)
    columns = np.flatnonzero(violated)
    if not columns.size:
        return fit
    # Entries outside the mask get weight 0: a block's weighted sums then equal, exactly, those
    # of the block trimmed to its masked ends (adding 0.0 changes no float), so every block may
    # be taken and the max-min is unchanged. A block of weight 0 gives nan, which fmin skips.
    masks = [m.take(columns) for m in mask]
    cum_wv = [np.zeros(columns.size)]
    cum_w = [np.zeros(columns.size)]
    for j in range(width):
        w = np.where(masks[j], weights[j].take(columns), 0.0)
        wv = w * np.where(masks[j], values[j].take(columns), 0.0)
        cum_wv.append(cum_wv[j] + wv)
        cum_w.append(cum_w[j] + w)
    out = [np.full(columns.size, -np.inf) for _ in range(width)]
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(width):
            # suffix = min over k' >= k of Av(i..k'), for k from the last entry down to i.
            suffix = (cum_wv[width] - cum_wv[i]) / (cum_w[width] - cum_w[i])
            np.fmax(out[-1], suffix, out=out[-1])
            for k in range(width - 2, i - 1, -1):
                mean = (cum_wv[k + 1] - cum_wv[i]) / (cum_w[k + 1] - cum_w[i])
                suffix = np.fmin(suffix, mean)
                np.fmax(out[k], suffix, out=out[k])
    for j in range(width):
        np.put(fit[j], columns, np.where(masks[j], out[j], np.nan))
    return fit
