"""Virtual patients of the twin, vectorised: arrays over patients (rows) and lesions (columns).

A patient is a dose, a HER2-positive share, lesions with baseline diameters and oxygenation, and
one draw of every biological parameter (``hyposti.twin.variability``). ``biology`` derives what
the model needs — CAR expression per lesion and in lung, engagement, the multiphasic kinetics,
kill per lesion and the cytokine indexes — and ``trajectories`` the sizes and levels over time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hyposti.errors import InputError
from hyposti.twin.gate import Gate
from hyposti.twin.harm import harm_indexes
from hyposti.twin.kinetics import CarKinetics, expansion_rate
from hyposti.twin.oxygen import hypoxic_fraction
from hyposti.twin.parameters import TwinParameters
from hyposti.twin.tumour import lesion_diameters
from hyposti.twin.variability import sample_individuals
from hyposti.virtual.parameters import SimulationParameters

#: Engagement is per CAR-T cell relative to this dose (Singh 2021: antigen per cell).
REFERENCE_DOSE_CELLS_PER_KG = 1.0e6
#: At most this many non-target lesions are modelled per patient (RECIST records them all, the
#: model's arrays need a bound; a Poisson(1.5) count exceeds 5 with probability 0.005).
MAX_NON_TARGETS = 5


@dataclass(frozen=True)
class TwinPatients:
    """Patients' inputs: dose, HER2 share, lesions (NaN-padded) and individual parameters."""

    dose_cells_per_kg: np.ndarray
    her2_fraction: np.ndarray
    baseline_mm: np.ndarray
    is_target: np.ndarray
    lesion_po2_mmhg: np.ndarray
    individual: dict[str, np.ndarray]


@dataclass(frozen=True)
class TwinBiology:
    """What the model derives for each patient before time runs."""

    kinetics: CarKinetics
    lesion_expression: np.ndarray
    hypoxic_fraction: np.ndarray
    lung_expression: np.ndarray
    engagement: np.ndarray
    kill_per_day: np.ndarray
    cytokine: np.ndarray
    lung_injury: np.ndarray
    neurotoxicity: np.ndarray


def biology(patients: TwinPatients, params: TwinParameters, gate: Gate) -> TwinBiology:
    """Expression, engagement, kinetics, kill and harm indexes of every patient."""
    ind = patients.individual
    log_sd = params.value("po2_log_sd_within_lesion")
    present = ~np.isnan(patients.baseline_mm)
    po2 = patients.lesion_po2_mmhg[present]  # the quadrature runs over real lesions only
    expression = np.zeros(present.shape)
    expression[present] = gate.mean_expression(po2, log_sd)
    hypoxic = np.full(present.shape, np.nan)
    hypoxic[present] = hypoxic_fraction(po2, log_sd, params.value("hypoxia_threshold_mmhg"))
    lung = gate.expression(ind["lung_po2_mmhg"])
    h = patients.her2_fraction
    size = np.nan_to_num(patients.baseline_mm / params.value("reference_diameter_mm"))
    tumour_units = h * (expression * size**3).sum(axis=1)
    lung_units = lung * ind["lung_antigen_units"]
    dose_ratio = patients.dose_cells_per_kg / REFERENCE_DOSE_CELLS_PER_KG
    engagement = (tumour_units + lung_units) / dose_ratio
    kinetics = CarKinetics(
        initial=ind["initial_copies_per_dose"] * patients.dose_cells_per_kg,
        rho=expansion_rate(
            engagement, ind["expansion_log_fold_max"], ind["engagement_ec50"], ind["tmax_days"]
        ),
        tmax=ind["tmax_days"],
        alpha=ind["contraction_alpha_per_day"],
        persistent_fraction=ind["persistent_fraction"],
        beta=ind["persistence_beta_per_day"],
    )
    kill = (ind["kill_rate_per_day"] * ind["tumour_to_blood_ratio"] * h)[:, None] * expression
    antigen = tumour_units + lung_units
    share = antigen / (antigen + ind["antigen_half_engagement"])
    cytokine, lung_injury = harm_indexes(
        kinetics.cmax, share, tumour_units, lung_units, ind["cytokine_susceptibility"]
    )
    return TwinBiology(
        kinetics=kinetics,
        lesion_expression=np.where(present, expression, np.nan),
        hypoxic_fraction=hypoxic,
        lung_expression=lung,
        engagement=engagement,
        kill_per_day=np.where(present, kill, np.nan),
        cytokine=cytokine,
        lung_injury=lung_injury,
        neurotoxicity=cytokine * ind["neuro_susceptibility"],
    )


