"""Categorical draws by inversion of the cumulative distribution (Devroye 1986, ch. III.2).

One uniform, the first cumulative share above it: the draw ``Generator.choice(p=...)`` makes
(same uniform, same index), without re-validating ``p`` and building arrays on every call; the
simulator makes several per patient.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from functools import lru_cache

import numpy as np


def draw_index(rng: np.random.Generator, weights: tuple[float, ...]) -> int:
    """An index drawn with probability proportional to its weight."""
    # bisect_right is searchsorted(side="right") on the same floats, without an array call.
    return bisect_right(_cumulative_shares(weights), rng.random())


def draw_name(rng: np.random.Generator, weights: Mapping[str, float]) -> str:
    """A name drawn with probability proportional to its weight."""
    return tuple(weights)[draw_index(rng, tuple(weights.values()))]


@lru_cache(maxsize=128)
def _cumulative_shares(weights: tuple[float, ...]) -> tuple[float, ...]:
    shares = np.asarray(weights, dtype=float)
    cdf = np.cumsum(shares / shares.sum())
    cdf /= cdf[-1]
    return tuple(cdf.tolist())
