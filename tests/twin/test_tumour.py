"""Gompertz lesions with CAR-T kill against the Gompertz closed form and an ODE integrator."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from hyposti.twin.kinetics import CarKinetics
from hyposti.twin.tumour import gompertz_diameter, lesion_diameters, progression_day


def kinetics(n: int = 1) -> CarKinetics:
    one = np.ones(n)
    return CarKinetics(
        initial=100.0 * one,
        rho=0.3 * one,
        tmax=10.0 * one,
        alpha=0.16 * one,
        persistent_fraction=0.01 * one,
        beta=0.03 * one,
    )


def test_gompertz_closed_form_by_hand():
    # D0 25, plateau 150, g 0.001, t 100: 150 exp(ln(1/6) exp(-0.1)) = 150 exp(-1.62123)
    # = 29.65 mm.
    d = gompertz_diameter(np.array([25.0]), np.array([150.0]), np.array([0.001]), [0.0, 100.0])
    assert d[0, 0] == pytest.approx(25.0)
    assert d[0, 1] == pytest.approx(150.0 * np.exp(np.log(1 / 6) * np.exp(-0.1)), rel=1e-12)
    assert d[0, 1] == pytest.approx(29.65, abs=0.01)


def test_no_kill_is_plain_gompertz():
    days = np.array([0.0, 30.0, 365.0, 1095.0])
    base = np.array([[20.0, 35.0]])
    sizes = lesion_diameters(
        kinetics(), base, np.zeros((1, 2)), np.array([150.0]), np.array([0.002]), days
    )
    expected = gompertz_diameter(base[0], np.array([150.0, 150.0]), np.array([0.002] * 2), days)
    assert sizes[0] == pytest.approx(expected, rel=1e-12)


def test_kill_matches_the_ode():
    # du/dt = -g u - k c(t) / 1000 with u = 3 ln(D / D_K), integrated by scipy's Radau.
    k, g, kill, big, d0 = kinetics(), 0.002, 0.05, 150.0, 30.0
    days = np.array([5.0, 10.0, 28.0, 90.0, 365.0])

    def rhs(t, u):
        return [-g * u[0] - kill * k.concentration(np.array([t]))[0, 0] / 1000.0]

    ode = solve_ivp(
        rhs, (0, 365), [3 * np.log(d0 / big)], method="Radau", t_eval=days,
        rtol=1e-10, atol=1e-12, max_step=0.5,
    )  # fmt: skip
    expected = big * np.exp(ode.y[0] / 3.0)
    got = lesion_diameters(
        k, np.array([[d0]]), np.array([[kill]]), np.array([big]), np.array([g]), days
    )[0, 0]
    assert got == pytest.approx(expected, rel=1e-6)
    assert got[2] < d0  # the lesion shrinks while the CAR-T are there


def test_progression_day_by_hand():
    days = np.array([0.0, 50.0, 100.0, 150.0])
    # Targets sum 40 -> 30 (nadir) -> 35 (+16.7%) -> 37 (+23%, +7 mm): progression on day 150.
    sizes = np.array([[[20.0, 15.0, 17.5, 18.5], [20.0, 15.0, 17.5, 18.5]]])
    target = np.array([[True, True]])
    assert progression_day(sizes, target, days, 1.73)[0] == 150.0
    # Non-target 10 -> 18 (1.8 x its nadir): unequivocal progression on day 50.
    sizes2 = np.array([[[20.0, 20.0, 20.0, 20.0], [10.0, 18.0, 18.0, 18.0]]])
    assert progression_day(sizes2, np.array([[True, False]]), days, 1.73)[0] == 50.0
    stable = np.full((1, 1, 4), 20.0)
    assert np.isnan(progression_day(stable, np.array([[True]]), days, 1.73)[0])
