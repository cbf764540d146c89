"""Harm: cytokine release from CAR engagement on and off tumour, written as ward observations.

The cytokine index is the patient's susceptibility s times the engaged CAR-T at the peak,
Z = s (Cmax / 1000) f, with f = A / (A + A50) the share of the peak CAR-T engaged by antigen A
(tumour T plus lung L; antigen-limited engagement, an estimate). The lung-injury index is the
part engaged on HER2 of normoxic lung epithelium, (Cmax / 1000) f L / (T + L): the on-target
off-tumour harm that killed the Morgan 2010 patient (Mol Ther 18:843) and that the hypoxia gate
is meant to remove. Both are written as what a ward records (temperature, hypotension,
vasopressors, oxygen support, ICE score) and the grades are those the ASTCT graders give (Lee
2019, Biol Blood Marrow Transplant 25:625, Tables 3 and 5, via ``hyposti.safety``): the twin
never writes a grade itself. Every threshold is an [est] parameter of the twin's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from hyposti.safety.crs import CrsObservation, grade_crs
from hyposti.safety.grade_result import GradeResult
from hyposti.safety.icans import IcansObservation, grade_icans
from hyposti.twin.parameters import TwinParameters

#: ASTCT low-flow oxygen is <= 6 L/min (Lee 2019 Table 3); high flow is recorded above it.
LOW_FLOW_MAX = 6.0
HIGH_FLOW_MAX = 40.0


@dataclass(frozen=True)
class WardObservations:
    """Worst-of-episode findings per patient (arrays), as a ward records them."""

    temperature_c: np.ndarray
    hypotension: np.ndarray
    vasopressors: np.ndarray
    oxygen: np.ndarray
    oxygen_flow_l_min: np.ndarray
    death_due_to_crs: np.ndarray
    ice_score: np.ndarray
    unarousable: np.ndarray

    def crs(self, i: int) -> CrsObservation:
        """Patient ``i``'s CRS observation, as the ASTCT CRS grader reads it."""
        flow = float(self.oxygen_flow_l_min[i])
        return CrsObservation(
            temperature_c=float(self.temperature_c[i]),
            hypotension=bool(self.hypotension[i]),
            vasopressors=int(self.vasopressors[i]),
            oxygen=str(self.oxygen[i]),  # type: ignore[arg-type]
            oxygen_flow_l_min=None if np.isnan(flow) else flow,
            death_due_to_crs=bool(self.death_due_to_crs[i]),
        )

    def icans(self, i: int) -> IcansObservation:
        """Patient ``i``'s ICANS observation, as the ASTCT ICANS grader reads it."""
        if self.unarousable[i]:
            return IcansObservation(ice_score=None, consciousness="unarousable")
        return IcansObservation(ice_score=int(self.ice_score[i]))


def harm_indexes(
    cmax: np.ndarray,
    engaged_share: np.ndarray,
    tumour_antigen: np.ndarray,
    lung_antigen: np.ndarray,
    susceptibility: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(cytokine index Z = s (Cmax / 1000) f, lung injury (Cmax / 1000) f L / (T + L))."""
    engaged = cmax / 1000.0 * engaged_share
    return susceptibility * engaged, engaged * lung_antigen / (tumour_antigen + lung_antigen)


def observations(
    z: np.ndarray, lung_z: np.ndarray, neuro: np.ndarray, params: TwinParameters
) -> WardObservations:
    """Ward findings from the cytokine index ``z``, the lung-engagement index ``lung_z`` and
    the neurotoxicity index ``neuro`` (all arrays over patients).

    Temperature 36.8 + 1.2 log2(1 + Z / Z_fever) C (38.0 at Z_fever); hypotension from
    Z_hypotension; one vasopressor from Z_pressor, two from 4 Z_pressor; oxygen from capillary
    leak Z / Z_oxygen plus lung injury lung_z / Z_lung, R: >= 1 low flow (2R L/min, at most 6),
    >= 2 high flow (10R L/min, 7-40), >= 4 BiPAP, >= 8 ventilation; a fatal storm from
    Z_fatal. ICE score 10 - floor(3 log2(N / N_icans)) from N = neuro, unarousable below 0.
    """
    v = params.value
    temperature = np.minimum(36.8 + 1.2 * np.log2(1.0 + z / v("fever_engagement")), 42.0)
    pressors = np.where(
        z >= 4 * v("vasopressor_engagement"), 2, np.where(z >= v("vasopressor_engagement"), 1, 0)
    )
    hypotension = (z >= v("hypotension_engagement")) | (pressors > 0)
    r = z / v("oxygen_engagement") + lung_z / v("lung_injury_engagement")
    oxygen = np.select(
        [r >= 8, r >= 4, r >= 2, r >= 1],
        ["mechanical-ventilation", "bipap", "high-flow", "low-flow"],
        "none",
    )
    flow = np.select(
        [(r >= 2) & (r < 4), (r >= 1) & (r < 2)],
        [
            np.clip(np.round(10 * r), LOW_FLOW_MAX + 1, HIGH_FLOW_MAX),
            np.minimum(np.round(2 * r), LOW_FLOW_MAX),
        ],
        np.nan,
    )
    ratio = neuro / v("icans_engagement")
    drop = np.floor(3.0 * np.log2(np.maximum(ratio, 1.0)))
    ice = 10 - drop
    return WardObservations(
        temperature_c=np.round(temperature, 1),
        hypotension=hypotension,
        vasopressors=pressors,
        oxygen=oxygen,
        oxygen_flow_l_min=flow,
        death_due_to_crs=z >= v("fatal_engagement"),
        ice_score=np.clip(ice, 0, 10).astype(int),
        unarousable=ice < 0,
    )


@lru_cache(maxsize=4096)
def _grade_crs(obs: CrsObservation) -> GradeResult:
    # Observations are rounded to what a ward records, so they repeat across patients.
    return grade_crs(obs)


@lru_cache(maxsize=1024)
def _grade_icans(obs: IcansObservation) -> GradeResult:
    return grade_icans(obs)


def graded(obs: WardObservations) -> tuple[list[GradeResult], list[GradeResult]]:
    """Each patient's CRS and ICANS grades, by the ASTCT graders (Lee 2019 Tables 3 and 5)."""
    n = obs.temperature_c.shape[0]
    return (
        [_grade_crs(obs.crs(i)) for i in range(n)],
        [_grade_icans(obs.icans(i)) for i in range(n)],
    )
