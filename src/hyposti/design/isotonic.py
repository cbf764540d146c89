"""Weighted isotonic (non-decreasing) regression for many short sequences at once.

Pool-adjacent-violators (Barlow, Bartholomew, Bremner & Brunk 1972; R package Iso `pava`, which
BOIN's select.mtd calls), equal to the max-min formula of Robertson, Wright & Dykstra 1988 (Order
Restricted Statistical Inference, Theorem 1.4.4). Computed in _kernel.c, whose BOIN MTD
selection fits by the same function.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hyposti.design import _kernel
from hyposti.design.decision import kernel_error


def isotonic_increasing(
    values: Sequence[np.ndarray], weights: Sequence[np.ndarray], mask: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """Isotonic fit of each sequence over the entries where ``mask`` is True (others -> nan).

    values, weights, mask: J rows of S entries each (a (J, S) array or a list of J rows), entry j
    of every sequence side by side; weights must be positive where mask is True. Returns the J
    fitted rows.
    """
    value_rows = np.ascontiguousarray(values, dtype=float)
    fit = np.empty_like(value_rows)
    try:
        _kernel.isotonic_increasing(
            len(value_rows),
            value_rows,
            np.ascontiguousarray(weights, dtype=float),
            np.ascontiguousarray(mask, dtype=bool),
            fit,
        )
    except ValueError as error:
        raise kernel_error(error) from None
    return list(fit)
