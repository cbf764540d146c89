"""Median wall or CPU time of repeated calls: the one timer every benchmark here uses."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(
    work: Callable[[], T],
    repeats: int,
    warm_up: bool = False,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, T]:
    """Median seconds of ``clock`` over ``repeats`` calls and the last call's result.

    ``warm_up`` makes one untimed call first, so caches and lazy imports stay out of the figure.
    """
    if warm_up:
        work()
    times = []
    for _ in range(repeats):
        start = clock()
        result = work()
        times.append(clock() - start)
    return statistics.median(times), result


def median_seconds(work: Callable[[], object], repeats: int, warm_up: bool = False) -> float:
    """Median seconds over ``repeats`` calls of ``work``."""
    return timed(work, repeats, warm_up)[0]


def median_cpu_seconds(work: Callable[[], object], repeats: int, warm_up: bool = False) -> float:
    """Median CPU seconds of this process over ``repeats`` calls of ``work``: on a busy machine
    still the work's own cost, where wall time also counts the wait for a core."""
    return timed(work, repeats, warm_up, time.process_time)[0]
