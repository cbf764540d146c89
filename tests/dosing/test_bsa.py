"""BSA against closed forms and the formulas' published forms, computed by hand."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.dosing import body_surface_area, dubois, mosteller
from hyposti.errors import InputError


def test_mosteller_closed_forms():
    # sqrt(180 x 80 / 3600) = sqrt(4) = 2; sqrt(160 x 57.6 / 3600) = sqrt(2.56) = 1.6
    assert mosteller(180, 80) == pytest.approx(2.0, abs=1e-12)
    assert mosteller(160, 57.6) == pytest.approx(1.6, abs=1e-12)


def test_mosteller_170_cm_70_kg_is_1_818_m2():
    # 170 x 70 = 11900; 11900 / 3600 = 3.30556; sqrt = 1.81812 (by hand)
    assert mosteller(170, 70) == pytest.approx(1.81812, abs=5e-6)


def test_dubois_matches_the_original_log_form():
    # DuBois & DuBois 1916: log A = 0.425 log W + 0.725 log H + 1.8564, A in cm2
    for height, weight in ((170, 70), (150, 50), (190, 100)):
        area_cm2 = 10 ** (0.425 * math.log10(weight) + 0.725 * math.log10(height) + 1.8564)
        assert dubois(height, weight) == pytest.approx(area_cm2 / 10_000, rel=1e-4)


def test_dubois_by_hand_with_four_figure_logarithms():
    # 170 cm, 70 kg: 0.425 x 1.84510 + 0.725 x 2.23045 + 1.8564 = 4.25765 -> 18099 cm2
    assert dubois(170, 70) == pytest.approx(1.8099, abs=5e-4)
    # 150 cm, 50 kg: 0.425 x 1.69897 + 0.725 x 2.17609 + 1.8564 = 4.15613 -> 14325 cm2
    assert dubois(150, 50) == pytest.approx(1.4325, abs=5e-4)


def test_an_unknown_formula_is_refused():
    with pytest.raises(InputError, match="mosteller, dubois"):
        body_surface_area(170, 70, "haycock")


@given(
    height=st.floats(min_value=120, max_value=230),
    weight=st.floats(min_value=30, max_value=250),
    k=st.floats(min_value=0.5, max_value=2),
)
@settings(max_examples=200, deadline=None)
def test_mosteller_scales_with_the_geometric_mean_and_dubois_with_its_exponents(height, weight, k):
    # sqrt(kh x kw / 3600) = k sqrt(hw / 3600); DuBois: k^0.425 for weight, k^0.725 for height
    assert mosteller(k * height, k * weight) == pytest.approx(k * mosteller(height, weight))
    assert dubois(height, k * weight) == pytest.approx(k**0.425 * dubois(height, weight))
    assert dubois(k * height, weight) == pytest.approx(k**0.725 * dubois(height, weight))
