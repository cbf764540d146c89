"""Isotonic regression against hand-worked pool-adjacent-violators examples."""

import numpy as np

from hyposti.design.isotonic import isotonic_increasing


def test_equal_weights_pool_the_violating_pair() -> None:
    """(1, 3, 2, 4) -> (1, 2.5, 2.5, 4) (Barlow et al. 1972, PAVA by hand)."""
    values = np.array([[1.0, 3.0, 2.0, 4.0]]).T
    fit = np.array(
        isotonic_increasing(values, np.ones_like(values), np.ones_like(values, dtype=bool))
    )
    np.testing.assert_allclose(fit.T, [[1.0, 2.5, 2.5, 4.0]])


def test_weights_pull_the_pooled_mean() -> None:
    """(3, 1) with weights (1, 3) pool to (3 + 3)/4 = 1.5; a cascade (3, 2, 1) pools to 2."""
    fit = np.array(
        isotonic_increasing(
            np.array([[3.0, 1.0, 5.0], [3.0, 2.0, 1.0]]).T,
            np.array([[1.0, 3.0, 1.0], [1.0, 1.0, 1.0]]).T,
            np.ones((3, 2), dtype=bool),
        )
    )
    np.testing.assert_allclose(fit.T, [[1.5, 1.5, 5.0], [2.0, 2.0, 2.0]])


def test_masked_entries_are_skipped() -> None:
    """(4, [masked 0], 2) pools 4 and 2 to 3; the masked entry stays undefined."""
    fit = np.array(
        isotonic_increasing(
            np.array([[4.0], [0.0], [2.0]]), np.ones((3, 1)), np.array([[True], [False], [True]])
        )
    )
    assert fit[0, 0] == 3.0 and fit[2, 0] == 3.0 and np.isnan(fit[1, 0])
