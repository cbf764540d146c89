"""Virtual toxicities: dose-dependent CRS, ICANS or CRES and organ events, graded by the engines.

Latent severities are drawn from P(grade >= k) curves interpolated on log10 dose between the
parameter file's anchor doses; each is then written as what a ward records (temperature,
vasopressors, oxygen, ICE score, blood counts), and the AE grade is the one the ``hyposti.safety``
graders give: ASTCT CRS and ICANS (Lee et al. 2019, BBMT 25:625, Tables 3 and 5) or CARTOX CRES
(Neelapu et al. 2018, Nat Rev Clin Oncol 15:47, Table 3) and the CTCAE v5.0 lab criteria.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from hyposti.errors import InputError
from hyposti.protocol.safety_spec import AeScale, Attribution
from hyposti.safety.adverse_event import AdverseEvent, Attributions
from hyposti.safety.cres import CresObservation, grade_cres
from hyposti.safety.crs import CrsObservation, OxygenSupport, grade_crs
from hyposti.safety.grade_result import GradeResult
from hyposti.safety.icans import IcansObservation, Seizure, grade_icans
from hyposti.safety.lab_grading import grade_lab
from hyposti.virtual.parameters import ToxicityParameters


@dataclass(frozen=True)
class GradedEvent:
    """An adverse event and, for a syndrome or a lab value, the grader's full reasoning."""

    event: AdverseEvent
    study_day: int
    end_day: int
    grading: str

    @property
    def fatal(self) -> bool:
        return self.event.grade == 5


def at_least_probabilities(
    curves: list[list[float]], anchors: list[float], dose_cells_per_kg: float
) -> np.ndarray:
    """P(grade >= k) at ``dose``: linear in log10(dose) between anchors, flat outside them."""
    return np.array(_at_least_tuple(curves, anchors, dose_cells_per_kg))


def _at_least_tuple(
    curves: list[list[float]], anchors: list[float], dose_cells_per_kg: float
) -> tuple[float, ...]:
    # The draws read the cached tuple itself: no array is built per patient and event.
    if dose_cells_per_kg <= 0:
        raise InputError("dose_cells_per_kg", dose_cells_per_kg, "must be positive")
    return _interpolated(tuple(map(tuple, curves)), tuple(anchors), float(dose_cells_per_kg))


@lru_cache(maxsize=256)
def _interpolated(
    curves: tuple[tuple[float, ...], ...], anchors: tuple[float, ...], dose: float
) -> tuple[float, ...]:
    # A trial has a handful of distinct doses: each table is interpolated once per dose.
    table = np.asarray(curves, dtype=float)
    x = np.log10(np.asarray(anchors, dtype=float))
    at = np.log10(dose)
    return tuple(float(np.interp(at, x, table[:, k])) for k in range(table.shape[1]))


#: The CTCAE lab grader is pure and nadirs are recorded to 2 decimals, so values repeat across
#: patients; caching its answers keeps the engine's rule and skips re-deriving it.
_grade_nadir = lru_cache(maxsize=8192)(grade_lab)


def draw_grade(rng: np.random.Generator, at_least: Sequence[float] | np.ndarray) -> int:
    """Grade from P(grade >= k): one uniform U, grade = #{k : U < P(grade >= k)} (inversion)."""
    u = rng.random()
    return sum(1 for p in at_least if u < p)


