"""Half-up rounding in decimal arithmetic, where binary floats would round halves down."""

from hyposti.dosing.rounding import round_half_up, round_significant, round_to_step


def test_halves_round_up_even_where_binary_floats_do_not():
    assert round(2.675, 2) == 2.67  # Python's float rounding of the nearest binary value
    assert round_half_up(2.675, 2) == 2.68
    assert round_half_up(1.825, 2) == 1.83
    assert round_half_up(1.8249, 2) == 1.82


def test_steps_and_significant_figures():
    assert round_to_step(227.5, 1) == 228
    assert round_to_step(272.4, 5) == 270
    assert round_to_step(272.5, 5) == 275
    assert round_significant(211_050_000, 3) == 211_000_000
    assert round_significant(70_350_000, 3) == 70_400_000
    assert round_significant(0, 3) == 0
