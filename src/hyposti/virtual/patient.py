"""One enrolled virtual patient's course: doses, toxicities, CAR-T levels, scans and survival.

Every rule comes from an engine: doses from ``hyposti.dosing``, the visit calendar and its
windows from ``hyposti.dosing.visit_schedule``, AE grades from ``hyposti.safety``'s graders, and
the tumour response from ``hyposti.response``; this module only draws what happens to the patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hyposti.dosing import DoseRecord, patient_doses, visit_schedule
from hyposti.protocol import Protocol
from hyposti.response.patient import assess_patient
from hyposti.response.records import PatientResponse, PatientTumourData
from hyposti.virtual import kinetics_model, survival_model, toxicity_model, tumour_model
from hyposti.virtual.parameters import SimulationParameters
from hyposti.virtual.screening_model import Candidate
from hyposti.virtual.survival_model import SurvivalOutcome
from hyposti.virtual.toxicity_model import GradedEvent
from hyposti.virtual.tumour_model import VirtualTumour


@dataclass(frozen=True)
class KineticSample:
    """One qPCR result; ``None`` when below the lower limit of quantification."""

    matrix: str
    study_day: int
    date: dt.date
    copies_per_ug: float | None


@dataclass(frozen=True)
class PatientCourse:
    """Everything that happened to one infused patient, up to the end of their follow-up."""

    subject_id: str
    dose_level: int
    infusion_date: dt.date
    preconditioning_start: dt.date
    doses: DoseRecord
    events: tuple[GradedEvent, ...]
    kinetics: tuple[KineticSample, ...]
    lloq: float
    tumour: VirtualTumour
    tumour_data: PatientTumourData
    response: PatientResponse
    survival: SurvivalOutcome
    follow_up_end: dt.date
    new_therapy_date: dt.date | None

    @property
    def died(self) -> bool:
        return self.survival.death_day is not None


@dataclass(frozen=True)
class VisitWindow:
    """A follow-up visit of the protocol calendar in study days: target, earliest, latest."""

    day: int
    earliest: int
    latest: int
    assessments: frozenset[str]


def visit_windows(protocol: Protocol) -> tuple[VisitWindow, ...]:
    """The calendar of ``hyposti.dosing.visit_schedule`` from the infusion on, in study days.

    Windows depend on the study day only, so one dated schedule serves every patient.
    """
    reference = dt.date(2000, 1, 1)
    return tuple(
        VisitWindow(
            v.study_day,
            (v.earliest - reference).days,
            (v.latest - reference).days,
            frozenset(v.assessments),
        )
        for v in visit_schedule(protocol, reference)
        if v.kind != "preconditioning"
    )


def _visit_day(rng: np.random.Generator, visit: VisitWindow) -> int:
    """An actual study day inside the visit's window (uniform over its allowed days)."""
    return int(rng.integers(visit.earliest, visit.latest + 1))


def sampling_days(
    timing: np.random.Generator, visits: tuple[VisitWindow, ...], last_day: int
) -> list[int]:
    """The study days of the kinetic blood samples after the infusion, up to ``last_day``.

    Every sampling visit's day is drawn (so the timing stream advances the same whatever the
    follow-up), then those outside follow-up are dropped. One call draws them all: numpy bounds
    each element as it bounds a single draw (Lemire's method on the stream's 32-bit words, in
    order), so each visit gets the day ``_visit_day`` would give it, from the same words.
    """
    sampling = [v for v in visits if "car_copy_number" in v.assessments]
    earliest = np.array([v.earliest for v in sampling], dtype=np.int64)
    after = np.array([v.latest + 1 for v in sampling], dtype=np.int64)
    drawn = sorted(set(timing.integers(earliest, after).tolist()))
    return [d for d in drawn if 0 < d <= last_day]


def scan_schedule(
    timing: np.random.Generator,
    visits: tuple[VisitWindow, ...],
    last_day: int,
    true_pd: float | None,
    params: SimulationParameters,
    infusion_date: dt.date,
) -> tuple[list[int], dt.date | None]:
    """The study days of the scans actually done, and the date a new therapy starts (if any).

    Scans follow the calendar's tumour assessments (some missed, at the parameter file's rate)
    until follow-up ends; after true progression one more scan confirms it (iRECIST, Seymour
    2017), scans stop, and a new therapy starts the parameter file's delay after that scan.
    """
    scan_days: list[int] = []
    stop_after: int | None = None
    for visit in visits:
        if "tumour_assessment" not in visit.assessments:
            continue
        day = _visit_day(timing, visit)
        if day > last_day or (stop_after is not None and len(scan_days) > stop_after):
            break
        if timing.random() < params.tumour.missed_assessment_probability:
            continue
        scan_days.append(day)
        if stop_after is None and true_pd is not None and day >= true_pd:
            stop_after = len(scan_days)
    new_therapy: dt.date | None = None
    if stop_after is not None and len(scan_days) > stop_after:
        therapy_day = scan_days[-1] + params.calendar.new_therapy_days_after_confirmation
        if therapy_day <= last_day:
            new_therapy = infusion_date + dt.timedelta(days=therapy_day)
    return scan_days, new_therapy


