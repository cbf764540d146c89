"""Median wall time of repeated calls: the one timer every benchmark here uses."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(work: Callable[[], T], repeats: int, warm_up: bool = False) -> tuple[float, T]:
    """Median seconds over ``repeats`` calls and the last call's result.

    ``warm_up`` makes one untimed call first, so caches and lazy imports stay out of the figure.
    """
    if warm_up:
        work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def median_seconds(work: Callable[[], object], repeats: int, warm_up: bool = False) -> float:
    """Median seconds over ``repeats`` calls of ``work``."""
    return timed(work, repeats, warm_up)[0]
