"""Calibration of the twin's free tumour parameters to Feng 2018, and the gate's sensitivity.

Feng K et al. 2018 (Protein Cell 9:838; NCT01935843, the sponsor's earlier HER2 CAR-T, not
hypoxia-gated): 11 patients at a median 2.1e6 CAR+ cells/kg after the same preconditioning,
1 PR (ORR 1/11) and median PFS 4.8 months. The kill rate and the Gompertz rate are fitted by
Nelder-Mead (scipy.optimize.minimize) on log scale with common random numbers (one fixed seed
for every evaluation, so the objective is a deterministic function of the parameters); the
objective weighs each miss by the Monte Carlo SE of the simulated figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.twin.cohort import cohort_outcomes
from hyposti.twin.gate import Gate, gate_from_parameters
from hyposti.twin.parameters import TwinParameters
from hyposti.twin.sweep import check_seed
from hyposti.virtual.parameters import SimulationParameters

DAYS_PER_MONTH = 365.25 / 12
FREE = ("kill_rate_per_day", "gompertz_rate_per_day")


@dataclass(frozen=True)
class Target:
    """Published clinical summaries the twin must reproduce."""

    dose_cells_per_kg: float = 2.1e6  # Feng 2018: median dose
    orr: float = 1 / 11  # Feng 2018: 1 PR of 11
    median_pfs_days: float = 4.8 * DAYS_PER_MONTH  # Feng 2018: 4.8 months
    gated: bool = False  # Feng 2018's CAR was not hypoxia-gated


def simulated_summary(
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    target: Target,
    patients: int,
    seed: int,
) -> dict[str, float]:
    """ORR and the share progression-free at the target's median PFS, with their MC SEs."""
    gate = gate_from_parameters(params, target.gated)
    out = cohort_outcomes(
        np.random.default_rng(seed), params, clinic, gate, protocol,
        target.dose_cells_per_kg, patients,
    )  # fmt: skip
    free = float((out.pfs_days > target.median_pfs_days).mean())
    return {
        "orr": out.orr,
        "orr_se": float(np.sqrt(out.orr * (1 - out.orr) / patients)),
        "pfs_free_at_target_median": free,
        "pfs_free_se": float(np.sqrt(free * (1 - free) / patients)),
        "crs_grade3plus": float((out.crs_grade >= 3).mean()),
    }


def calibrate(
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    target: Target | None = None,
    patients: int = 4000,
    seed: int = 2018,
) -> dict[str, Any]:
    """Fit ``FREE`` so the simulated ORR and PFS match the target; returns the fitted values,
    the fit against target and the optimiser's report."""
    from scipy.optimize import minimize

    check_seed(seed)
    target = target or Target()
    if patients < 100:
        raise InputError("patients", patients, "a calibration needs at least 100 patients")

    def summary(log_values: np.ndarray) -> dict[str, float]:
        values = dict(zip(FREE, np.exp(log_values).tolist(), strict=True))
        return simulated_summary(
            params.with_values(values), clinic, protocol, target, patients, seed
        )

    def loss(log_values: np.ndarray) -> float:
        s = summary(log_values)
        # Misses in units of the target's binomial SE at this sample size (0.5 at the median).
        orr_se = np.sqrt(target.orr * (1 - target.orr) / patients)
        pfs_se = np.sqrt(0.25 / patients)
        return float(
            ((s["orr"] - target.orr) / orr_se) ** 2
            + ((s["pfs_free_at_target_median"] - 0.5) / pfs_se) ** 2
        )

    start = np.log([params.value(name) for name in FREE])
    fit = minimize(loss, start, method="Nelder-Mead", options={"xatol": 0.01, "fatol": 0.1})
    fitted = dict(zip(FREE, np.exp(fit.x).tolist(), strict=True))
    return {
        "target": {
            "dose_cells_per_kg": target.dose_cells_per_kg,
            "orr": target.orr,
            "median_pfs_days": target.median_pfs_days,
            "source": "Feng 2018 (Protein Cell 9:838)",
        },
        "fitted": fitted,
        "start": dict(zip(FREE, np.exp(start).tolist(), strict=True)),
        "fit": summary(fit.x),
        "loss": float(fit.fun),
        "evaluations": int(fit.nfev),
        "patients": patients,
        "seed": seed,
    }


GATE_GRID = {
    "gate_fold_change": (2.0, 5.0, 10.0, 20.0, 50.0, 100.0),
    "gate_threshold_mmhg": (3.8, 7.6, 11.4, 15.2, 22.8, 38.0),
    "gate_leak": (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5),
}


def gate_sensitivity(
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    dose_cells_per_kg: float,
    patients: int = 2000,
    seed: int = 1,
) -> dict[str, list[dict[str, float]]]:
    """One-at-a-time sensitivity of CRS >= 3 and ORR to the gate's fold change, threshold and
    leak (the others at their file values), with common random numbers and binomial SEs."""
    check_seed(seed)
    out: dict[str, list[dict[str, float]]] = {}
    for name, grid in GATE_GRID.items():
        rows = []
        for value in grid:
            p = params.with_values({name: value})
            gate: Gate = gate_from_parameters(p, gated=True)
            o = cohort_outcomes(
                np.random.default_rng(seed), p, clinic, gate, protocol, dose_cells_per_kg, patients
            )
            crs3 = float((o.crs_grade >= 3).mean())
            rows.append(
                {
                    "value": value,
                    "crs_grade3plus": crs3,
                    "crs_grade3plus_se": float(np.sqrt(crs3 * (1 - crs3) / patients)),
                    "orr": o.orr,
                    "orr_se": float(np.sqrt(o.orr * (1 - o.orr) / patients)),
                }
            )
        out[name] = rows
    return out
