"""Virtual toxicities: dose interpolation, grade frequencies, observations the graders accept."""

import datetime as dt
import math

import numpy as np
import pytest

from hyposti.safety.cres import grade_cres
from hyposti.safety.crs import grade_crs
from hyposti.safety.icans import grade_icans
from hyposti.virtual.parameters import load_parameters
from hyposti.virtual.toxicity_model import (
    at_least_probabilities,
    cres_observation,
    crs_observation,
    draw_grade,
    icans_observation,
    sample_adverse_events,
)

PARAMS = load_parameters().toxicity
ANCHORS = PARAMS.anchor_doses_cells_per_kg


def test_probabilities_are_the_table_at_anchors_and_log_linear_between() -> None:
    for dose, row in zip(ANCHORS, PARAMS.crs_at_least, strict=True):
        np.testing.assert_allclose(at_least_probabilities(PARAMS.crs_at_least, ANCHORS, dose), row)
    # sqrt(1e6 * 3e6) lies halfway between the first two anchors on the log10 scale.
    middle = at_least_probabilities(PARAMS.crs_at_least, ANCHORS, math.sqrt(1e6 * 3e6))
    np.testing.assert_allclose(
        middle, (np.array(PARAMS.crs_at_least[0]) + PARAMS.crs_at_least[1]) / 2
    )
    below = at_least_probabilities(PARAMS.crs_at_least, ANCHORS, 1e5)
    np.testing.assert_allclose(below, PARAMS.crs_at_least[0])


def test_drawn_grades_have_the_probabilities_of_the_table() -> None:
    at_least = np.array([0.6, 0.3, 0.1, 0.05, 0.01])
    rng = np.random.default_rng(1)
    n = 50_000
    grades = np.array([draw_grade(rng, at_least) for _ in range(n)])
    exact = -np.diff(np.concatenate([[1.0], at_least, [0.0]]))  # P(grade = 0..5)
    observed = np.bincount(grades, minlength=6) / n
    assert np.all(np.abs(observed - exact) < 5 * np.sqrt(exact * (1 - exact) / n))


@pytest.mark.parametrize("grade", [1, 2, 3, 4, 5])
def test_written_crs_observations_get_their_grade_from_the_astct_grader(grade: int) -> None:
    rng = np.random.default_rng(grade)
    for _ in range(200):
        observation = crs_observation(rng, grade, masked_probability=0.3)
        assert grade_crs(observation).grade == grade


@pytest.mark.parametrize("grade", [1, 2, 3, 4, 5])
def test_written_cres_observations_get_their_grade_from_the_cartox_grader(grade: int) -> None:
    rng = np.random.default_rng(20 + grade)
    for _ in range(200):
        assert grade_cres(cres_observation(rng, grade)).grade == grade


def test_neurotoxicity_is_graded_on_the_scale_the_parameters_name() -> None:
    cartox = PARAMS.model_copy(
        update={"neurotoxicity_scale": "CARTOX CRES", "icans_at_least": [[1.0, 0.5, 0, 0, 0]] * 3}
    )
    rng = np.random.default_rng(9)
    events = sample_adverse_events(rng, cartox, 1e6, dt.date(2024, 1, 1), -5, "P1")
    (neuro,) = [e.event for e in events if e.event.term == "Encephalopathy"]
    assert neuro.scale == "CARTOX CRES" and neuro.verbatim == "CRES"


@pytest.mark.parametrize("grade", [1, 2, 3, 4, 5])
def test_written_icans_observations_get_their_grade_from_the_astct_grader(grade: int) -> None:
    rng = np.random.default_rng(10 + grade)
    for _ in range(200):
        assert grade_icans(icans_observation(rng, grade)).grade == grade


def test_severe_crs_rises_with_dose_at_the_parameter_rates() -> None:
    rng = np.random.default_rng(7)
    n = 800
    rates = []
    for dose, row in zip(ANCHORS, PARAMS.crs_at_least, strict=True):
        severe = 0
        for i in range(n):
            events = sample_adverse_events(rng, PARAMS, dose, dt.date(2024, 1, 1), -5, f"P{i}")
            severe += any(
                e.event.term == "Cytokine release syndrome" and e.event.grade >= 3 for e in events
            )
        expected = row[2]
        assert severe / n == pytest.approx(expected, abs=5 * math.sqrt(expected / n) + 1e-3)
        rates.append(severe / n)
    assert rates == sorted(rates)


def test_events_start_at_preconditioning_and_name_their_grading() -> None:
    rng = np.random.default_rng(8)
    infusion = dt.date(2024, 1, 1)
    for i in range(300):
        for graded in sample_adverse_events(rng, PARAMS, 1e7, infusion, -5, f"P{i}"):
            assert graded.event.onset >= infusion - dt.timedelta(days=5)
            assert graded.end_day > graded.study_day
            assert f"grade {graded.event.grade}" in graded.grading
            if graded.fatal:
                assert graded.event.resolution is None
            if "lab grade" in graded.grading and graded.event.grade < 5:
                assert not graded.event.serious  # an expected nadir is not an SAE by itself
            if graded.event.grade == 5:
                assert graded.event.serious
