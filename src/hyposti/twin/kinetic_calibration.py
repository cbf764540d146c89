"""Calibration of the twin's CAR kinetics to a reference CAR's published summaries (Stein 2019).

Stein AM et al. 2019 (CPT Pharmacometrics Syst Pharmacol 8:285, Table 2) give, for
tisagenlecleucel in paediatric B-ALL, the typical Cmax 24,000 copies/ug with between-patient
log-variance omega^2 2.4, Tmax 9.3 d (omega^2 0.38), fold expansion 3,900, contraction alpha
0.16 /d (omega^2 0.91) and a typical AUC0-28 of about 172,000 copies*d/ug. A log-normal's median
is its typical value and its log SD is omega, so these are the medians and spreads the twin's
reference patients must show. The reference patients are the twin's kinetic model
(``hyposti.twin.kinetics``) at saturating antigen engagement (ln fold = L_max, Singh 2021 Emax at
S >> S50) with every between-patient CV of the twin's file: the fit (Nelder-Mead,
scipy.optimize.minimize, common random numbers: one seed for every evaluation) sets the reference
CAR's typical log fold, the CV of L_max and the typical contraction rate alpha so that the
simulated Cmax median and log SD and AUC0-28 median meet Stein's. Stein's AUC0-28 is the typical
patient's; it is read here as the population median, which puts alpha at 0.127 /d where Stein's
typical alpha 0.16 /d gives a median AUC0-28 11% below 172,000 (AUC is not linear in alpha and
Tmax). Tmax is read in Stein 2019 (median and spread are checks, not fitted). The persisting
fraction and its decline are not identified by these summaries (they add about 2% of AUC0-28)
and stay as the file has them.
The fitted CV is the twin's (a relative spread of the expansion carries over to the HER2 CAR);
the typical log fold is the reference CAR's only, since solid tumours expand far less.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from hyposti.errors import InputError
from hyposti.twin.kinetics import CarKinetics
from hyposti.twin.parameters import TwinParameters
from hyposti.twin.sweep import check_seed
from hyposti.twin.variability import sample_individuals

#: SE of a sample median over SE of a sample mean for normal data, sqrt(pi / 2) (Kendall &
#: Stuart, The Advanced Theory of Statistics, vol. 1, eq. 10.29).
MEDIAN_SE_FACTOR = math.sqrt(math.pi / 2)
#: What the fit sets: the reference CAR's typical log fold (its own), and the twin's CV of the
#: log fold and typical contraction rate.
FREE = ("reference_expansion_log_fold", "expansion_log_fold_max_cv", "contraction_alpha_per_day")
#: Fewest and most reference patients a fit or a check may simulate.
MIN_PATIENTS, MAX_PATIENTS = 500, 200_000


@dataclass(frozen=True)
class KineticTarget:
    """A reference CAR's published kinetic summaries (defaults: Stein 2019, Table 2)."""

    cmax_median: float = 24_000.0  # copies/ug, typical Cmax
    cmax_log_sd: float = math.sqrt(2.4)  # omega^2 2.4
    tmax_median_days: float = 9.3
    tmax_log_sd: float = math.sqrt(0.38)  # omega^2 0.38
    auc_0_28_median: float = 172_000.0  # copies*d/ug, typical AUC0-28
    fold_expansion: float = 3900.0  # typical patient's phases, for the report's curve
    alpha_per_day: float = 0.16
    persistent_fraction: float = 0.0079
    beta_per_day: float = 0.0032
    source: str = "Stein 2019 (CPT Pharmacometrics Syst Pharmacol 8:285) Table 2, tisagenlecleucel"

    def typical_patient(self) -> CarKinetics:
        """Stein 2019's typical patient (every parameter at its typical value)."""
        return CarKinetics(
            initial=np.array([self.cmax_median / self.fold_expansion]),
            rho=np.array([math.log(self.fold_expansion) / self.tmax_median_days]),
            tmax=np.array([self.tmax_median_days]),
            alpha=np.array([self.alpha_per_day]),
            persistent_fraction=np.array([self.persistent_fraction]),
            beta=np.array([self.beta_per_day]),
        )