def trajectories(
    patients: TwinPatients, bio: TwinBiology, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lesion diameters (patients x lesions x days) and blood CAR copies/ug (patients x days)."""
    ind = patients.individual
    sizes = lesion_diameters(
        bio.kinetics,
        patients.baseline_mm,
        bio.kill_per_day,
        ind["carrying_diameter_mm"],
        ind["gompertz_rate_per_day"],
        days,
    )
    return sizes, bio.kinetics.concentration(days)


def lesion_po2(
    type_median_mmhg: np.ndarray, individual: dict[str, np.ndarray], lesion_scale: np.ndarray
) -> np.ndarray:
    """Median pO2 per lesion: the tumour type's median x the patient's x the lesion's scale."""
    po2: np.ndarray = (type_median_mmhg * individual["tumour_po2_scale"])[:, None] * lesion_scale
    return po2


def sample_population(
    rng: np.random.Generator,
    params: TwinParameters,
    clinic: SimulationParameters,
    dose_cells_per_kg: np.ndarray,
    her2_min_percent: float,
) -> TwinPatients:
    """Patients for the vectorised path: tumour type, HER2, lesions and parameters drawn at once.

    Lesion counts and sizes follow the synthetic trial's anatomy (target count 1-5 with its
    probabilities, log-normal excess over the 10 mm measurability floor of RECIST 1.1 s3.1,
    Poisson non-targets at half the target median); HER2 is uniform from the protocol's
    threshold to the clinic's maximum, as in the synthetic trial's screening.
    """
    dose = np.asarray(dose_cells_per_kg, dtype=float)
    if dose.ndim != 1 or np.any(dose <= 0):
        raise InputError("dose_cells_per_kg", dose.shape, "one positive dose per patient")
    n = len(dose)
    anatomy = clinic.tumour
    types = list(clinic.population.tumour_types)
    unknown = sorted(set(types) - set(params.tumour_types))
    if unknown:
        raise InputError("tumour_types", unknown, "have no pO2 median in the twin parameters")
    weights = np.array([clinic.population.tumour_types[t] for t in types])
    kind = rng.choice(len(types), size=n, p=weights / weights.sum())
    type_po2 = np.array([params.tumour_types[t].po2_median_mmhg for t in types])[kind]
    her2 = rng.uniform(her2_min_percent, clinic.screening.her2_max_percent, n) / 100.0
    probs = np.asarray(anatomy.target_count_probabilities)
    n_targets = 1 + rng.choice(probs.size, size=n, p=probs / probs.sum())
    n_other = np.minimum(rng.poisson(anatomy.non_target_mean, n), MAX_NON_TARGETS)
    width = probs.size + MAX_NON_TARGETS
    column = np.arange(width)[None, :]
    is_target = column < n_targets[:, None]
    present = column < (n_targets + n_other)[:, None]
    excess = max(anatomy.diameter_median_mm - 10.0, 1.0)
    z = rng.standard_normal((n, width))
    target_mm = np.round(10.0 + excess * np.exp(anatomy.diameter_log_sd * z))
    other_mm = np.round(0.5 * anatomy.diameter_median_mm * np.exp(anatomy.diameter_log_sd * z))
    baseline = np.where(is_target, target_mm, np.where(present, np.maximum(other_mm, 1.0), np.nan))
    individual = sample_individuals(rng, params, n)
    scale_sd = params.parameters["lesion_po2_scale"].log_sd
    lesion_scale = np.exp(scale_sd * rng.standard_normal((n, width)))
    return TwinPatients(
        dose_cells_per_kg=dose,
        her2_fraction=her2,
        baseline_mm=baseline,
        is_target=is_target,
        lesion_po2_mmhg=lesion_po2(type_po2, individual, lesion_scale),
        individual=individual,
    )
