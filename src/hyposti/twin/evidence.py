"""What the twin's report shows: its calibration rechecked on fresh patients, its kinetics, and the
gated vs conventional CAR at the protocol's doses.

The calibration targets are Stein 2019's kinetics of the reference CAR
(``hyposti.twin.kinetic_calibration``) and Feng 2018's ORR and median PFS
(``hyposti.twin.calibration``); each simulated figure is shown with its Monte Carlo SE, on a seed
other than the fit's, so the check is not the fit's own sample. The arm comparison is
``hyposti.twin.compare``'s (the protocol's DLT rules, binomial SEs).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from hyposti.protocol import Protocol
from hyposti.twin.calibration import Target, simulated_summary
from hyposti.twin.cohort import her2_min_percent
from hyposti.twin.compare import ARMS, check_patients_per_cell, compare_arms
from hyposti.twin.gate import gate_from_parameters
from hyposti.twin.kinetic_calibration import KineticTarget, kinetic_summary, reference_kinetics
from hyposti.twin.kinetics import CarKinetics
from hyposti.twin.parameters import TwinParameters
from hyposti.twin.patients import biology, sample_population
from hyposti.twin.trial import twin_model
from hyposti.virtual.parameters import SimulationParameters

#: Days of the kinetics curves: the expansion, the DLT window and three months after.
CURVE_DAYS = np.arange(0.0, 91.0, 1.0)
#: Curves are summarised by these quantiles over patients (median and a 10-90% band).
QUANTILES = (0.1, 0.5, 0.9)
#: Reference patients for the kinetic check and patients per curve.
KINETIC_PATIENTS, CURVE_PATIENTS = 20_000, 2000


@dataclass(frozen=True)
class Curve:
    """Blood CAR transgene quantiles (copies/ug) over ``days``, one row per quantile."""

    label: str
    dose_level: int | None
    arm: str
    days: tuple[float, ...]
    quantiles: tuple[float, ...]
    copies: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class TwinEvidence:
    """The twin report's content: calibration checks, kinetics curves, arm comparison."""

    seed: int
    patients_per_cell: int
    kinetic_target: dict[str, Any]
    kinetic_fit: dict[str, Any]
    clinical_target: dict[str, Any]
    clinical_fit: dict[str, float]
    clinical_patients: int
    curves: tuple[Curve, ...]
    comparison: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _curve(kinetics: CarKinetics, label: str, dose_level: int | None, arm: str) -> Curve:
    levels = np.quantile(kinetics.concentration(CURVE_DAYS), QUANTILES, axis=0)
    return Curve(
        label=label,
        dose_level=dose_level,
        arm=arm,
        days=tuple(CURVE_DAYS.tolist()),
        quantiles=QUANTILES,
        copies=tuple(tuple(row.tolist()) for row in levels),
    )


def her2_kinetics(
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    gated: bool,
    dose_cells_per_kg: float,
    patients: int,
    seed: int,
) -> CarKinetics:
    """Blood kinetics of ``patients`` twin patients at one dose (engagement-driven expansion)."""
    population = sample_population(
        np.random.default_rng(seed),
        params,
        clinic,
        np.full(patients, dose_cells_per_kg),
        her2_min_percent(protocol),
    )
    return biology(population, params, gate_from_parameters(params, gated)).kinetics


def twin_evidence(
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    seed: int,
    patients_per_cell: int,
    clinical_patients: int = 4000,
) -> TwinEvidence:
    """Recheck the calibration on ``seed`` (not the fits' seeds), draw the kinetics curves and
    compare the arms with ``patients_per_cell`` patients per dose and arm."""
    check_patients_per_cell(patients_per_cell)  # before any work
    reference = reference_kinetics(params, KINETIC_PATIENTS, seed)
    target = Target()
    clinical = simulated_summary(params, clinic, protocol, target, clinical_patients, seed)
    curves = [_curve(reference, params.reference_car.name, None, "reference")]
    for dose in protocol.investigational_product.dose_levels:
        for arm, gated in ARMS:
            kinetics = her2_kinetics(
                params, clinic, protocol, gated, dose.cells_per_kg, CURVE_PATIENTS, seed
            )
            curves.append(_curve(kinetics, f"DL{dose.level} {arm}", dose.level, arm))
    models = {arm: twin_model(params, clinic, gated) for arm, gated in ARMS}
    return TwinEvidence(
        seed=seed,
        patients_per_cell=patients_per_cell,
        kinetic_target=asdict(KineticTarget()),
        kinetic_fit=kinetic_summary(reference).to_dict(),
        clinical_target=asdict(target),
        clinical_fit=clinical,
        clinical_patients=clinical_patients,
        curves=tuple(curves),
        comparison=tuple(compare_arms(seed, models, protocol, patients_per_cell)),
    )
