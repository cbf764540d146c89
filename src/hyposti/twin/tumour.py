"""Lesion sizes: Gompertz growth with log-kill proportional to engaged CAR-T, in closed form.

Gompertz growth of volume V towards a plateau K (Norton 1988, Cancer Res 48:7067) with a kill
term proportional to the engaged CAR-T level c(t) (Kimmel 2021, Proc R Soc B 288:20210229,
below saturation): with u = ln(V / K), du/dt = -g u - k c(t), a linear ODE whose solution is
u(t) = u0 exp(-g t) - k J(t), J(t) = integral_0^t exp(-g (t - s)) c(s) ds. Volume goes as the
cube of the diameter, so D(t) = D_K exp(u(t) / 3).
"""

from __future__ import annotations

import numpy as np

from hyposti.twin.kinetics import CarKinetics

#: RECIST 1.1 progression (Eisenhauer 2009 s4.3.1): +20% over the nadir and at least +5 mm.
PD_RELATIVE = 1.2
PD_ABSOLUTE_MM = 5.0
#: Kill rates are per 1000 copies/ug of engaged CAR-T.
KILL_UNIT_COPIES = 1000.0


def gompertz_diameter(
    baseline_mm: np.ndarray, carrying_mm: np.ndarray, rate: np.ndarray, days: np.ndarray
) -> np.ndarray:
    """Untreated D(t) = D_K exp(ln(D0 / D_K) exp(-g t)) (Gompertz; Norton 1988)."""
    d0 = np.asarray(baseline_mm, dtype=float)[..., None]
    k = np.asarray(carrying_mm, dtype=float)[..., None]
    g = np.asarray(rate, dtype=float)[..., None]
    diameter: np.ndarray = k * np.exp(np.log(d0 / k) * np.exp(-g * np.asarray(days, dtype=float)))
    return diameter


def lesion_diameters(
    kinetics: CarKinetics,
    baseline_mm: np.ndarray,
    kill_per_day: np.ndarray,
    carrying_mm: np.ndarray,
    growth_rate: np.ndarray,
    days: np.ndarray,
) -> np.ndarray:
    """Diameters, patients x lesions x days; NaN where a patient has fewer lesions.

    ``baseline_mm`` and ``kill_per_day`` are patients x lesions (NaN-padded); the kill already
    folds in the lesion's CAR expression, its HER2 share and the tumour-to-blood ratio.
    """
    g = np.asarray(growth_rate, dtype=float)
    t = np.asarray(days, dtype=float)
    exposure = kinetics.discounted_exposure(t, g) / KILL_UNIT_COPIES  # patients x days
    decay = np.exp(-g[:, None] * t[None, :])  # patients x days
    # Only the lesions a patient has are computed (padding is about half of the array).
    rows, cols = np.nonzero(~np.isnan(baseline_mm))
    u = decay[rows]
    u *= (3.0 * np.log(baseline_mm[rows, cols] / carrying_mm[rows]))[:, None]
    u -= kill_per_day[rows, cols][:, None] * exposure[rows]
    u /= 3.0
    np.exp(u, out=u)
    u *= carrying_mm[rows][:, None]
    sizes = np.full((*baseline_mm.shape, t.shape[0]), np.nan)
    sizes[rows, cols] = u
    return sizes


def progression_day(
    diameters: np.ndarray, is_target: np.ndarray, days: np.ndarray, non_target_ratio: float
) -> np.ndarray:
    """First day of true RECIST 1.1 progression on the grid (Eisenhauer 2009 s4.3), NaN if none.

    Target sum +20% and +5 mm over its running nadir (baseline included), or the non-target
    total at ``non_target_ratio`` times its nadir ("unequivocal" progression, an estimate).
    ``diameters`` are patients x lesions x days with day 0 first.
    """
    filled = np.where(np.isnan(diameters), 0.0, diameters)
    target_weight = is_target.astype(float)
    target = np.einsum("plt,pl->pt", filled, target_weight)
    other = np.einsum("plt,pl->pt", filled, 1.0 - target_weight)
    nadir = np.minimum.accumulate(target, axis=1)
    hit = (target >= PD_RELATIVE * nadir) & (target - nadir >= PD_ABSOLUTE_MM)
    has_other = other[:, :1] > 0
    other_nadir = np.minimum.accumulate(other, axis=1)
    hit |= has_other & (other >= non_target_ratio * other_nadir)
    found = hit.any(axis=1)
    first = np.asarray(days, dtype=float)[hit.argmax(axis=1)]
    return np.where(found, first, np.nan)
