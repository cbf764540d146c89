"""Types of the compiled rules in _kernel.c (see its module docstring for what each decides)."""

import numpy as np

ESCALATE: int
STAY: int
DEESCALATE: int
STAY_AT_TOP: int
STAY_AT_BOTTOM: int
ELIMINATED: int
NO_SAFE_DOSE: int
EARLY_STOP: int
CAP: int

def isotonic_increasing(
    width: int, values: np.ndarray, weights: np.ndarray, mask: np.ndarray, fit: np.ndarray, /
) -> None: ...
def boin_step(
    n: np.ndarray,
    y: np.ndarray,
    current: np.ndarray,
    move: np.ndarray,
    eliminated: np.ndarray,
    p_hat: np.ndarray,
    weight: np.ndarray,
    max_n: int,
    n_earlystop: int,
    target: float,
    next_dose: np.ndarray,
    mtd: np.ndarray,
    code: np.ndarray,
    /,
) -> None: ...
def boin_select(
    n: np.ndarray,
    y: np.ndarray,
    first_out: np.ndarray,
    move: np.ndarray,
    eliminated: np.ndarray,
    p_hat: np.ndarray,
    weight: np.ndarray,
    max_n: int,
    target: float,
    mtd: np.ndarray,
    /,
) -> None: ...
def boin_first_out(
    n: np.ndarray,
    y: np.ndarray,
    move: np.ndarray,
    eliminated: np.ndarray,
    p_hat: np.ndarray,
    weight: np.ndarray,
    max_n: int,
    first_out: np.ndarray,
    /,
) -> None: ...
def merge_cohort(
    counts: np.ndarray, dose: np.ndarray, cohort_size: int, by_counts: bool, group: np.ndarray, /
) -> tuple[bytearray, bytearray]: ...
def propagate(
    prob: np.ndarray,
    dose: np.ndarray,
    group: np.ndarray,
    pmf: np.ndarray,
    cohort_size: int,
    merged_prob: np.ndarray,
    /,
) -> None: ...
def accumulate_ended(
    prob: np.ndarray,
    ended: np.ndarray | None,
    mtd: np.ndarray,
    counts: np.ndarray,
    prob_select: np.ndarray,
    n_at_dose: np.ndarray,
    /,
) -> float: ...
def split_stopped(next_dose: np.ndarray, ended: np.ndarray, go: np.ndarray, /) -> int: ...
