"""CAR-T transgene levels in blood: Stein et al. 2019 multiphasic model with patient variability.

Stein AM et al. 2019, "Tisagenlecleucel model-based cellular kinetic analysis of chimeric antigen
receptor-T cells", CPT Pharmacometrics Syst Pharmacol 8:285-295: exponential expansion to Tmax,
then a fast-declining effector fraction (alpha) and a slowly declining persisting fraction FB
(beta). Levels are copies per microgram genomic DNA; times are days from infusion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hyposti.errors import InputError
from hyposti.virtual.parameters import KineticsParameters


@dataclass(frozen=True)
class KineticProfiles:
    """Per-patient parameters of the multiphasic model, one array entry per patient."""

    cmax: np.ndarray
    tmax: np.ndarray
    fold: np.ndarray
    alpha: np.ndarray
    persistent_fraction: np.ndarray
    beta: np.ndarray

    @property
    def expansion_rate(self) -> np.ndarray:
        """rho = ln(fold) / Tmax (Stein 2019, equation 1)."""
        rate: np.ndarray = np.log(self.fold) / self.tmax
        return rate

    def __len__(self) -> int:
        return int(self.cmax.shape[0])


def concentration(profiles: KineticProfiles, days: np.ndarray) -> np.ndarray:
    """C(t) for each patient (rows) at each day (columns); 0 before infusion (Stein 2019, eq. 1-3).

    t < Tmax: C = Cmax exp(rho (t - Tmax)); t >= Tmax:
    C = (1 - FB) Cmax exp(-alpha (t - Tmax)) + FB Cmax exp(-beta (t - Tmax)).
    """
    t = np.asarray(days, dtype=float)[None, :]
    cmax, tmax = profiles.cmax[:, None], profiles.tmax[:, None]
    rho = profiles.expansion_rate[:, None]
    fb = profiles.persistent_fraction[:, None]
    since_peak = t - tmax
    rising = cmax * np.exp(rho * np.minimum(since_peak, 0.0))
    tail = np.maximum(since_peak, 0.0)
    falling = cmax * (
        (1.0 - fb) * np.exp(-profiles.alpha[:, None] * tail)
        + fb * np.exp(-profiles.beta[:, None] * tail)
    )
    level = np.where(since_peak < 0.0, rising, falling)
    return np.where(t < 0.0, 0.0, level)


def area_under_curve(profiles: KineticProfiles, end_day: float) -> np.ndarray:
    """AUC from infusion to ``end_day`` in closed form, copies*day/ug, one value per patient.

    Integral of the Stein 2019 piecewise exponentials: (Cmax / rho)(exp(rho (t1 - Tmax)) -
    exp(-rho Tmax)) for the expansion up to t1 = min(t, Tmax), then
    (1 - FB) Cmax (1 - exp(-alpha tau)) / alpha + FB Cmax (1 - exp(-beta tau)) / beta with
    tau = t - Tmax.
    """
    if end_day < 0:
        raise InputError("end_day", end_day, "the AUC runs from infusion (day 0) forward")
    return cumulative_exposure(profiles, np.array([end_day]))[:, 0]


def cumulative_exposure(profiles: KineticProfiles, days: np.ndarray) -> np.ndarray:
    """AUC from infusion to each day (columns) for each patient (rows); 0 before infusion."""
    t = np.maximum(np.asarray(days, dtype=float), 0.0)[None, :]
    cmax, tmax = profiles.cmax[:, None], profiles.tmax[:, None]
    rho = profiles.expansion_rate[:, None]
    alpha, beta = profiles.alpha[:, None], profiles.beta[:, None]
    fb = profiles.persistent_fraction[:, None]
    t1 = np.minimum(t, tmax)
    expansion = cmax / rho * (np.exp(rho * (t1 - tmax)) - np.exp(-rho * tmax))
    tau = np.maximum(t - tmax, 0.0)
    contraction = cmax * (
        (1.0 - fb) * -np.expm1(-alpha * tau) / alpha + fb * -np.expm1(-beta * tau) / beta
    )
    level: np.ndarray = expansion + contraction
    return level


def typical_profile(params: KineticsParameters, n: int = 1) -> KineticProfiles:
    """The population-typical patient at the reference dose and tumour burden, repeated n times."""
    ones = np.ones(n)
    return KineticProfiles(
        cmax=params.cmax_copies_per_ug * ones,
        tmax=params.tmax_days * ones,
        fold=params.expansion_fold * ones,
        alpha=params.alpha_per_day * ones,
        persistent_fraction=params.persistent_fraction * ones,
        beta=params.beta_per_day * ones,
    )


def sample_profiles(
    rng: np.random.Generator,
    params: KineticsParameters,
    dose_cells_per_kg: np.ndarray,
    baseline_sld_mm: np.ndarray,
) -> KineticProfiles:
    """Draw one profile per patient: log-normal between-patient variability (Stein 2019, Table 2).

    Typical Cmax scales as (dose / reference)^dose_exponent (nearly flat across doses) and
    (SLD / reference)^burden_exponent (tumour burden drives expansion): Singh et al. 2021,
    CPT Pharmacometrics Syst Pharmacol 10:362. FB varies on the logit scale so it stays in (0, 1).
    Fold is kept above 1 so that the level rises to its peak.
    """
    dose = np.asarray(dose_cells_per_kg, dtype=float)
    sld = np.asarray(baseline_sld_mm, dtype=float)
    if dose.shape != sld.shape or dose.ndim != 1:
        raise InputError("dose_cells_per_kg", dose.shape, "needs one dose per baseline SLD")
    if (dose <= 0).any() or (sld <= 0).any():
        raise InputError("dose_cells_per_kg/baseline_sld_mm", "<= 0", "must be positive")
    n = dose.shape[0]
    omega = {k: np.sqrt(v) for k, v in params.omega2.items()}
    eta = rng.standard_normal((6, n))
    typical_cmax = (
        params.cmax_copies_per_ug
        * (dose / params.reference_dose_cells_per_kg) ** params.dose_exponent
        * (sld / params.reference_sld_mm) ** params.burden_exponent
    )
    logit_fb = np.log(params.persistent_fraction / (1.0 - params.persistent_fraction))
    return KineticProfiles(
        cmax=typical_cmax * np.exp(omega["cmax"] * eta[0]),
        tmax=params.tmax_days * np.exp(omega["tmax"] * eta[1]),
        fold=1.0 + (params.expansion_fold - 1.0) * np.exp(omega["fold"] * eta[2]),
        alpha=params.alpha_per_day * np.exp(omega["alpha"] * eta[3]),
        persistent_fraction=1.0
        / (1.0 + np.exp(-(logit_fb + omega["persistent_fraction"] * eta[4]))),
        beta=params.beta_per_day * np.exp(omega["beta"] * eta[5]),
    )


def measure(
    rng: np.random.Generator, true_levels: np.ndarray, residual_sd: float, lloq: float
) -> np.ndarray:
    """qPCR readings: true level times exp(N(0, sd^2)) (Stein 2019's proportional error, kept
    positive on the log scale); NaN where the reading falls below the LLOQ or the level is 0."""
    levels = np.asarray(true_levels, dtype=float)
    noise = np.exp(residual_sd * rng.standard_normal(levels.shape))
    readings = levels * noise
    return np.where(readings >= lloq, readings, np.nan)
