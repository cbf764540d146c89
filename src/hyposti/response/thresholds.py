"""RECIST 1.1 size thresholds and the size rules built on them (Eisenhauer 2009 s3.1, s4.2, s4.3.1).

The one place these numbers live: the per-patient engine (``timepoint``), the trial-wide vectorised
engine (``trial``), iRECIST and the virtual tumours all read them from here. The rules take Python
floats or NumPy arrays alike, so the per-patient and vectorised paths apply the same function.
"""

from __future__ import annotations

from fractions import Fraction
from typing import overload

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Comparisons carry a tolerance so that 1.2 x 50 mm == 60 mm is PD despite binary floating point.
EPS = 1e-9
PR_MIN_DECREASE = Fraction(3, 10)  # s4.3.1: PR, at least a 30% decrease from the baseline sum
PD_MIN_INCREASE = Fraction(1, 5)  # s4.3.1: PD, at least a 20% increase over the nadir ...
PD_MIN_INCREASE_MM = 5.0  # ... and at least 5 mm absolute
NODE_NORMAL_BELOW_MM = 10.0  # s4.3.1: a target node below 10 mm short axis is normal (CR)
MEASURABLE_MIN_MM = 10.0  # s3.1: CT (slices <= 5 mm), MRI, calipers
CHEST_XRAY_MIN_MM = 20.0  # s3.1: chest X-ray
NODE_MEASURABLE_MIN_MM = 15.0  # s3.1: node short axis
NODE_PATHOLOGICAL_MIN_MM = 10.0  # s3.1: 10 to < 15 mm pathological, non-measurable
MAX_TARGETS = 5  # s4.2
MAX_TARGETS_PER_ORGAN = 2  # s4.2

# The fractions' parts as plain ints: a Fraction's numerator and denominator are Python properties,
# a function call each time the per-patient engine tests a time point.
_PR_NUM, _PR_DEN = PR_MIN_DECREASE.as_integer_ratio()
_PD_NUM, _PD_DEN = PD_MIN_INCREASE.as_integer_ratio()


@overload
def meets_pr(sum_mm: float, baseline_mm: float) -> bool: ...
@overload
def meets_pr(sum_mm: FloatArray, baseline_mm: FloatArray) -> BoolArray: ...
def meets_pr(sum_mm: float | FloatArray, baseline_mm: float | FloatArray) -> bool | BoolArray:
    """At least a 30% decrease from the baseline sum (RECIST 1.1, Eisenhauer 2009 s4.3.1).

    Both sides are multiplied by the fraction's denominator so that exactly 30% is met.
    """
    decrease = _PR_DEN * (baseline_mm - sum_mm)
    return decrease >= _PR_NUM * baseline_mm - EPS


@overload
def meets_pd(sum_mm: float, nadir_mm: float) -> bool: ...
@overload
def meets_pd(sum_mm: FloatArray, nadir_mm: FloatArray) -> BoolArray: ...
def meets_pd(sum_mm: float | FloatArray, nadir_mm: float | FloatArray) -> bool | BoolArray:
    """At least 20% above the nadir and at least 5 mm absolute (RECIST 1.1, Eisenhauer 2009 s4.3.1).

    NaN on either side (an unknown sum) is never progression.
    """
    increase = sum_mm - nadir_mm
    relative = _PD_DEN * increase >= _PD_NUM * nadir_mm - EPS
    return (increase >= PD_MIN_INCREASE_MM - EPS) & relative


@overload
def target_gone(value_mm: float, nodal: bool) -> bool: ...
@overload
def target_gone(value_mm: FloatArray, nodal: BoolArray) -> BoolArray: ...
def target_gone(value_mm: float | FloatArray, nodal: bool | BoolArray) -> bool | BoolArray:
    """A target counts as gone for CR: non-nodal 0 mm, a node below 10 mm (RECIST 1.1 s4.3.1)."""
    # One expression for scalars and arrays alike (numpy's call overhead dwarfs a scalar test):
    # a node at 0 mm is below 10 mm too, so "0 mm, or a node below 10 mm" is the rule.
    gone = (value_mm == 0.0) | (nodal & (value_mm < NODE_NORMAL_BELOW_MM))
    return gone if isinstance(gone, np.ndarray) else bool(gone)
