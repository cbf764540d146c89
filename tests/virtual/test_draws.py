"""Categorical draws by inversion: numpy's own Generator.choice(p=...) is the reference."""

import numpy as np
import pytest

from hyposti.virtual.draws import draw_index, draw_name


@pytest.mark.parametrize(
    "weights",
    [(0.30, 0.55, 0.15), (0.25, 0.20, 0.20, 0.15, 0.10, 0.10), (3.0, 1.0), (1.0,), (0.0, 2.0, 1.0)],
)
def test_the_index_is_the_one_generator_choice_draws_from_the_same_uniform(
    weights: tuple[float, ...],
) -> None:
    p = np.asarray(weights) / sum(weights)
    ours, numpy = np.random.default_rng(3), np.random.default_rng(3)
    drawn = [draw_index(ours, weights) for _ in range(2_000)]
    assert drawn == [int(numpy.choice(len(p), p=p)) for _ in range(2_000)]
    assert ours.random() == numpy.random()  # one uniform per draw on both sides


def test_a_name_is_drawn_with_its_weight() -> None:
    rng = np.random.default_rng(8)
    n = 40_000
    drawn = [draw_name(rng, {"liver": 3.0, "lung": 1.0, "bone": 0.0}) for _ in range(n)]
    assert "bone" not in drawn
    share = drawn.count("liver") / n
    assert abs(share - 0.75) < 4 * np.sqrt(0.75 * 0.25 / n)
