"""One virtual patient: independent seeded streams, blood and tumour CAR-T samples."""

import datetime as dt

import numpy as np
import pytest

from hyposti.protocol import load_protocol
from hyposti.virtual.kinetics_model import concentration, cumulative_exposure, typical_profile
from hyposti.virtual.parameters import load_parameters
from hyposti.virtual.patient import (
    _exposure,
    _kinetic_samples,
    _visit_day,
    sampling_days,
    visit_windows,
)

PARAMS = load_parameters()


def test_tumour_biopsies_have_the_parameter_share_and_tumour_to_blood_ratio() -> None:
    kinetics = PARAMS.kinetics.model_copy(
        update={"residual_sd": 0.0, "lloq_copies_per_ug": 1e-9, "tumour_biopsy_probability": 0.4}
    )
    params = PARAMS.model_copy(update={"kinetics": kinetics})
    profile = typical_profile(kinetics)
    days = [4, 7, 14, 21, 27, 42]
    blood = concentration(profile, np.array(days, dtype=float))[0]
    rng = np.random.default_rng(3)
    n = 5_000
    log_ratios = []
    for _ in range(n):
        samples = _kinetic_samples(rng, params, profile, days, dt.date(2024, 1, 1))
        assert [s.study_day for s in samples if s.matrix == "blood"] == [0, *days]
        for s in samples:
            if s.matrix == "tumour":
                assert s.study_day == 27  # the sampling day nearest day 28
                log_ratios.append(np.log(s.copies_per_ug / blood[days.index(27)]))
    share = len(log_ratios) / n
    assert share == pytest.approx(0.4, abs=5 * np.sqrt(0.4 * 0.6 / n))
    # Readings keep 3 significant figures: the log ratio is exact to 0.5%.
    assert np.median(log_ratios) == pytest.approx(np.log(3.0), abs=0.05)
    assert np.std(log_ratios) == pytest.approx(1.0, rel=0.05)


def test_the_pre_infusion_sample_is_read_below_the_lloq_by_the_assay() -> None:
    # True level 0 before the infusion: whatever the assay noise, the reading is below the LLOQ.
    profile = typical_profile(PARAMS.kinetics)
    rng = np.random.default_rng(4)
    for _ in range(200):
        samples = _kinetic_samples(rng, PARAMS, profile, [4, 7], dt.date(2024, 1, 1))
        first = samples[0]
        assert (first.matrix, first.study_day, first.date) == ("blood", 0, dt.date(2024, 1, 1))
        assert first.copies_per_ug is None
    without = PARAMS.model_copy(
        update={"kinetics": PARAMS.kinetics.model_copy(update={"pre_infusion_sample": False})}
    )
    samples = _kinetic_samples(rng, without, profile, [4, 7], dt.date(2024, 1, 1))
    assert [s.study_day for s in samples if s.matrix == "blood"] == [4, 7]


def test_exposure_read_off_the_daily_grid_is_the_kinetic_models() -> None:
    # Scan and appearance days on the grid are read off it; any other day is computed.
    profile = typical_profile(PARAMS.kinetics)
    grid = np.arange(1.0, 101.0)
    grid_exposure = cumulative_exposure(profile, grid)[0]
    for days in ([1.0, 28.0, 100.0], [0.0, 5.0], [28.5], [101.0], [-3.0], []):
        at = np.array(days, dtype=float)
        np.testing.assert_array_equal(
            _exposure(profile, at, grid_exposure), cumulative_exposure(profile, at)[0]
        )


def test_sampling_days_draw_each_visit_day_as_a_single_draw_would() -> None:
    # Equivalence check: the one vectorised draw gives each sampling visit the day a draw of its
    # own gives (_visit_day), from the same words of the stream, which then goes on the same.
    visits = visit_windows(load_protocol())
    sampling = [v for v in visits if "car_copy_number" in v.assessments]
    for seed in range(200):
        vectorised, single = np.random.default_rng(seed), np.random.default_rng(seed)
        if seed % 2:  # leave half of a 64-bit word buffered for the 32-bit draws
            vectorised.integers(0, 5), single.integers(0, 5)
        days = sampling_days(vectorised, visits, last_day=400)
        drawn = sorted({_visit_day(single, v) for v in sampling})
        assert days == [d for d in drawn if 0 < d <= 400]
        assert vectorised.bit_generator.state == single.bit_generator.state
