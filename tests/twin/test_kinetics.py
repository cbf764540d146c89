"""CAR-T kinetics in closed form against Stein 2019's published AUC and numerical integration."""

import numpy as np
import pytest
from scipy import integrate

from hyposti.twin.kinetics import CarKinetics, expansion_rate


def stein_typical() -> CarKinetics:
    """Stein 2019 typical tisagenlecleucel patient: Cmax 24,000, Tmax 9.3 d, fold 3,900,
    alpha 0.16 /d, FB 0.0079, beta 0.0032 /d."""
    tmax, fold = 9.3, 3900.0
    return CarKinetics(
        initial=np.array([24000.0 / fold]),
        rho=np.array([np.log(fold) / tmax]),
        tmax=np.array([tmax]),
        alpha=np.array([0.16]),
        persistent_fraction=np.array([0.0079]),
        beta=np.array([0.0032]),
    )


def test_stein_typical_auc_0_28():
    # Stein 2019 reports a typical AUC0-28 of about 172,000 copies*d/ug; by hand
    # 26,971 (expansion) + 141,350 (contraction) + 3,439 (persistence) = 171,760.
    k = stein_typical()
    assert k.cmax[0] == pytest.approx(24000.0)
    assert k.auc(np.array([28.0]))[0, 0] == pytest.approx(172_000, rel=0.01)


def test_concentration_phases():
    k = stein_typical()
    c = k.concentration(np.array([0.0, 9.3, 9.3 + 10.0, -1.0]))[0]
    assert c[0] == pytest.approx(24000.0 / 3900.0)
    assert c[1] == pytest.approx(24000.0)
    tail = 24000.0 * (0.9921 * np.exp(-1.6) + 0.0079 * np.exp(-0.032))
    assert c[2] == pytest.approx(tail)
    assert c[3] == 0.0


@pytest.mark.parametrize("g", [0.0, 0.001, 0.05, 0.3])
def test_discounted_exposure_against_quadrature(g):
    k = stein_typical()
    days = np.array([5.0, 9.3, 40.0, 400.0])
    got = k.discounted_exposure(days, g)[0]
    for t, value in zip(days, got, strict=True):
        expected, _ = integrate.quad(
            lambda s, t=t: np.exp(-g * (t - s)) * k.concentration(np.array([s]))[0, 0],
            0,
            t,
            points=[9.3] if t > 9.3 else None,
            limit=200,
        )
        assert value == pytest.approx(expected, rel=1e-7)


def test_growth_faster_than_contraction_stays_finite():
    # g > beta makes mu = g - beta > 0 over a long tail: the anchored form must not overflow.
    k = stein_typical()
    value = k.discounted_exposure(np.array([1095.0]), 0.01)[0, 0]
    expected, _ = integrate.quad(
        lambda s: np.exp(-0.01 * (1095 - s)) * k.concentration(np.array([s]))[0, 0],
        0, 1095, points=[9.3], limit=400,
    )  # fmt: skip
    assert np.isfinite(value) and value == pytest.approx(expected, rel=1e-6)


def test_emax_half_at_ec50():
    # Singh 2021 Emax: at S = S50 the log fold is half its maximum; rho = ln(fold) / Tmax.
    rho = expansion_rate(np.array([2.0, 0.0, 1e12]), np.array(3.5), np.array(2.0), np.array(10.0))
    assert rho == pytest.approx([3.5 / 2 / 10.0, 0.0, 3.5 / 10.0])