def crs_observation(
    rng: np.random.Generator, grade: int, masked_probability: float
) -> CrsObservation:
    """A worst-of-episode CRS picture that the ASTCT table (Lee 2019 Table 3) puts at ``grade``."""
    if grade < 1:
        raise InputError("grade", grade, "a CRS episode has grade 1 to 5")
    masked = grade >= 2 and bool(rng.random() < masked_probability)
    temperature = float(round(rng.uniform(37.0, 37.9) if masked else rng.uniform(38.0, 40.2), 1))
    pick = int(rng.integers(0, 3))  # hypotension, hypoxia, or both drive grades 2-4
    hypotension = grade >= 2 and pick in (0, 2)
    hypoxia = grade >= 2 and pick in (1, 2)
    vasopressors = {3: 1, 4: 2, 5: 3}.get(grade, 0) if hypotension else 0
    oxygen: OxygenSupport = "none"
    flow: float | None = None
    if hypoxia:
        if grade == 2:
            oxygen, flow = "low-flow", float(rng.integers(1, 7))
        elif grade == 3:
            oxygen, flow = "high-flow", float(rng.integers(10, 41))
        else:
            oxygen = "bipap" if grade == 4 else "mechanical-ventilation"
    return CrsObservation(
        temperature_c=temperature,
        fever_masked=masked,
        hypotension=hypotension,
        vasopressors=vasopressors,
        oxygen=oxygen,
        oxygen_flow_l_min=flow,
        death_due_to_crs=grade == 5,
    )


def icans_observation(rng: np.random.Generator, grade: int) -> IcansObservation:
    """A worst-of-episode ICANS picture that Lee 2019 Table 5 puts at ``grade``."""
    if grade < 1:
        raise InputError("grade", grade, "an ICANS episode has grade 1 to 5")
    if grade == 1:
        return IcansObservation(ice_score=int(rng.integers(7, 10)))
    if grade == 2:
        return IcansObservation(
            ice_score=int(rng.integers(3, 7)),
            consciousness="awakens-to-voice" if rng.random() < 0.5 else "normal",
        )
    if grade == 3:
        seizure: Seizure = "rapidly-resolving" if rng.random() < 0.3 else "none"
        return IcansObservation(ice_score=int(rng.integers(0, 3)), seizure=seizure)
    return IcansObservation(
        ice_score=None, consciousness="unarousable", death_due_to_icans=grade == 5
    )


def cres_observation(rng: np.random.Generator, grade: int) -> CresObservation:
    """A worst-of-episode CRES picture that CARTOX (Neelapu 2018 Table 3) puts at ``grade``."""
    if grade < 1:
        raise InputError("grade", grade, "a CRES episode has grade 1 to 5")
    if grade == 1:
        return CresObservation(cartox10=int(rng.integers(7, 10)))
    if grade == 2:
        return CresObservation(cartox10=int(rng.integers(3, 7)))
    if grade == 3:
        if rng.random() < 0.3:
            return CresObservation(cartox10=int(rng.integers(3, 10)), seizure="partial")
        return CresObservation(cartox10=int(rng.integers(0, 3)))
    return CresObservation(obtunded=True, death_due_to_cres=grade == 5)


#: [est] How an investigator attributes a kind of event: to the investigational product, then to
#: each preconditioning agent in the protocol's order, the last one given holding for any further
#: agent (the taxane first in NCT05681650's regimen is the one skin and mucosa suffer from).
AttributionPattern = tuple[Attribution, tuple[Attribution, ...]]
CAR_T_SYNDROME: AttributionPattern = ("probable", ("unlikely",))
CAR_T_ORGAN: AttributionPattern = ("probable", ("unlikely",))
SKIN_MUCOSAL: AttributionPattern = ("possible", ("possible", "unlikely"))
CHEMOTHERAPY: AttributionPattern = ("unlikely", ("probable",))


def attributions(products: Sequence[str], pattern: AttributionPattern) -> Attributions:
    """``pattern`` as an attribution to each of the protocol's ``products`` (``product_ids``)."""
    return dict(_attribution_items(tuple(products), pattern))


@lru_cache(maxsize=64)
def _attribution_items(
    products: tuple[str, ...], pattern: AttributionPattern
) -> tuple[tuple[str, Attribution], ...]:
    # A protocol has a few products and the model four patterns: each pairing is worked out once.
    investigational, agents = pattern
    last = len(agents) - 1
    return (
        (products[0], investigational),
        *((product, agents[min(i, last)]) for i, product in enumerate(products[1:])),
    )


def _explain(result: GradeResult) -> str:
    return f"{result.scale} grade {result.grade}: {result.deciding_finding}"


def _onset(rng: np.random.Generator, median: float, log_sd: float) -> int:
    return max(0, round(median * float(np.exp(log_sd * rng.standard_normal()))))


