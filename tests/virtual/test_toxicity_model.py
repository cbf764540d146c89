"""Virtual toxicities: dose interpolation, grade frequencies, observations the graders accept."""

import datetime as dt
import math

import numpy as np
import pytest

from hyposti.errors import RecordError
from hyposti.protocol import load_protocol
from hyposti.safety.adverse_event import AdverseEvent
from hyposti.safety.cres import grade_cres
from hyposti.safety.crs import grade_crs
from hyposti.safety.dlt import PatientSafetyRecord, adjudicate
from hyposti.safety.icans import grade_icans
from hyposti.virtual.parameters import load_parameters
from hyposti.virtual.toxicity_model import (
    CAR_T_ORGAN,
    CAR_T_SYNDROME,
    CHEMOTHERAPY,
    SKIN_MUCOSAL,
    AttributionPattern,
    _centi,
    at_least_probabilities,
    attributions,
    cres_observation,
    crs_observation,
    draw_grade,
    icans_observation,
    sample_adverse_events,
)

PARAMS = load_parameters().toxicity
ANCHORS = PARAMS.anchor_doses_cells_per_kg
DLT_SPEC = load_protocol().dlt
PRODUCTS = load_protocol().product_ids
INFUSION = dt.date(2024, 1, 1)
TODAY = INFUSION + dt.timedelta(days=100)  # after every event of the model has resolved
# Kinetics-and-biology note's DLT priors per dose [est]: 1e6/kg ~5%, 3e6/kg 10-20%, 1e7/kg 20-35%.
DLT_PRIORS = {1e6: (0.03, 0.07), 3e6: (0.10, 0.20), 1e7: (0.20, 0.35)}


def _record(*events: AdverseEvent) -> PatientSafetyRecord:
    return PatientSafetyRecord(
        patient_id="P1",
        dose_level=1,
        cohort=1,
        preconditioning_start=INFUSION - dt.timedelta(days=5),
        infusion=INFUSION,
        last_follow_up=TODAY,
        adverse_events=events,
    )


def _lowest_dlt_grade(term: str, scale: str, pattern: AttributionPattern) -> int | None:
    """The lowest grade at which the safety engine calls this event (day 3) a DLT."""
    for grade in range(1, 6):
        try:
            event = AdverseEvent(
                id="E1", term=term, grade=grade, scale=scale, onset=INFUSION + dt.timedelta(days=3),
                serious=grade >= 3, attribution=attributions(PRODUCTS, pattern),
            )  # fmt: skip
        except RecordError:  # CTCAE defines no such grade for the term
            continue
        if adjudicate(_record(event), DLT_SPEC, TODAY).has_dlt:
            return grade
    return None


def _closed_form_dlt(dose: float) -> float:
    """P(DLT) = 1 - prod over independent event sources of (1 - P(grade >= lowest DLT grade)).

    The DLT rule is the engine's (asked per event source); the grade probabilities are the
    parameter tables; every CAR-T event's onset lies inside days 0-28 by construction (CRS and
    ICANS onsets are log-normal with medians 3 and 6 days, log SD 0.4: P(onset > 28) < 1e-4).
    """
    sources = [
        (PARAMS.crs_at_least, "Cytokine release syndrome", "ASTCT 2019 CRS", CAR_T_SYNDROME),
        (PARAMS.icans_at_least, "Encephalopathy", "ASTCT 2019 ICANS", CAR_T_SYNDROME),
        (PARAMS.skin_mucosal_at_least, "Rash maculo-papular", "CTCAE v5.0", SKIN_MUCOSAL),
        (PARAMS.skin_mucosal_at_least, "Mucositis oral", "CTCAE v5.0", SKIN_MUCOSAL),
        (PARAMS.pneumonitis_at_least, "Pneumonitis", "CTCAE v5.0", CAR_T_ORGAN),
    ]
    grades = [_lowest_dlt_grade(term, scale, who) for _, term, scale, who in sources]
    # Rash and mucositis are one draw (either term, half each): both must share the DLT grade.
    assert grades[2] == grades[3] == 3
    assert grades[:2] == [3, 3] and grades[4] == 4
    free = 1.0
    for (curves, *_), grade in zip(sources[:3] + sources[4:], grades[:3] + grades[4:], strict=True):
        free *= 1.0 - at_least_probabilities(curves, ANCHORS, dose)[grade - 1]
    return 1.0 - free


def test_chemotherapy_and_lab_events_are_never_dlts() -> None:
    # Attributed "unlikely" to the CAR-T product: the closed form rightly leaves them out.
    for term in [*PARAMS.chemotherapy, *PARAMS.lab_nadirs]:
        assert _lowest_dlt_grade(term, "CTCAE v5.0", CHEMOTHERAPY) is None


