"""Virtual tumours: lesions that grow and shrink under CAR-T exposure, read at scans as RECIST data.

Each lesion's size relative to baseline follows ln s(t) = g t - kappa AUC(t): exponential growth
(the growth arm of Stein et al. 2008, Clin Cancer Res 14:6391) and log-kill proportional to CAR-T
exposure (Skipper, Schabel & Wilcox 1964 log-kill hypothesis); AUC from the Stein 2019 model.
Scans are read into the records of ``hyposti.response`` so the RECIST engine assesses them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from hyposti.bounds import MAX_LESION_MM
from hyposti.response.records import (
    Assessment,
    BaselineLesion,
    LesionMeasurement,
    NewLesion,
    NewLesionState,
    NonTargetStatus,
    PatientTumourData,
    TargetState,
)
from hyposti.response.thresholds import (
    MAX_TARGETS_PER_ORGAN,
    MEASURABLE_MIN_MM,
    NODE_MEASURABLE_MIN_MM,
    NODE_NORMAL_BELOW_MM,
    NODE_PATHOLOGICAL_MIN_MM,
    meets_pd,
)
from hyposti.virtual.draws import draw_index, draw_name
from hyposti.virtual.parameters import TumourParameters

NODAL_ORGAN = "lymph node"


@dataclass(frozen=True)
class VirtualLesion:
    """A baseline lesion: where it is, its true size and its own growth and kill multipliers."""

    lesion_id: str
    organ: str
    target: bool
    baseline_mm: float
    growth_multiplier: float
    kill_multiplier: float

    @property
    def nodal(self) -> bool:
        return self.organ == NODAL_ORGAN


@dataclass(frozen=True)
class VirtualNewLesion:
    """A lesion that appears after infusion: the day it appears and its size then."""

    lesion_id: str
    organ: str
    appearance_day: float
    size_mm: float
    growth_multiplier: float

    @property
    def nodal(self) -> bool:
        return self.organ == NODAL_ORGAN


@dataclass(frozen=True)
class VirtualTumour:
    """One patient's disease: baseline lesions, growth rate g (/day), kill per unit exposure."""

    lesions: tuple[VirtualLesion, ...]
    growth_per_day: float
    kill_per_auc: float
    new_lesions: tuple[VirtualNewLesion, ...] = ()

    @property
    def targets(self) -> tuple[VirtualLesion, ...]:
        return tuple(lesion for lesion in self.lesions if lesion.target)

    @property
    def non_targets(self) -> tuple[VirtualLesion, ...]:
        return tuple(lesion for lesion in self.lesions if not lesion.target)

    @property
    def baseline_sld_mm(self) -> float:
        return float(sum(lesion.baseline_mm for lesion in self.targets))


def sample_baseline(rng: np.random.Generator, params: TumourParameters) -> VirtualTumour:
    """Baseline lesions (at most 2 targets per organ, RECIST 1.1 s4.2) and the patient's rates."""
    n_targets = 1 + draw_index(rng, tuple(params.target_count_probabilities))
    per_organ: dict[str, int] = {}
    lesions: list[VirtualLesion] = []
    while len(lesions) < n_targets:
        open_organs = {
            k: v for k, v in params.organs.items() if per_organ.get(k, 0) < MAX_TARGETS_PER_ORGAN
        }
        organ = draw_name(rng, open_organs)
        per_organ[organ] = per_organ.get(organ, 0) + 1
        floor = NODE_MEASURABLE_MIN_MM if organ == NODAL_ORGAN else MEASURABLE_MIN_MM
        excess = max(params.diameter_median_mm - floor, 1.0)
        size = floor + excess * float(np.exp(params.diameter_log_sd * rng.standard_normal()))
        lesions.append(_lesion(rng, params, f"T{len(lesions) + 1}", organ, True, round(size)))
    for k in range(int(rng.poisson(params.non_target_mean))):
        organ = draw_name(rng, params.organs)
        # A non-target node is pathological but not measurable: 10 to < 15 mm short axis
        # (drawn up to 14 mm so that rounding to whole millimetres keeps it below 15).
        size = (
            float(rng.uniform(NODE_PATHOLOGICAL_MIN_MM, NODE_MEASURABLE_MIN_MM - 1.0))
            if organ == NODAL_ORGAN
            else float(
                params.diameter_median_mm
                * 0.5
                * np.exp(params.diameter_log_sd * rng.standard_normal())
            )
        )
        lesions.append(_lesion(rng, params, f"NT{k + 1}", organ, False, round(size)))
    growth = params.growth_median_per_day * float(
        np.exp(params.growth_log_sd * rng.standard_normal())
    )
    kill = params.kill_median_per_auc * float(np.exp(params.kill_log_sd * rng.standard_normal()))
    return VirtualTumour(tuple(lesions), growth, kill)


