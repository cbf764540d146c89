"""The multiphasic kinetic model against its closed form, numeric integration and Stein 2019."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from hyposti.virtual.kinetics_model import (
    KineticProfiles,
    area_under_curve,
    concentration,
    cumulative_exposure,
    measure,
    sample_profiles,
    typical_profile,
)
from hyposti.virtual.parameters import load_parameters

# Stein et al. 2019, Table 2: typical tisagenlecleucel (B-ALL) parameters.
TISAGENLECLEUCEL = KineticProfiles(
    cmax=np.array([24_000.0]),
    tmax=np.array([9.3]),
    fold=np.array([3_900.0]),
    alpha=np.array([0.16]),
    persistent_fraction=np.array([0.0079]),
    beta=np.array([0.0032]),
)


def _profiles(rng: np.random.Generator, n: int) -> KineticProfiles:
    return KineticProfiles(
        cmax=rng.uniform(10, 5e4, n),
        tmax=rng.uniform(3, 20, n),
        fold=rng.uniform(2, 5e3, n),
        alpha=rng.uniform(0.02, 0.8, n),
        persistent_fraction=rng.uniform(1e-4, 0.5, n),
        beta=rng.uniform(1e-4, 0.1, n),
    )


def test_level_at_tmax_is_cmax_and_at_infusion_is_cmax_over_fold() -> None:
    profiles = _profiles(np.random.default_rng(1), 50)
    at_peak = np.array([concentration(profiles, [t])[i, 0] for i, t in enumerate(profiles.tmax)])
    np.testing.assert_allclose(at_peak, profiles.cmax, rtol=1e-12)
    np.testing.assert_allclose(concentration(profiles, [0.0])[:, 0], profiles.cmax / profiles.fold)
    assert np.all(concentration(profiles, [-0.5]) == 0.0)


def test_level_is_continuous_at_tmax() -> None:
    profiles = _profiles(np.random.default_rng(2), 20)
    eps = 1e-7
    for i, tmax in enumerate(profiles.tmax):
        left, right = concentration(profiles, [tmax - eps, tmax + eps])[i]
        assert left == pytest.approx(right, rel=1e-5)


def test_closed_form_auc_matches_numeric_integration() -> None:
    profiles = _profiles(np.random.default_rng(3), 25)
    for end in (2.0, 28.0, 400.0):
        closed = area_under_curve(profiles, end)
        for i in range(len(profiles)):
            tmax = profiles.tmax[i]
            pieces = [(0.0, min(end, tmax)), (min(end, tmax), end)]
            numeric = sum(
                integrate.quad(
                    lambda t, i=i: concentration(profiles, [t])[i, 0],
                    a,
                    b,
                    epsabs=0,
                    epsrel=1e-11,
                    limit=200,
                )[0]
                for a, b in pieces
                if b > a
            )
            assert closed[i] == pytest.approx(numeric, rel=1e-8)


def test_tisagenlecleucel_typical_auc_0_28_matches_stein_2019() -> None:
    # Stein 2019 reports a typical AUC0-28 of about 172,000 copies*day/ug.
    assert area_under_curve(TISAGENLECLEUCEL, 28.0)[0] == pytest.approx(172_000, rel=0.01)


def test_between_patient_log_variances_are_recovered_from_a_large_sample() -> None:
    params = load_parameters().kinetics
    n = 40_000
    dose = np.full(n, params.reference_dose_cells_per_kg)
    sld = np.full(n, params.reference_sld_mm)
    profiles = sample_profiles(np.random.default_rng(4), params, dose, sld)
    fb = profiles.persistent_fraction
    logs = {
        "cmax": np.log(profiles.cmax),
        "tmax": np.log(profiles.tmax),
        "fold": np.log(profiles.fold - 1.0),
        "alpha": np.log(profiles.alpha),
        "persistent_fraction": np.log(fb / (1 - fb)),
        "beta": np.log(profiles.beta),
    }
    typical = typical_profile(params)
    medians = {
        "cmax": typical.cmax[0],
        "tmax": typical.tmax[0],
        "alpha": typical.alpha[0],
        "beta": typical.beta[0],
    }
    for name, values in logs.items():
        omega2 = params.omega2[name]
        # The sample variance of n normals has SD omega2 * sqrt(2 / (n - 1)); allow 5 of those.
        assert np.var(values, ddof=1) == pytest.approx(omega2, abs=5 * omega2 * np.sqrt(2 / n))
    for name, median in medians.items():
        assert np.median(getattr(profiles, name)) == pytest.approx(median, rel=0.05)


def test_cmax_scales_with_dose_and_tumour_burden_as_parameterised() -> None:
    params = load_parameters().kinetics
    n = 20_000
    ref_dose, ref_sld = params.reference_dose_cells_per_kg, params.reference_sld_mm
    low = sample_profiles(
        np.random.default_rng(5), params, np.full(n, ref_dose), np.full(n, ref_sld)
    )
    high = sample_profiles(
        np.random.default_rng(5), params, np.full(n, 10 * ref_dose), np.full(n, 4 * ref_sld)
    )
    # Same random numbers: the ratio is exactly the covariate model, patient by patient.
    expected = 10**params.dose_exponent * 4**params.burden_exponent
    np.testing.assert_allclose(high.cmax / low.cmax, expected, rtol=1e-12)


def test_measurement_error_is_log_normal_and_censored_at_lloq() -> None:
    rng = np.random.default_rng(6)
    truth = np.full(50_000, 1_000.0)
    readings = measure(rng, truth, residual_sd=0.56, lloq=10.0)
    sd = np.std(np.log(readings / truth), ddof=1)
    assert sd == pytest.approx(0.56, rel=0.02)
    low = measure(rng, np.array([0.0, 5.0, 1e-3]), residual_sd=0.0, lloq=10.0)
    assert np.isnan(low).all()


def test_same_seed_same_profiles_different_seed_different() -> None:
    params = load_parameters().kinetics
    dose, sld = np.full(5, 3e6), np.full(5, 50.0)
    a = sample_profiles(np.random.default_rng(7), params, dose, sld)
    b = sample_profiles(np.random.default_rng(7), params, dose, sld)
    c = sample_profiles(np.random.default_rng(8), params, dose, sld)
    np.testing.assert_array_equal(a.cmax, b.cmax)
    assert not np.array_equal(a.cmax, c.cmax)


@settings(max_examples=60, deadline=None)
@given(
    cmax=st.floats(min_value=1.0, max_value=1e5),
    tmax=st.floats(min_value=0.5, max_value=30.0),
    fold=st.floats(min_value=1.5, max_value=1e4),
    alpha=st.floats(min_value=1e-3, max_value=2.0),
    fb=st.floats(min_value=1e-5, max_value=0.99),
    beta=st.floats(min_value=1e-5, max_value=1.0),
)
def test_levels_are_positive_peak_at_tmax_and_auc_only_grows(
    cmax: float, tmax: float, fold: float, alpha: float, fb: float, beta: float
) -> None:
    one = KineticProfiles(*(np.array([v]) for v in (cmax, tmax, fold, alpha, fb, beta)))
    days = np.linspace(0.0, 200.0, 401)
    levels = concentration(one, days)[0]
    assert np.all(levels > 0)
    # The model rises to Cmax at Tmax and falls after (alpha, beta > 0): the peak is Cmax.
    assert levels.max() <= cmax * (1 + 1e-12)
    auc = cumulative_exposure(one, days)[0]
    assert np.all(np.diff(auc) >= -1e-9 * auc[-1])