@dataclass(frozen=True)
class KineticSummary:
    """Medians and log SDs of simulated reference patients, each with its Monte Carlo SE."""

    patients: int
    cmax_median: float
    cmax_log_sd: float
    tmax_median_days: float
    tmax_log_sd: float
    auc_0_28_median: float
    auc_0_28_log_sd: float
    log_median_se: dict[str, float]
    log_sd_se: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reference_kinetics(params: TwinParameters, patients: int, seed: int) -> CarKinetics:
    """The reference CAR's patients: the twin's kinetics at saturating engagement.

    Stein 2019 rho = ln(fold) / Tmax with ln(fold) = L_max (Singh 2021 Emax at S >> S50); the
    level after infusion is the reference's typical level times the twin's between-patient factor
    of ``initial_copies_per_dose``.
    """
    check_seed(seed)
    if isinstance(patients, bool) or not isinstance(patients, int):
        raise InputError("patients", patients, "must be a whole number")
    if not MIN_PATIENTS <= patients <= MAX_PATIENTS:
        raise InputError(
            "patients", patients, f"a kinetic calibration uses {MIN_PATIENTS}..{MAX_PATIENTS:,}"
        )
    ref = params.reference_car
    reference = params.with_values({"expansion_log_fold_max": ref.expansion_log_fold})
    ind = sample_individuals(np.random.default_rng(seed), reference, patients)
    level = ind["initial_copies_per_dose"] / params.value("initial_copies_per_dose")
    return CarKinetics(
        initial=ref.initial_copies_per_ug * level,
        rho=ind["expansion_log_fold_max"] / ind["tmax_days"],
        tmax=ind["tmax_days"],
        alpha=ind["contraction_alpha_per_day"],
        persistent_fraction=ind["persistent_fraction"],
        beta=ind["persistence_beta_per_day"],
    )


def kinetic_summary(kinetics: CarKinetics) -> KineticSummary:
    """Cmax, Tmax and AUC0-28 medians and log SDs; the SE of a log median is sqrt(pi/2) s / sqrt(n)
    and of a log SD s / sqrt(2 (n - 1)) (normal sampling theory, Kendall & Stuart eq. 10.29 and
    10.8)."""
    figures = {
        "cmax": np.log(kinetics.cmax),
        "tmax": np.log(kinetics.tmax),
        "auc_0_28": np.log(kinetics.auc(np.array([28.0]))[:, 0]),
    }
    n = figures["cmax"].shape[0]
    sd = {k: float(v.std(ddof=1)) for k, v in figures.items()}
    med = {k: float(np.exp(np.median(v))) for k, v in figures.items()}
    return KineticSummary(
        patients=n,
        cmax_median=med["cmax"],
        cmax_log_sd=sd["cmax"],
        tmax_median_days=med["tmax"],
        tmax_log_sd=sd["tmax"],
        auc_0_28_median=med["auc_0_28"],
        auc_0_28_log_sd=sd["auc_0_28"],
        log_median_se={k: MEDIAN_SE_FACTOR * s / math.sqrt(n) for k, s in sd.items()},
        log_sd_se={k: s / math.sqrt(2 * (n - 1)) for k, s in sd.items()},
    )


def with_kinetic_fit(
    params: TwinParameters, log_fold: float, cv: float, alpha: float
) -> TwinParameters:
    """``params`` with a kinetic fit's values (in ``FREE`` order) in place."""
    fitted = params.with_values({"expansion_log_fold_max": cv}, field="cv")
    data = fitted.with_values({"contraction_alpha_per_day": alpha}).model_dump()
    data["reference_car"]["expansion_log_fold"] = log_fold
    return TwinParameters.model_validate(data)


def calibrate_kinetics(
    params: TwinParameters,
    target: KineticTarget | None = None,
    patients: int = 20_000,
    seed: int = 2019,
) -> dict[str, Any]:
    """Fit the reference CAR's typical log fold and the CV of L_max to the target's Cmax median
    and log SD; returns the fitted values, the fit against target (Tmax and AUC0-28 as
    out-of-fit checks) and the optimiser's report."""
    from scipy.optimize import minimize

    target = target or KineticTarget()
    reference_kinetics(params, patients, seed)  # refuse bad sizes or seeds before fitting

    def loss(x: np.ndarray) -> float:
        fitted = with_kinetic_fit(params, *(float(v) for v in np.exp(x)))
        s = kinetic_summary(reference_kinetics(fitted, patients, seed))
        # Misses in units of their Monte Carlo SE at this sample size.
        return (
            (math.log(s.cmax_median / target.cmax_median) / s.log_median_se["cmax"]) ** 2
            + ((s.cmax_log_sd - target.cmax_log_sd) / s.log_sd_se["cmax"]) ** 2
            + (math.log(s.auc_0_28_median / target.auc_0_28_median) / s.log_median_se["auc_0_28"])
            ** 2
        )

    start = np.log([params.reference_car.expansion_log_fold, *(
        params.parameters[name].cv if name == "expansion_log_fold_max" else params.value(name)
        for name in ("expansion_log_fold_max", "contraction_alpha_per_day")
    )])  # fmt: skip
    fit = minimize(loss, start, method="Nelder-Mead", options={"xatol": 1e-3, "fatol": 0.01})
    values = dict(zip(FREE, (float(v) for v in np.exp(fit.x)), strict=True))
    fitted = with_kinetic_fit(params, *values.values())
    return {
        "target": asdict(target),
        "fitted": values,
        "start": dict(zip(FREE, (float(v) for v in np.exp(start)), strict=True)),
        "fit": kinetic_summary(reference_kinetics(fitted, patients, seed)).to_dict(),
        "loss": float(fit.fun),
        "evaluations": int(fit.nfev),
        "patients": patients,
        "seed": seed,
    }
