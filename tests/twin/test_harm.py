"""Ward observations written by the twin, graded by the ASTCT graders (Lee 2019 Tables 3, 5)."""

import numpy as np
import pytest

from hyposti.twin.harm import graded, harm_indexes, observations
from hyposti.twin.parameters import load_twin_parameters

P = load_twin_parameters()
v = P.value


def grades(z, lung=0.0, neuro=0.0):
    obs = observations(np.array([z]), np.array([lung]), np.array([neuro]), P)
    crs, icans = graded(obs)
    return obs, crs[0].grade, icans[0].grade


def test_fever_threshold_gives_grade_1():
    # 36.8 + 1.2 log2(1 + 1) = 38.0 C: fever alone is ASTCT grade 1.
    obs, crs, _ = grades(v("fever_engagement"))
    assert obs.temperature_c[0] == 38.0
    assert crs == 1
    assert grades(0.9 * v("fever_engagement"))[1] == 0  # 37.8 C: no CRS


def test_vasopressor_gives_grade_3_and_several_grade_4():
    assert grades(v("vasopressor_engagement"))[1] == 3  # one vasopressor (Lee 2019 Table 3)
    assert grades(4 * v("vasopressor_engagement"))[1] == 4  # multiple vasopressors


def test_hypotension_without_pressor_is_grade_2():
    z = v("hypotension_engagement")
    assert z < v("vasopressor_engagement") and z < v("oxygen_engagement")
    assert grades(z)[1] == 2


def test_lung_injury_needs_fever_to_be_crs():
    # Low-flow oxygen from lung engagement: grade 2 with fever, but ASTCT requires fever.
    lung = v("lung_injury_engagement")
    assert grades(v("fever_engagement"), lung=lung)[1] == 2
    assert grades(0.0, lung=lung)[1] == 0
    assert grades(v("fever_engagement"), lung=2 * lung)[1] == 3  # high-flow oxygen


def test_fatal_storm_is_grade_5():
    assert grades(v("fatal_engagement"))[1] == 5


@pytest.mark.parametrize(
    ("ratio", "ice", "grade"),
    # ICE = 10 - floor(3 log2(ratio)): ratio 1 -> 10 (no ICANS), 2 -> 7 (grade 1),
    # 4 -> 4 (grade 2), 8 -> 1 (grade 3); 16 -> -2: unarousable (grade 4).
    [(1.0, 10, 0), (2.0, 7, 1), (4.0, 4, 2), (8.0, 1, 3), (16.0, None, 4)],
)
def test_ice_score_and_icans_grade(ratio, ice, grade):
    obs, _, icans = grades(0.0, neuro=ratio * v("icans_engagement"))
    assert icans == grade
    if ice is not None:
        assert obs.ice_score[0] == ice
    else:
        assert obs.unarousable[0]


def test_harm_indexes_by_hand():
    # Cmax 2000, share 0.5, T 1.5, L 0.5, s 2: Z = 2 * 2 * 0.5 = 2; lung 1 * 0.5 / 2 = 0.25.
    z, lung = harm_indexes(
        np.array([2000.0]), np.array([0.5]), np.array([1.5]), np.array([0.5]), np.array([2.0])
    )
    assert z[0] == pytest.approx(2.0) and lung[0] == pytest.approx(0.25)