def candidate_doses(
    protocol: Protocol, params: SimulationParameters, candidate: Candidate, dose_level: int
) -> DoseRecord:
    """The candidate's regimen at ``dose_level``: ``hyposti.dosing`` with the clinic's
    preconditioning doses."""
    return patient_doses(
        protocol,
        weight_kg=candidate.weight_kg,
        height_cm=candidate.height_cm,
        dose_level=dose_level,
        agent_doses=dict(params.dosing.preconditioning_doses),
    )


def recorded_course(
    protocol: Protocol,
    params: SimulationParameters,
    *,
    doses: DoseRecord,
    events: list[GradedEvent],
    kinetics: tuple[KineticSample, ...],
    tumour: VirtualTumour,
    tumour_data: PatientTumourData,
    survival: SurvivalOutcome,
    last_day: int,
) -> PatientCourse:
    """The course as the trial records it: the response engine's verdict on the scans read
    (the protocol's primary criteria) and the events begun by the end of follow-up, those still
    unresolved then recorded as ongoing."""
    infusion_date = tumour_data.reference_date
    first_day = protocol.first_preconditioning_day
    response = assess_patient(tumour_data, protocol.response, protocol.response.primary_criteria)
    follow_up_end = infusion_date + dt.timedelta(days=last_day)
    kept = tuple(_truncate(e, follow_up_end) for e in events if e.event.onset <= follow_up_end)
    return PatientCourse(
        subject_id=tumour_data.patient_id,
        dose_level=doses.car_t.dose_level,
        infusion_date=infusion_date,
        preconditioning_start=infusion_date + dt.timedelta(days=first_day),
        doses=doses,
        events=kept,
        kinetics=kinetics,
        lloq=params.kinetics.lloq_copies_per_ug,
        tumour=tumour,
        tumour_data=tumour_data,
        response=response,
        survival=survival,
        follow_up_end=follow_up_end,
        new_therapy_date=tumour_data.new_anticancer_therapy_date,
    )


def simulate_course(
    params: SimulationParameters,
    streams: Mapping[str, np.random.Generator],
    protocol: Protocol,
    candidate: Candidate,
    tumour: VirtualTumour,
    subject_id: str,
    dose_level: int,
    screening_date: dt.date,
    infusion_date: dt.date,
    visits: tuple[VisitWindow, ...],
) -> PatientCourse:
    """Dose, toxicities, kinetics, tumour course, scans and survival of one infused patient."""
    end_day = protocol.required_schedule().end_day
    doses = candidate_doses(protocol, params, candidate, dose_level)
    cells_per_kg = doses.car_t.cells_per_kg
    events = toxicity_model.sample_adverse_events(
        streams["toxicity"],
        params.toxicity,
        cells_per_kg,
        infusion_date,
        protocol.first_preconditioning_day,
        subject_id,
        protocol.product_ids,
    )
    profile = kinetics_model.sample_profiles(
        streams["kinetics"],
        params.kinetics,
        np.array([cells_per_kg]),
        np.array([tumour.baseline_sld_mm]),
    )
    grid = np.arange(1.0, end_day + 1.0)
    grid_exposure = kinetics_model.cumulative_exposure(profile, grid)[0]
    tumour, true_pd = _tumour_course(streams["tumour_course"], params, tumour, grid, grid_exposure)
    survival = survival_model.sample_survival(
        streams["survival"], params.survival, true_pd, _first_fatal(events), end_day
    )
    last_day = min(survival.follow_up_end_day or end_day, end_day)
    kinetic_days = sampling_days(streams["timing"], visits, last_day)
    kinetics = _kinetic_samples(streams["kinetics"], params, profile, kinetic_days, infusion_date)
    scan_days, new_therapy = scan_schedule(
        streams["timing"], visits, last_day, true_pd, params, infusion_date
    )
    tumour_data = _scans_read(
        streams["scans"],
        protocol,
        params,
        tumour,
        profile,
        grid_exposure,
        np.array(scan_days, dtype=float),
        subject_id,
        infusion_date,
        screening_date,
        new_therapy,
    )
    return recorded_course(
        protocol,
        params,
        doses=doses,
        events=events,
        kinetics=kinetics,
        tumour=tumour,
        tumour_data=tumour_data,
        survival=survival,
        last_day=last_day,
    )


def _first_fatal(events: list[GradedEvent]) -> tuple[int, str] | None:
    """The end day and term of the first fatal event, which ends survival, if any."""
    return min(((e.end_day, e.event.term) for e in events if e.fatal), default=None)


