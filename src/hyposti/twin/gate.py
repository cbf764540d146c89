"""The hypoxia gate: CAR expression as a Hill function of pO2, with fold change and leak.

Working model of HRE / HIF-1alpha ODD gated CARs (HypoxiCAR, Kosti 2021, Cell Rep Med 2:100227;
HiTA-CAR, He 2021, J Immunother Cancer 9:e002755): expression relative to a conventional CAR
e(p) = leak + (1 - leak) (b + (1 - b) K^n / (K^n + p^n)), b = 1 / fold change; ``leak`` is the
share of cells whose CAR escapes the gate. A conventional CAR is e = 1 at every pO2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hyposti.errors import InputError
from hyposti.twin.oxygen import lognormal_expectation
from hyposti.twin.parameters import TwinParameters


@dataclass(frozen=True)
class Gate:
    """A CAR's dependence on pO2; ``gated=False`` is the conventional CAR."""

    gated: bool
    fold_change: float
    threshold_mmhg: float
    hill: float
    leak: float

    def __post_init__(self) -> None:
        if self.fold_change < 1 or self.threshold_mmhg <= 0 or self.hill <= 0:
            raise InputError("gate", self, "fold change >= 1, threshold and Hill n > 0")
        if not 0 <= self.leak <= 1:
            raise InputError("gate.leak", self.leak, "a share of cells: between 0 and 1")

    def expression(self, po2_mmhg: np.ndarray) -> np.ndarray:
        """CAR expression relative to a conventional CAR at each pO2 (mmHg)."""
        p = np.asarray(po2_mmhg, dtype=float)
        if not self.gated:
            return np.ones_like(p)
        # K^n / (K^n + p^n) written as 1 / (1 + (p/K)^n): no overflow at high pO2.
        with np.errstate(over="ignore"):  # (p/K)^n -> inf at very high pO2: the term is 0
            hypoxic = 1.0 / (1.0 + (p / self.threshold_mmhg) ** self.hill)
        basal = 1.0 / self.fold_change
        return self.leak + (1.0 - self.leak) * (basal + (1.0 - basal) * hypoxic)

    def mean_expression(self, median_mmhg: np.ndarray, log_sd: float) -> np.ndarray:
        """Average expression over a lesion's log-normal pO2 (median, log SD)."""
        median = np.asarray(median_mmhg, dtype=float)
        if not self.gated:
            return np.ones_like(median)
        return lognormal_expectation(self.expression, median, log_sd)


def gate_from_parameters(params: TwinParameters, gated: bool) -> Gate:
    """The gate the parameter file describes; the conventional CAR when ``gated`` is False."""
    return Gate(
        gated=gated,
        fold_change=params.value("gate_fold_change"),
        threshold_mmhg=params.value("gate_threshold_mmhg"),
        hill=params.value("gate_hill_coefficient"),
        leak=params.value("gate_leak"),
    )
