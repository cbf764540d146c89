"""Many twin patients at one dose at once: vectorised biology, RECIST by the vectorised engine.

For calibration, sensitivity and scale, where a whole trial's records per patient would cost too
much: patients are drawn as arrays (``hyposti.twin.patients``), their lesions read at the
protocol's scheduled scan days (true sizes to the millimetre, no reading error or missed scan),
and their responses assessed by ``hyposti.response.trial.assess_trial`` (RECIST 1.1,
Eisenhauer 2009 Tables 1-3). PFS events are RECIST progression or death before it (the clinic's
constant pre-progression death hazard), censored at the end of follow-up. CRS and ICANS grades
come from the ASTCT graders of the ward observations (``hyposti.twin.harm``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.response.records import NonTargetStatus, TargetState
from hyposti.response.trial import assess_trial
from hyposti.twin.gate import Gate
from hyposti.twin.harm import graded, observations
from hyposti.twin.parameters import TwinParameters
from hyposti.twin.patients import biology, sample_population, trajectories
from hyposti.virtual.parameters import SimulationParameters
from hyposti.virtual.patient import visit_windows

#: Largest twin cohort: its rates' binomial SE is already below 0.004 at 20,000 patients
#: (sqrt(0.25 / 20000) = 0.0035); a larger number only costs time.
MAX_COHORT = 20_000
#: Largest dose: CAR-T doses given run up to about 1e8 cells/kg; 1e9 refuses a unit slip.
MAX_DOSE_CELLS_PER_KG = 1e9

#: Study day 0 of every patient of a cohort (dates only order the scans).
REFERENCE = np.datetime64("2023-01-02")
RESPONDERS = ("CR", "PR")


@dataclass(frozen=True)
class CohortOutcomes:
    """Per patient: confirmed best response, PFS (days, event), CRS/ICANS grades, kinetics."""

    best_response: np.ndarray
    pfs_days: np.ndarray
    pfs_event: np.ndarray
    crs_grade: np.ndarray
    icans_grade: np.ndarray
    cmax: np.ndarray
    tmax: np.ndarray
    auc_0_28: np.ndarray

    @property
    def orr(self) -> float:
        return float(np.isin(self.best_response, RESPONDERS).mean())


def scan_days(protocol: Protocol) -> np.ndarray:
    """Target study days of the protocol's tumour assessments after the infusion."""
    return np.array(
        [
            v.day
            for v in visit_windows(protocol)
            if "tumour_assessment" in v.assessments and v.day > 0
        ],
        dtype=float,
    )


def recist_tables(
    sizes: np.ndarray, is_target: np.ndarray, days: np.ndarray, non_target_ratio: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(measurements, assessments) for ``assess_trial`` from true sizes (patients x lesions x
    scans, baseline first) read to the millimetre; a target read as 0 mm has disappeared, and
    non-target disease is unequivocal PD at ``non_target_ratio`` times its nadir."""
    n, _, scans = sizes.shape
    present = ~np.isnan(sizes[:, :, 0])
    read = np.round(np.nan_to_num(sizes))
    dates = REFERENCE + days.astype("timedelta64[D]")
    pid = np.array([f"P{i:06d}" for i in range(n)])
    p, lesion, j = np.nonzero((present & is_target)[:, :, None] & np.ones((1, 1, scans), bool))
    value = read[p, lesion, j]
    gone = (value == 0) & (j > 0)
    measurements = pd.DataFrame(
        {
            "patient_id": pid[p],
            "date": dates[j],
            "lesion_id": np.char.add("T", (lesion + 1).astype(str)),
            "nodal": False,
            "state": np.where(gone, TargetState.DISAPPEARED.value, TargetState.MEASURED.value),
            "diameter_mm": np.where(gone, np.nan, value),
        }
    )
    other = np.where((present & ~is_target)[:, :, None], np.nan_to_num(sizes), 0.0).sum(axis=1)
    has_other = other[:, 0] > 0
    nadir = np.minimum.accumulate(other, axis=1)
    status = np.where(
        other >= non_target_ratio * nadir,
        NonTargetStatus.PD.value,
        NonTargetStatus.NON_CR_NON_PD.value,
    )
    status = np.where(has_other[:, None], status, "")
    status[:, 0] = np.where(has_other, "present", "")
    pp, jj = np.divmod(np.arange(n * scans), scans)
    assessments = pd.DataFrame(
        {
            "patient_id": pid[pp],
            "date": dates[jj],
            "baseline": jj == 0,
            "reference_date": REFERENCE,
            "non_target": status[pp, jj],
            "new_lesions": "none",
        }
    )
    return measurements, assessments


def her2_min_percent(protocol: Protocol) -> float:
    """The protocol's HER2 eligibility threshold, % of tumour cells (0 without one)."""
    return max(
        (float(getattr(c.check, "her2_min_percent", 0.0)) for c in protocol.eligibility.criteria),
        default=0.0,
    )


def cohort_outcomes(
    rng: np.random.Generator,
    params: TwinParameters,
    clinic: SimulationParameters,
    gate: Gate,
    protocol: Protocol,
    dose_cells_per_kg: float,
    patients: int,
) -> CohortOutcomes:
    """``patients`` twin patients treated at ``dose_cells_per_kg`` with the CAR of ``gate``."""
    if (
        isinstance(patients, bool)
        or not isinstance(patients, int)
        or not 2 <= patients <= MAX_COHORT
    ):
        raise InputError("patients", patients, f"a twin cohort has 2..{MAX_COHORT:,} patients")
    if not (np.isfinite(dose_cells_per_kg) and 0 < dose_cells_per_kg <= MAX_DOSE_CELLS_PER_KG):
        raise InputError(
            "dose", dose_cells_per_kg, f"must be > 0 and <= {MAX_DOSE_CELLS_PER_KG:g} cells/kg"
        )
    population = sample_population(
        rng, params, clinic, np.full(patients, float(dose_cells_per_kg)), her2_min_percent(protocol)
    )
    bio = biology(population, params, gate)
    days = np.concatenate([[0.0], scan_days(protocol)])
    sizes = trajectories(population, bio, days)[0]
    measurements, assessments = recist_tables(
        sizes, population.is_target, days, clinic.tumour.non_target_progression_ratio
    )
    responses = assess_trial(measurements, assessments, protocol.response)
    progression = (
        pd.to_datetime(responses["progression_date"]) - pd.Timestamp(REFERENCE)
    ).dt.days.to_numpy(dtype=float)  # NaN where the patient never progressed
    end = float(protocol.schedule.end_day) if protocol.schedule else float(days[-1])
    hazard = clinic.survival.pre_progression_death_hazard_per_day
    death = rng.exponential(1.0 / hazard, patients) if hazard > 0 else np.full(patients, np.inf)
    first = np.fmin(progression, death)  # fmin keeps the death day where progression is NaN
    event = first <= end
    obs = observations(bio.cytokine, bio.lung_injury, bio.neurotoxicity, params)
    crs, icans = graded(obs)
    return CohortOutcomes(
        best_response=responses["bor_confirmed"].to_numpy(dtype=str),
        pfs_days=np.where(event, first, end),
        pfs_event=event,
        crs_grade=np.array([g.grade for g in crs]),
        icans_grade=np.array([g.grade for g in icans]),
        cmax=bio.kinetics.cmax,
        tmax=bio.kinetics.tmax,
        auc_0_28=bio.kinetics.auc(np.array([28.0]))[:, 0],
    )