def _tumour_course(
    rng: np.random.Generator,
    params: SimulationParameters,
    tumour: VirtualTumour,
    grid: np.ndarray,
    grid_exposure: np.ndarray,
) -> tuple[VirtualTumour, float | None]:
    """The tumour with its new lesions, and the day it truly progresses, on the daily grid (days
    1 to the end of the schedule) under the patient's CAR-T exposure there."""
    # New lesions leave the baseline lesions' sizes as they were: computed once for both.
    sizes = tumour_model.lesion_sizes(tumour, grid, grid_exposure)
    tumour = tumour_model.sample_new_lesions(rng, params.tumour, tumour, grid, grid_exposure, sizes)
    true_pd = tumour_model.true_progression_day(tumour, params.tumour, grid, grid_exposure, sizes)
    return tumour, true_pd


def _scans_read(
    rng: np.random.Generator,
    protocol: Protocol,
    params: SimulationParameters,
    tumour: VirtualTumour,
    profile: kinetics_model.KineticProfiles,
    grid_exposure: np.ndarray,
    scan_days: np.ndarray,
    subject_id: str,
    infusion_date: dt.date,
    screening_date: dt.date,
    new_therapy: dt.date | None,
) -> PatientTumourData:
    """The radiologists' readings of the scans, with the exposure at each scan and at each new
    lesion's appearance."""
    appear = np.array([n.appearance_day for n in tumour.new_lesions])
    return tumour_model.read_scans(
        rng,
        tumour,
        params.tumour,
        subject_id,
        infusion_date,
        screening_date,
        scan_days,
        _exposure(profile, scan_days, grid_exposure),
        _exposure(profile, appear, grid_exposure) if appear.size else appear,
        protocol.response.too_small_to_measure_mm,
        new_therapy,
    )


def _exposure(
    profile: kinetics_model.KineticProfiles, days: np.ndarray, grid_exposure: np.ndarray
) -> np.ndarray:
    """The CAR-T exposure on ``days``: read off the daily grid (day d at index d - 1) when every
    day lies on it, else from the kinetic model. The model is elementwise in the day, so both
    give the same numbers (a scan falls on a whole day; a new lesion appears on a grid day)."""
    index = days.astype(int) - 1
    on_grid = not days.size or (
        index.min() >= 0 and index.max() < grid_exposure.size and bool((index + 1 == days).all())
    )
    exposure: np.ndarray = (
        grid_exposure[index] if on_grid else kinetics_model.cumulative_exposure(profile, days)[0]
    )
    return exposure


def _kinetic_samples(
    rng: np.random.Generator,
    params: SimulationParameters,
    profile: kinetics_model.KineticProfiles,
    blood_days: list[int],
    infusion_date: dt.date,
) -> tuple[KineticSample, ...]:
    """Blood samples on the sampling days (after the infusion), preceded, when the parameter
    file says so, by a day-0 sample drawn before the infusion; for some patients a tumour biopsy
    on the sampling day nearest the parameter file's biopsy day, at a log-normal tumour-to-blood
    ratio [est]."""
    p = params.kinetics
    truth = kinetics_model.concentration(profile, np.array(blood_days, dtype=float))[0]
    drawn_days = list(blood_days)
    if p.pre_infusion_sample:
        # Before the infusion no transgene is present: the assay reads a true level of 0.
        drawn_days, truth = [0, *drawn_days], np.concatenate([[0.0], truth])
    readings = kinetics_model.measure(rng, truth, p.residual_sd, p.lloq_copies_per_ug).tolist()
    samples = [("blood", day, value) for day, value in zip(drawn_days, readings, strict=True)]
    if blood_days and rng.random() < p.tumour_biopsy_probability:
        # The first of the sampling days nearest the biopsy day.
        index = min(range(len(blood_days)), key=lambda i: abs(blood_days[i] - p.tumour_biopsy_day))
        index += len(drawn_days) - len(blood_days)
        ratio = p.tumour_to_blood_median * np.exp(p.tumour_to_blood_log_sd * rng.standard_normal())
        reading = kinetics_model.measure(
            rng, truth[index : index + 1] * ratio, p.residual_sd, p.lloq_copies_per_ug
        ).tolist()[0]
        samples.append(("tumour", drawn_days[index], reading))
    # Readings are Python floats: NaN (below the LLOQ) is the one value unequal to itself.
    return tuple(
        KineticSample(
            matrix,
            day,
            infusion_date + dt.timedelta(days=day),
            None if value != value else _qpcr(value),
        )
        for matrix, day, value in samples
    )


def _qpcr(copies: float) -> float:
    """A qPCR result as a laboratory reports it: three significant figures."""
    return float(f"{copies:.3g}")


def _truncate(graded: GradedEvent, follow_up_end: dt.date) -> GradedEvent:
    """An event still unresolved at the end of follow-up is recorded as ongoing."""
    event = graded.event
    if event.resolution is not None and event.resolution > follow_up_end:
        event = event.model_copy(update={"resolution": None})
        return GradedEvent(event, graded.study_day, graded.end_day, graded.grading)
    return graded
