"""Tumour oxygenation: log-normal point pO2 inside a lesion and the hypoxic fraction it implies.

Median tumour pO2 per tumour type from McKeown 2014 (Br J Radiol 87:20130676, Table 1); point
pO2 in a lesion is log-normal around the lesion's median, as polarographic electrode histograms
are right-skewed (Vaupel, Hockel & Mayer 2007, Antioxid Redox Signal 9:1221).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from hyposti.errors import InputError

#: Gauss-Hermite nodes and weights for expectations over a normal (Abramowitz & Stegun 25.4.46).
_NODES, _WEIGHTS = np.polynomial.hermite.hermgauss(40)


def hypoxic_fraction(median_mmhg: np.ndarray, log_sd: float, threshold_mmhg: float) -> np.ndarray:
    """Share of a lesion below ``threshold_mmhg``: Phi((ln threshold - ln median) / log_sd)."""
    median = np.asarray(median_mmhg, dtype=float)
    if np.any(median <= 0) or log_sd <= 0 or threshold_mmhg <= 0:
        raise InputError("pO2", "<= 0", "medians, spread and threshold must be positive")
    return ndtr((np.log(threshold_mmhg) - np.log(median)) / log_sd)


def lognormal_expectation(f: object, median: np.ndarray, log_sd: float) -> np.ndarray:
    """E[f(X)] for X log-normal with ``median`` (any shape) and ``log_sd``, by 40-node
    Gauss-Hermite quadrature: sum_k w_k f(median exp(sqrt(2) log_sd x_k)) / sqrt(pi)."""
    m = np.asarray(median, dtype=float)
    points = m[..., None] * np.exp(np.sqrt(2.0) * log_sd * _NODES)
    values = f(points)  # type: ignore[operator]
    return np.asarray(values @ _WEIGHTS / np.sqrt(np.pi))