class _Drawn(NamedTuple):
    """An event as drawn, before it is numbered and dated: term, grade, day and duration."""

    term: str
    grade: int
    scale: AeScale
    day: int
    duration: int
    attribution: AttributionPattern
    grading: str
    verbatim: str | None = None
    syndrome: bool = False
    laboratory: bool = False


def sample_adverse_events(
    rng: np.random.Generator,
    params: ToxicityParameters,
    dose_cells_per_kg: float,
    infusion_date: dt.date,
    preconditioning_start_day: int,
    patient_id: str,
    products: Sequence[str],
) -> list[GradedEvent]:
    """One patient's adverse events from preconditioning on, graded by the safety graders and
    attributed to each of the protocol's ``products``.

    CRS and ICANS are graded from their observations (ASTCT, Lee 2019); cytopenias from their
    nadir counts (CTCAE v5.0 lab criteria); other events carry the CTCAE grade drawn. Serious
    (ICH E2A: fatal, life-threatening or hospitalising) [est]: fatal events, grade >= 3
    syndromes and organ events, other clinical events at grade 4; an expected lab nadir after
    lymphodepletion is not serious by itself.
    """
    dose = dose_cells_per_kg
    # Drawn in this order on the one stream: a seed's trial depends on it.
    drawn = [
        *_crs(rng, params, dose),
        *_neurotoxicity(rng, params, dose),
        *_skin_mucosal(rng, params, dose),
        *_pneumonitis(rng, params, dose),
        *_chemotherapy(rng, params, preconditioning_start_day),
        *_lab_nadirs(rng, params),
    ]
    return [
        _graded_event(event, f"{patient_id}-AE{number:02d}", infusion_date, products)
        for number, event in enumerate(drawn, start=1)
    ]


def _graded_event(
    drawn: _Drawn, event_id: str, infusion_date: dt.date, products: Sequence[str]
) -> GradedEvent:
    """The AE record: onset on its study day, resolved after its duration unless fatal,
    attributed to each of ``products`` by the event's pattern."""
    onset = infusion_date + dt.timedelta(days=drawn.day)
    fatal = drawn.grade == 5
    duration = max(drawn.duration, 1)
    event = AdverseEvent(
        id=event_id,
        term=drawn.term,
        verbatim=drawn.verbatim,
        grade=drawn.grade,
        scale=drawn.scale,
        onset=onset,
        resolution=None if fatal else onset + dt.timedelta(days=duration),
        serious=fatal
        or (drawn.syndrome and drawn.grade >= 3)
        or (not drawn.laboratory and drawn.grade >= 4),
        attribution=attributions(products, drawn.attribution),
    )
    return GradedEvent(event, drawn.day, drawn.day + duration, drawn.grading)


def _at_least(
    curves: list[list[float]], params: ToxicityParameters, dose: float
) -> tuple[float, ...]:
    return _at_least_tuple(curves, params.anchor_doses_cells_per_kg, dose)


def _crs(rng: np.random.Generator, params: ToxicityParameters, dose: float) -> list[_Drawn]:
    """CRS at the dose's grade curve, graded by ASTCT from the ward's observations."""
    latent = draw_grade(rng, _at_least(params.crs_at_least, params, dose))
    if not latent:
        return []
    result = grade_crs(crs_observation(rng, latent, params.fever_masked_probability))
    if not result.grade:
        return []
    return [
        _Drawn(
            "Cytokine release syndrome",
            result.grade,
            result.scale,
            _onset(rng, params.crs_onset_median_days, params.onset_log_sd),
            _onset(rng, params.crs_duration_median_days, params.onset_log_sd),
            CAR_T_SYNDROME,
            _explain(result),
            "CRS",
            syndrome=True,
        )
    ]


