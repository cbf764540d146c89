"""One enrolled twin patient's course, in the synthetic trial's records (``PatientCourse``).

The biology is the twin's (``hyposti.twin.patients``); every rule comes from an engine as in the
synthetic trial: doses from ``hyposti.dosing``, the visit calendar from its windows, CRS and ICANS
grades from the ASTCT graders (``hyposti.twin.harm``), chemotherapy and blood-count toxicities
and survival after progression from the synthetic trial's clinic models, and the tumour response
from ``hyposti.response``. The course is then written by ``hyposti.virtual.tables`` unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hyposti.protocol import Protocol
from hyposti.safety.adverse_event import AdverseEvent
from hyposti.safety.grade_result import GradeResult
from hyposti.twin.gate import Gate
from hyposti.twin.harm import graded, observations
from hyposti.twin.parameters import TwinParameters
from hyposti.twin.patients import TwinBiology, TwinPatients, biology, lesion_po2, trajectories
from hyposti.twin.reading import read_scans
from hyposti.twin.tumour import progression_day
from hyposti.twin.variability import sample_individuals
from hyposti.virtual import kinetics_model, survival_model, toxicity_model
from hyposti.virtual.parameters import SimulationParameters, ToxicityParameters
from hyposti.virtual.patient import (
    KineticSample,
    PatientCourse,
    VisitWindow,
    candidate_doses,
    recorded_course,
    sampling_days,
    scan_schedule,
)
from hyposti.virtual.screening_model import Candidate
from hyposti.virtual.toxicity_model import CAR_T_SYNDROME, GradedEvent, attributions
from hyposti.virtual.tumour_model import VirtualTumour


@dataclass(frozen=True)
class TwinModel:
    """What every course of one twin trial shares: the biology, the CAR and the clinic."""

    params: TwinParameters
    gate: Gate
    clinic: SimulationParameters

    @property
    def chemotherapy_only(self) -> ToxicityParameters:
        """The clinic's toxicities without its statistical CAR-T syndromes and organ events:
        in the twin those come from the biology (the curves' P(grade >= k) are all 0)."""
        tox = self.clinic.toxicity
        none = [[0.0] * 5 for _ in tox.anchor_doses_cells_per_kg]
        return tox.model_copy(
            update={
                "crs_at_least": none,
                "icans_at_least": none,
                "skin_mucosal_at_least": none,
                "pneumonitis_at_least": none,
            }
        )


def twin_patient(
    rng: np.random.Generator,
    params: TwinParameters,
    candidate: Candidate,
    tumour: VirtualTumour,
    dose_cells_per_kg: float,
) -> TwinPatients:
    """The screened candidate as a one-patient twin: their lesions, HER2 and tumour type."""
    lesions = tumour.lesions
    individual = sample_individuals(rng, params, 1)
    scale = params.parameters["lesion_po2_scale"].log_sd
    lesion_scale = np.exp(scale * rng.standard_normal((1, len(lesions))))
    type_po2 = np.array([params.tumour_types[candidate.tumour_type].po2_median_mmhg])
    return TwinPatients(
        dose_cells_per_kg=np.array([dose_cells_per_kg]),
        her2_fraction=np.array([candidate.her2_percent / 100.0]),
        baseline_mm=np.array([[lesion.baseline_mm for lesion in lesions]]),
        is_target=np.array([[lesion.target for lesion in lesions]]),
        lesion_po2_mmhg=lesion_po2(type_po2, individual, lesion_scale),
        individual=individual,
    )


def _syndrome_event(
    subject_id: str,
    number: int,
    term: str,
    verbatim: str,
    result: GradeResult,
    infusion: dt.date,
    day: int,
    duration: int,
    products: Sequence[str],
) -> GradedEvent:
    """A CRS or ICANS adverse event with the grader's grade and reasoning (serious at grade >= 3
    or fatal, ICH E2A, as in the synthetic trial)."""
    onset = infusion + dt.timedelta(days=day)
    fatal = result.grade == 5
    return GradedEvent(
        AdverseEvent(
            id=f"{subject_id}-AE{number:02d}",
            term=term,
            verbatim=verbatim,
            grade=result.grade,
            scale=result.scale,
            onset=onset,
            resolution=None if fatal else onset + dt.timedelta(days=duration),
            serious=result.grade >= 3,
            attribution=attributions(products, CAR_T_SYNDROME),
        ),
        day,
        day + duration,
        f"{result.scale} grade {result.grade}: {result.deciding_finding}",
    )


def syndrome_events(
    subject_id: str,
    first_number: int,
    patients: TwinPatients,
    bio: TwinBiology,
    params: TwinParameters,
    infusion: dt.date,
    products: Sequence[str],
) -> list[GradedEvent]:
    """The patient's CRS and ICANS episodes, graded from their ward observations.

    CRS starts at a share of the time to the CAR-T peak; ICANS a delay after it.
    """
    obs = observations(bio.cytokine, bio.lung_injury, bio.neurotoxicity, params)
    crs, icans = graded(obs)
    ind = patients.individual
    onset = max(1, round(float(ind["crs_onset_fraction_of_tmax"][0] * ind["tmax_days"][0])))
    events: list[GradedEvent] = []
    if crs[0].grade:
        duration = max(1, round(float(ind["crs_duration_days"][0])))
        events.append(
            _syndrome_event(
                subject_id,
                first_number,
                "Cytokine release syndrome",
                "CRS",
                crs[0],
                infusion,
                onset,
                duration,
                products,
            )
        )
    if icans[0].grade:
        day = onset + max(0, round(float(ind["icans_delay_days"][0])))
        duration = max(1, round(float(ind["icans_duration_days"][0])))
        events.append(
            _syndrome_event(
                subject_id,
                first_number + len(events),
                "Encephalopathy",
                "ICANS",
                icans[0],
                infusion,
                day,
                duration,
                products,
            )
        )
    return events


def _kinetic_samples(
    rng: np.random.Generator,
    clinic: SimulationParameters,
    patients: TwinPatients,
    bio: TwinBiology,
    days: list[int],
    infusion: dt.date,
) -> tuple[KineticSample, ...]:
    """qPCR of blood on the sampling days (a day-0 pre-infusion sample first when the clinic
    draws one) and, for a share of patients, of a tumour biopsy on the sampling day nearest the
    clinic's biopsy day at the patient's tumour-to-blood ratio (transgene DNA is counted whether
    or not the gate lets the CAR be expressed)."""
    k = clinic.kinetics
    drawn = ([0] if k.pre_infusion_sample else []) + days
    truth = bio.kinetics.concentration(np.array(drawn, dtype=float))[0]
    if k.pre_infusion_sample:
        truth[0] = 0.0  # no transgene before the cells are given
    readings = kinetics_model.measure(rng, truth, k.residual_sd, k.lloq_copies_per_ug)
    samples = list(zip(["blood"] * len(drawn), drawn, readings, strict=True))
    if days and rng.random() < k.tumour_biopsy_probability:
        nearest = int(np.argmin([abs(d - k.tumour_biopsy_day) for d in days]))
        index = len(drawn) - len(days) + nearest
        level = truth[index] * patients.individual["tumour_to_blood_ratio"][0]
        reading = kinetics_model.measure(
            rng, np.array([level]), k.residual_sd, k.lloq_copies_per_ug
        )[0]
        samples.append(("tumour", drawn[index], reading))
    return tuple(
        KineticSample(
            matrix,
            day,
            infusion + dt.timedelta(days=day),
            None if np.isnan(value) else float(f"{value:.3g}"),
        )
        for matrix, day, value in samples
    )


def simulate_twin_course(
    model: TwinModel,
    streams: dict[str, np.random.Generator],
    protocol: Protocol,
    candidate: Candidate,
    tumour: VirtualTumour,
    subject_id: str,
    dose_level: int,
    screening_date: dt.date,
    infusion_date: dt.date,
    visits: tuple[VisitWindow, ...],
) -> PatientCourse:
    """Dose, biology, toxicities, kinetics, scans and survival of one infused twin patient."""
    clinic = model.clinic
    end_day = protocol.required_schedule().end_day
    doses = candidate_doses(protocol, clinic, candidate, dose_level)
    first_day = protocol.first_preconditioning_day
    patients = twin_patient(
        streams["tumour_course"], model.params, candidate, tumour, doses.car_t.cells_per_kg
    )
    bio = biology(patients, model.params, model.gate)
    events = toxicity_model.sample_adverse_events(
        streams["toxicity"],
        model.chemotherapy_only,
        doses.car_t.cells_per_kg,
        infusion_date,
        first_day,
        subject_id,
        protocol.product_ids,
    )
    events += syndrome_events(
        subject_id,
        len(events) + 1,
        patients,
        bio,
        model.params,
        infusion_date,
        protocol.product_ids,
    )
    fatal = min(((e.end_day, e.event.term) for e in events if e.fatal), default=None)

    grid = np.arange(0.0, end_day + 1.0)
    sizes = trajectories(patients, bio, grid)[0]
    pd_day = progression_day(
        sizes, patients.is_target, grid, clinic.tumour.non_target_progression_ratio
    )[0]
    true_pd = None if np.isnan(pd_day) else float(pd_day)
    survival = survival_model.sample_survival(
        streams["survival"], clinic.survival, true_pd, fatal, end_day
    )
    last_day = min(survival.follow_up_end_day or end_day, end_day)

    kinetics = _kinetic_samples(
        streams["kinetics"],
        clinic,
        patients,
        bio,
        sampling_days(streams["timing"], visits, last_day),
        infusion_date,
    )
    scan_days, new_therapy = scan_schedule(
        streams["timing"], visits, last_day, true_pd, clinic, infusion_date
    )
    tumour_data = read_scans(
        streams["scans"],
        tumour,
        sizes[0][:, np.array(scan_days, dtype=int)],
        scan_days,
        clinic.tumour,
        subject_id,
        infusion_date,
        screening_date,
        protocol.response.too_small_to_measure_mm,
        new_therapy,
    )
    return recorded_course(
        protocol,
        clinic,
        doses=doses,
        events=events,
        kinetics=kinetics,
        tumour=tumour,
        tumour_data=tumour_data,
        survival=survival,
        last_day=last_day,
    )
