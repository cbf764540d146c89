"""CAR-T transgene levels in blood: Stein 2019 multiphasic kinetics, expansion set by engagement.

Stein AM et al. 2019 (CPT Pharmacometrics Syst Pharmacol 8:285, eq. 1-3): exponential expansion
at rate rho up to Tmax, then a fraction 1 - FB contracting at alpha and a persisting fraction FB
declining at beta. Singh AP et al. 2021 (CPT Pharmacometrics Syst Pharmacol 10:362): expansion is
an Emax function of CAR-antigen engagement per CAR-T cell, here on the log fold expansion,
ln(fold) = L_max S / (S + S50) and rho = ln(fold) / Tmax (Stein's definition of rho), so a larger
dose (less antigen per cell) expands less, a larger tumour burden more, and the peak stays
independent of Tmax as in Stein's parameterisation.
Everything is in closed form, vectorised over patients (rows) and days (columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hyposti.errors import InputError


def expansion_rate(
    engagement: np.ndarray, log_fold_max: np.ndarray, ec50: np.ndarray, tmax: np.ndarray
) -> np.ndarray:
    """rho = L_max S / (S + S50) / Tmax (Singh 2021 Emax in engagement per CAR-T cell;
    Stein 2019 rho = ln(fold) / Tmax)."""
    s = np.asarray(engagement, dtype=float)
    if np.any(s < 0):
        raise InputError("engagement", "< 0", "antigen engagement per cell cannot be negative")
    rho: np.ndarray = np.asarray(log_fold_max) * s / (s + np.asarray(ec50)) / np.asarray(tmax)
    return rho


@dataclass(frozen=True)
class CarKinetics:
    """Per-patient multiphasic parameters (arrays): level just after infusion and the phases."""

    initial: np.ndarray
    rho: np.ndarray
    tmax: np.ndarray
    alpha: np.ndarray
    persistent_fraction: np.ndarray
    beta: np.ndarray

    @property
    def cmax(self) -> np.ndarray:
        """Peak level C0 exp(rho Tmax) (Stein 2019: fold expansion exp(rho Tmax))."""
        peak: np.ndarray = self.initial * np.exp(self.rho * self.tmax)
        return peak

    def pieces(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """C(t) as exponential pieces (amplitude at Tmax, rate, start, end): on [start, end)
        the piece adds amplitude exp(rate (t - Tmax))."""
        cmax, fb = self.cmax, self.persistent_fraction
        zero, inf = np.zeros_like(cmax), np.full_like(cmax, np.inf)
        return [
            (cmax, self.rho, zero, self.tmax),
            ((1.0 - fb) * cmax, -self.alpha, self.tmax, inf),
            (fb * cmax, -self.beta, self.tmax, inf),
        ]

    def concentration(self, days: np.ndarray) -> np.ndarray:
        """C(t), copies/ug, patients x days; 0 before the infusion (Stein 2019 eq. 1-3)."""
        t = np.asarray(days, dtype=float)[None, :]
        level = np.zeros((self.cmax.shape[0], t.shape[1]))
        for amplitude, rate, start, end in self.pieces():
            inside = (t >= start[:, None]) & (t < end[:, None])
            since = np.where(inside, t - self.tmax[:, None], 0.0)
            level += np.where(inside, amplitude[:, None] * np.exp(rate[:, None] * since), 0.0)
        return level

    def discounted_exposure(self, days: np.ndarray, decay: np.ndarray | float) -> np.ndarray:
        """J(t) = integral_0^t exp(-g (t - s)) C(s) ds for each patient's g (``decay``).

        With g = 0 this is the AUC from infusion. Each piece a exp(lambda (s - Tmax)) on
        [s1, s2] integrates to a exp(lambda (s* - Tmax) - g (t - s*)) D phi(|mu| D), mu =
        lambda + g, D = min(s2, t) - s1, s* = the end where exp(mu s) is largest and
        phi(y) = (1 - exp(-y)) / y: no exponential of a large positive argument is formed.
        """
        t = np.maximum(np.asarray(days, dtype=float), 0.0)[None, :]
        g = np.broadcast_to(np.asarray(decay, dtype=float), self.cmax.shape)[:, None]
        tmax = self.tmax[:, None]
        total = np.zeros((self.cmax.shape[0], t.shape[1]))
        for amplitude, rate, start, end in self.pieces():
            s1 = start[:, None]
            s2 = np.minimum(end[:, None], t)
            width = np.maximum(s2 - s1, 0.0)
            mu = rate[:, None] + g
            anchor = np.where(mu > 0, s2, s1)
            y = np.abs(mu) * width
            # phi(y) = -expm1(-y) / y, 1 at y = 0 (where the width, and so the term, is 0 too).
            phi = -np.expm1(-y)
            np.divide(phi, y, out=phi, where=y > 1e-12)
            phi[y <= 1e-12] = 1.0
            exponent = rate[:, None] * (anchor - tmax) - g * (t - anchor)
            total += amplitude[:, None] * np.exp(exponent) * width * phi
        return total

    def auc(self, days: np.ndarray) -> np.ndarray:
        """AUC from infusion to each day, copies*day/ug."""
        return self.discounted_exposure(days, 0.0)