def _neurotoxicity(
    rng: np.random.Generator, params: ToxicityParameters, dose: float
) -> list[_Drawn]:
    """ICANS (ASTCT) or CRES (CARTOX), as the parameter file names the scale."""
    latent = draw_grade(rng, _at_least(params.icans_at_least, params, dose))
    if not latent:
        return []
    if params.neurotoxicity_scale == "CARTOX CRES":
        result = grade_cres(cres_observation(rng, latent))
    else:
        result = grade_icans(icans_observation(rng, latent))
    return [
        _Drawn(
            "Encephalopathy",
            result.grade,
            result.scale,
            _onset(rng, params.icans_onset_median_days, params.onset_log_sd),
            _onset(rng, params.icans_duration_median_days, params.onset_log_sd),
            CAR_T_SYNDROME,
            _explain(result),
            "ICANS" if result.scale == "ASTCT 2019 ICANS" else "CRES",
            syndrome=True,
        )
    ]


def _skin_mucosal(
    rng: np.random.Generator, params: ToxicityParameters, dose: float
) -> list[_Drawn]:
    """A rash or oral mucositis at its drawn CTCAE grade."""
    grade = draw_grade(rng, _at_least(params.skin_mucosal_at_least, params, dose))
    if not grade:
        return []
    term = "Rash maculo-papular" if rng.random() < 0.5 else "Mucositis oral"
    return [
        _Drawn(
            term,
            grade,
            "CTCAE v5.0",
            int(rng.integers(5, 22)),
            int(rng.integers(5, 15)),
            SKIN_MUCOSAL,
            f"CTCAE v5.0 grade {grade} (drawn)",
            syndrome=True,
        )
    ]


def _pneumonitis(rng: np.random.Generator, params: ToxicityParameters, dose: float) -> list[_Drawn]:
    """On-target off-tumour pneumonitis at its drawn CTCAE grade."""
    grade = draw_grade(rng, _at_least(params.pneumonitis_at_least, params, dose))
    if not grade:
        return []
    return [
        _Drawn(
            "Pneumonitis",
            grade,
            "CTCAE v5.0",
            int(rng.integers(1, 15)),
            int(rng.integers(7, 30)),
            CAR_T_ORGAN,
            f"CTCAE v5.0 grade {grade} (drawn)",
            syndrome=True,
        )
    ]


def _chemotherapy(
    rng: np.random.Generator, params: ToxicityParameters, preconditioning_start_day: int
) -> list[_Drawn]:
    """The preconditioning's clinical events, each at its drawn CTCAE grade, from its first day."""
    drawn = []
    for term, curve in params.chemotherapy.items():
        grade = draw_grade(rng, curve)
        if grade:
            drawn.append(
                _Drawn(
                    term,
                    grade,
                    "CTCAE v5.0",
                    int(rng.integers(preconditioning_start_day, 8)),
                    int(rng.integers(3, 21)),
                    CHEMOTHERAPY,
                    f"CTCAE v5.0 grade {grade} (drawn)",
                )
            )
    return drawn


def _centi(value: float) -> float:
    """``value`` rounded to 2 decimals as ``numpy.round`` does it (rint(100 x) / 100, half to
    even), the rounding the nadirs are recorded with, without numpy's cost per scalar."""
    scaled = value * 100.0
    return (round(scaled) if math.isfinite(scaled) else scaled) / 100.0


def _lab_nadirs(rng: np.random.Generator, params: ToxicityParameters) -> list[_Drawn]:
    """Cytopenias: a log-normal nadir per lab, graded by the CTCAE v5.0 lab criteria."""
    drawn = []
    for term, nadir in params.lab_nadirs.items():
        value = _centi(nadir.median * float(np.exp(nadir.log_sd * rng.standard_normal())))
        lab = _grade_nadir(term, value, nadir.unit, lln=nadir.lln)
        if lab.grade:
            drawn.append(
                _Drawn(
                    lab.ctcae_term,
                    lab.grade,
                    "CTCAE v5.0",
                    int(rng.integers(3, 11)),
                    int(rng.integers(5, 28)),
                    CHEMOTHERAPY,
                    f"CTCAE v5.0 lab grade {lab.grade}: nadir {value:g} {nadir.unit} "
                    f"({lab.deciding_rule})",
                    laboratory=True,
                )
            )
    return drawn