@pytest.mark.parametrize("dose", sorted(DLT_PRIORS))
def test_dlt_probability_per_dose_lies_in_the_notes_prior_range(dose: float) -> None:
    low, high = DLT_PRIORS[dose]
    assert low <= _closed_form_dlt(dose) <= high


def test_severe_crs_is_uncommon_at_doses_1_and_2_and_rises_at_dose_3() -> None:
    severe = [at_least_probabilities(PARAMS.crs_at_least, ANCHORS, d)[2] for d in ANCHORS]
    assert severe[0] <= 0.02 and severe[1] <= 0.05 and severe[2] >= 2 * severe[1]
    # Feng 2018: no severe CRS among 11 patients at a median 2.1e6 cells/kg — the likelier outcome.
    at_feng = at_least_probabilities(PARAMS.crs_at_least, ANCHORS, 2.1e6)[2]
    assert (1 - at_feng) ** 11 > 0.5


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
    events = sample_adverse_events(rng, cartox, 1e6, dt.date(2024, 1, 1), -5, "P1", PRODUCTS)
    (neuro,) = [e.event for e in events if e.event.term == "Encephalopathy"]
    assert neuro.scale == "CARTOX CRES" and neuro.verbatim == "CRES"


@pytest.mark.parametrize("grade", [1, 2, 3, 4, 5])
def test_written_icans_observations_get_their_grade_from_the_astct_grader(grade: int) -> None:
    rng = np.random.default_rng(10 + grade)
    for _ in range(200):
        assert grade_icans(icans_observation(rng, grade)).grade == grade


def test_simulated_dlt_and_severe_crs_rates_match_the_closed_forms() -> None:
    # Events drawn by the model and adjudicated by the safety engine, against the closed forms.
    rng = np.random.default_rng(7)
    n = 2_000
    for dose in ANCHORS:
        dlts = severe = 0
        for i in range(n):
            events = sample_adverse_events(rng, PARAMS, dose, INFUSION, -5, f"P{i}", PRODUCTS)
            record = _record(*(e.event for e in events))
            dlts += adjudicate(record, DLT_SPEC, TODAY).has_dlt
            severe += any(
                e.event.term == "Cytokine release syndrome" and e.event.grade >= 3 for e in events
            )
        for observed, expected in (
            (dlts / n, _closed_form_dlt(dose)),
            (severe / n, at_least_probabilities(PARAMS.crs_at_least, ANCHORS, dose)[2]),
        ):
            sd = math.sqrt(expected * (1 - expected) / n)
            assert observed == pytest.approx(expected, abs=5 * sd + 1e-3)


def test_events_start_at_preconditioning_and_name_their_grading() -> None:
    rng = np.random.default_rng(8)
    infusion = dt.date(2024, 1, 1)
    for i in range(300):
        for graded in sample_adverse_events(rng, PARAMS, 1e7, infusion, -5, f"P{i}", PRODUCTS):
            assert graded.event.onset >= infusion - dt.timedelta(days=5)
            assert graded.end_day > graded.study_day
            assert f"grade {graded.event.grade}" in graded.grading
            if graded.fatal:
                assert graded.event.resolution is None
            if "lab grade" in graded.grading and graded.event.grade < 5:
                assert not graded.event.serious  # an expected nadir is not an SAE by itself
            if graded.event.grade == 5:
                assert graded.event.serious


def test_attribution_patterns_follow_the_protocols_products() -> None:
    # NCT05681650: skin and mucosa possibly the cells' and the taxane's, unlikely
    # cyclophosphamide's; chemotherapy events probably each agent's.
    assert attributions(PRODUCTS, SKIN_MUCOSAL) == {
        "car_t": "possible",
        "nab_paclitaxel": "possible",
        "cyclophosphamide": "unlikely",
    }
    # A protocol with other products and more agents: the last agent's attribution holds on.
    gd2 = ("gd2_car_t", "fludarabine", "cyclophosphamide", "mesna")
    assert attributions(gd2, CHEMOTHERAPY) == {
        "gd2_car_t": "unlikely",
        "fludarabine": "probable",
        "cyclophosphamide": "probable",
        "mesna": "probable",
    }
    assert attributions(gd2[:1], CAR_T_SYNDROME) == {"gd2_car_t": "probable"}


def test_nadirs_are_rounded_exactly_as_numpy_rounds_to_two_decimals() -> None:
    # The recorded nadirs (and so every seed's trial) depend on numpy's rounding, half to even.
    rng = np.random.default_rng(5)
    values = np.concatenate(
        [
            rng.lognormal(0.0, 3.0, 20_000),
            (np.arange(20_000) + 0.5) / 100,  # halfway cases
            [0.0, 1e306, 1e307, np.inf],
        ]
    )
    with np.errstate(over="ignore"):
        expected = [float(round(value, 2)) for value in values]
    assert [_centi(float(value)) for value in values] == expected