def _lesion(
    rng: np.random.Generator,
    params: TumourParameters,
    lesion_id: str,
    organ: str,
    target: bool,
    size: float,
) -> VirtualLesion:
    multipliers = np.exp(params.lesion_log_sd * rng.standard_normal(2))
    return VirtualLesion(
        lesion_id, organ, target, float(size), float(multipliers[0]), float(multipliers[1])
    )


def lesion_sizes(tumour: VirtualTumour, days: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """True sizes (rows: lesions in order, columns: days): D0 exp(g m_g t - kappa m_k AUC(t))."""
    t = np.asarray(days, dtype=float)[None, :]
    auc = np.asarray(exposure, dtype=float)[None, :]
    base = np.array([lesion.baseline_mm for lesion in tumour.lesions])[:, None]
    mg = np.array([lesion.growth_multiplier for lesion in tumour.lesions])[:, None]
    mk = np.array([lesion.kill_multiplier for lesion in tumour.lesions])[:, None]
    sizes: np.ndarray = base * np.exp(
        tumour.growth_per_day * mg * t - tumour.kill_per_auc * mk * auc
    )
    return sizes


def new_lesion_sizes(
    tumour: VirtualTumour, days: np.ndarray, exposure: np.ndarray, appearance_exposure: np.ndarray
) -> np.ndarray:
    """True sizes of the new lesions (rows) at days (columns); NaN before each one appears."""
    if not tumour.new_lesions:
        return np.zeros((0, len(days)))
    t = np.asarray(days, dtype=float)[None, :]
    auc = np.asarray(exposure, dtype=float)[None, :]
    tau = np.array([n.appearance_day for n in tumour.new_lesions])[:, None]
    size0 = np.array([n.size_mm for n in tumour.new_lesions])[:, None]
    mg = np.array([n.growth_multiplier for n in tumour.new_lesions])[:, None]
    since = tumour.growth_per_day * mg * (t - tau) - tumour.kill_per_auc * (
        auc - np.asarray(appearance_exposure, dtype=float)[:, None]
    )
    return np.where(t >= tau, size0 * np.exp(since), np.nan)


def sample_new_lesions(
    rng: np.random.Generator,
    params: TumourParameters,
    tumour: VirtualTumour,
    grid_days: np.ndarray,
    grid_exposure: np.ndarray,
    sizes: np.ndarray | None = None,
) -> VirtualTumour:
    """New lesions as a Poisson process with hazard h x (mean relative target size) on a day grid.

    Event times by inversion of the cumulative hazard (Cox & Lewis 1966, time-change theorem).
    ``sizes``: the baseline lesions' ``lesion_sizes`` on the grid, when the caller has them.
    """
    if params.max_new_lesions == 0 or params.new_lesion_hazard_per_day == 0:
        return tumour
    if sizes is None:
        sizes = lesion_sizes(tumour, grid_days, grid_exposure)
    target_rows = [i for i, lesion in enumerate(tumour.lesions) if lesion.target]
    base = np.array([tumour.lesions[i].baseline_mm for i in target_rows])[:, None]
    relative = (sizes[target_rows] / base).mean(axis=0)
    step = np.diff(np.concatenate([[0.0], grid_days]))
    cumulative = np.cumsum(params.new_lesion_hazard_per_day * relative * step)
    thresholds = np.cumsum(rng.exponential(size=params.max_new_lesions))
    found = np.searchsorted(cumulative, thresholds)
    new = []
    for k, index in enumerate(found[found < len(grid_days)]):
        organ = draw_name(rng, params.organs)
        size = params.new_lesion_median_mm * float(
            np.exp(params.new_lesion_log_sd * rng.standard_normal())
        )
        multiplier = float(np.exp(params.lesion_log_sd * rng.standard_normal()))
        new.append(VirtualNewLesion(f"N{k + 1}", organ, float(grid_days[index]), size, multiplier))
    return VirtualTumour(tumour.lesions, tumour.growth_per_day, tumour.kill_per_auc, tuple(new))


def true_progression_day(
    tumour: VirtualTumour,
    params: TumourParameters,
    grid_days: np.ndarray,
    grid_exposure: np.ndarray,
    sizes: np.ndarray | None = None,
) -> float | None:
    """First grid day on which the true disease meets RECIST 1.1 progression (Eisenhauer 2009 s4.3).

    Target sum +20% and +5 mm over its running nadir, non-target size at the protocol's
    unequivocal ratio over its nadir, or an unequivocal new lesion; None if never in the grid.
    ``sizes``: the baseline lesions' ``lesion_sizes`` on the grid, when the caller has them.
    """
    if sizes is None:
        sizes = lesion_sizes(tumour, grid_days, grid_exposure)
    is_target = np.array([lesion.target for lesion in tumour.lesions])
    sld = sizes[is_target].sum(axis=0, dtype=np.float64)
    nadir = np.minimum.accumulate(np.concatenate([[tumour.baseline_sld_mm], sld]))[:-1]
    candidates: list[np.ndarray] = [meets_pd(sld, nadir)]
    if (~is_target).any():
        nt = sizes[~is_target].sum(axis=0)
        nt_base = sum(lesion.baseline_mm for lesion in tumour.non_targets)
        nt_nadir = np.minimum.accumulate(np.concatenate([[nt_base], nt]))[:-1]
        candidates.append(nt >= params.non_target_progression_ratio * nt_nadir)
    if tumour.new_lesions:
        appear = np.interp([n.appearance_day for n in tumour.new_lesions], grid_days, grid_exposure)
        new = new_lesion_sizes(tumour, grid_days, grid_exposure, appear)
        candidates.append(np.asarray((new >= params.new_lesion_equivocal_below_mm).any(axis=0)))
    hit = np.logical_or.reduce(candidates)
    return float(grid_days[int(hit.argmax())]) if hit.any() else None


def _read_mm(size_mm: float) -> float:
    """A reader's whole-mm diameter, 1 mm to MAX_LESION_MM. Unchecked exponential growth outgrows
    any body long after progression; the record's ceiling (hyposti.bounds) is what a scan reads."""
    return float(min(MAX_LESION_MM, max(1.0, round(size_mm))))


def _read_target(
    rng: np.random.Generator,
    lesion_id: str,
    gone_below_mm: float,
    too_small_mm: float,
    true_mm: float,
    params: TumourParameters,
) -> LesionMeasurement:
    """A target as read at one scan. ``gone_below_mm`` and ``too_small_mm`` are the lesion's
    own floors (``_target_floors``): a node is measured whatever its size."""
    if rng.random() < params.lesion_not_evaluated_probability:
        return LesionMeasurement(lesion_id=lesion_id, state=TargetState.NOT_EVALUATED)
    if true_mm < gone_below_mm:
        return LesionMeasurement(lesion_id=lesion_id, state=TargetState.DISAPPEARED)
    if true_mm < too_small_mm:
        return LesionMeasurement(lesion_id=lesion_id, state=TargetState.TOO_SMALL)
    read = _read_mm(true_mm * (1.0 + params.measurement_cv * rng.standard_normal()))
    return LesionMeasurement(lesion_id=lesion_id, diameter_mm=read)


def _target_floors(
    lesion: VirtualLesion, params: TumourParameters, too_small_mm: float
) -> tuple[float, float]:
    """Below which true size a target reads "disappeared" and "too small to measure": the
    parameter file's and the protocol's sizes for a non-nodal lesion, none for a node (its short
    axis is always measured, RECIST 1.1 s4.3.2)."""
    if lesion.nodal:
        return -math.inf, -math.inf
    return params.disappeared_below_mm, too_small_mm


def _non_target_status(
    non_targets: tuple[VirtualLesion, ...],
    sizes: list[float],
    total: float,
    nadir: float,
    params: TumourParameters,
) -> NonTargetStatus:
    """Unequivocal PD at the ratio over the nadir; CR when every lesion is gone (nodes < 10 mm).

    ``sizes`` are the non-target lesions' true diameters at the scan and ``total`` their sum."""
    if total >= params.non_target_progression_ratio * nadir:
        return NonTargetStatus.PD
    gone = all(
        size < (NODE_NORMAL_BELOW_MM if lesion.nodal else params.disappeared_below_mm)
        for lesion, size in zip(non_targets, sizes, strict=True)
    )
    return NonTargetStatus.CR if gone else NonTargetStatus.NON_CR_NON_PD


def baseline_lesion_readings(
    rng: np.random.Generator,
    tumour: VirtualTumour,
    sizes: np.ndarray,
    params: TumourParameters,
    too_small_mm: float,
) -> Iterator[tuple[list[LesionMeasurement], NonTargetStatus | None, bool]]:
    """Per scan, what radiologists record of the baseline lesions: the targets read, the
    non-target status and whether the non-target burden grew by the parameter file's ratio since
    the previous scan.

    ``sizes`` holds the true diameters, lesions (in ``tumour.lesions`` order) x scans. Lazy: a
    scan's reading draws from ``rng`` only when asked for, so a caller may read new lesions on
    the same stream between scans.
    """
    is_target = np.array([lesion.target for lesion in tumour.lesions], dtype=bool)
    rows = zip(tumour.lesions, sizes.tolist(), strict=True)
    # The floors depend on the lesion only: found once, not at every scan.
    targets = [
        (lesion.lesion_id, *_target_floors(lesion, params, too_small_mm), row)
        for lesion, row in rows
        if lesion.target
    ]
    non_targets = tumour.non_targets
    # Per scan, the non-target diameters and their sum: each row of the transposed copy is summed
    # as the scan's column alone would be (the same pairwise order), all in one call.
    by_scan = np.ascontiguousarray(sizes[~is_target].T)
    nt_sizes, nt_totals = by_scan.tolist(), by_scan.sum(axis=1).tolist()
    nt_previous = sum(lesion.baseline_mm for lesion in non_targets)
    nt_nadir = nt_previous
    for j in range(sizes.shape[1]):
        read = [
            _read_target(rng, lesion_id, gone_mm, small_mm, row[j], params)
            for lesion_id, gone_mm, small_mm, row in targets
        ]
        non_target = None
        increased = False
        if non_targets:
            now = nt_totals[j]
            non_target = _non_target_status(non_targets, nt_sizes[j], now, nt_nadir, params)
            increased = now >= params.non_target_increase_ratio * nt_previous
            nt_previous, nt_nadir = now, min(nt_nadir, now)
        yield read, non_target, increased


def read_scans(
    rng: np.random.Generator,
    tumour: VirtualTumour,
    params: TumourParameters,
    patient_id: str,
    infusion_date: dt.date,
    baseline_date: dt.date,
    scan_days: np.ndarray,
    scan_exposure: np.ndarray,
    appearance_exposure: np.ndarray,
    too_small_mm: float,
    new_therapy_date: dt.date | None = None,
) -> PatientTumourData:
    """What radiologists record at baseline and at each scan, as ``hyposti.response`` input.

    Diameters carry a proportional reading error and are recorded in whole millimetres;
    targets below ``too_small_mm`` are "too small to measure" (RECIST 1.1 s4.3.2: 5 mm default).
    """
    days = np.asarray(scan_days, dtype=float)
    sizes = lesion_sizes(tumour, days, scan_exposure)
    new_sizes = new_lesion_sizes(tumour, days, scan_exposure, appearance_exposure)
    seen_unequivocal: set[str] = set()
    assessments = []
    readings = baseline_lesion_readings(rng, tumour, sizes, params, too_small_mm)
    # Python floats, NaN before a new lesion appears (the one value unequal to itself).
    new_rows = new_sizes.tolist()
    dates = [infusion_date + dt.timedelta(days=day) for day in days.astype(int).tolist()]
    for j, (date, (targets, non_target, increased)) in enumerate(zip(dates, readings, strict=True)):
        new = []
        for lesion, row in zip(tumour.new_lesions, new_rows, strict=True):
            size = row[j]
            if size != size:
                continue
            if size < params.disappeared_below_mm:
                new.append(
                    NewLesion(
                        lesion_id=lesion.lesion_id,
                        organ=lesion.organ,
                        nodal=lesion.nodal,
                        state=NewLesionState.DISAPPEARED,
                    )
                )
                continue
            equivocal = (
                size < params.new_lesion_equivocal_below_mm
                and lesion.lesion_id not in seen_unequivocal
            )
            if not equivocal:
                seen_unequivocal.add(lesion.lesion_id)
            read = _read_mm(size * (1.0 + params.measurement_cv * rng.standard_normal()))
            new.append(
                NewLesion(
                    lesion_id=lesion.lesion_id,
                    organ=lesion.organ,
                    nodal=lesion.nodal,
                    equivocal=equivocal,
                    diameter_mm=read,
                )
            )
        assessments.append(
            Assessment(
                date=date,
                targets=targets,
                non_target=non_target,
                non_target_increased=increased,
                new_lesions=new,
            )
        )
    return tumour_record(
        patient_id, tumour, infusion_date, baseline_date, assessments, new_therapy_date
    )


def tumour_record(
    patient_id: str,
    tumour: VirtualTumour,
    infusion_date: dt.date,
    baseline_date: dt.date,
    assessments: list[Assessment],
    new_therapy_date: dt.date | None,
) -> PatientTumourData:
    """The response engine's record of a virtual tumour: its baseline lesions and the scans read."""
    baseline = [
        BaselineLesion(
            lesion_id=lesion.lesion_id,
            organ=lesion.organ,
            nodal=lesion.nodal,
            diameter_mm=lesion.baseline_mm if (lesion.target or lesion.nodal) else None,
            target=lesion.target,
        )
        for lesion in tumour.lesions
    ]
    return PatientTumourData(
        patient_id=patient_id,
        reference_date=infusion_date,
        baseline_date=baseline_date,
        lesions=baseline,
        assessments=assessments,
        new_anticancer_therapy_date=new_therapy_date,
    )
