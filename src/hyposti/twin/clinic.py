"""The twin's clinic: the synthetic trial's screening, with the twin's biology for the treated.

Candidates are drawn, recorded and screened exactly as in ``hyposti.virtual.clinic`` (same
per-candidate random streams, so a seed screens the same people in both trials); the eligible
are treated with the twin's course instead of the statistical one.
"""

from __future__ import annotations

import datetime as dt

from hyposti.eligibility.engine import screen
from hyposti.protocol import Protocol
from hyposti.twin.course import TwinModel, simulate_twin_course
from hyposti.virtual.clinic import Clinic, ClinicSetup, Screened
from hyposti.virtual.patient import PatientCourse, patient_streams
from hyposti.virtual.screening_model import sample_candidate, screening_record
from hyposti.virtual.tumour_model import sample_baseline


def screen_twin_candidate(
    setup: ClinicSetup,
    model: TwinModel,
    index: int,
    screening_date: dt.date,
    dose_level: int,
    phase: str,
    cohort: int | None,
) -> Screened:
    """Draw candidate ``index``, screen them with the engine and, if eligible, treat them."""
    params, protocol = setup.params, setup.protocol
    streams = patient_streams(setup.seed, index)
    tumour = sample_baseline(streams["tumour_baseline"], params.tumour)
    candidate = sample_candidate(
        streams["candidate"],
        params.population,
        params.screening,
        protocol,
        f"S{index + 1:05d}",
        len(tumour.targets),
        any(lesion.organ == "liver" for lesion in tumour.lesions),
    )
    low, high = params.calendar.screening_to_infusion_days
    infusion = screening_date + dt.timedelta(days=int(streams["timing"].integers(low, high + 1)))
    enrolment = screening_date + dt.timedelta(days=params.calendar.screening_to_enrolment_days)
    record = screening_record(
        streams["screening_record"],
        candidate,
        protocol,
        params.screening,
        screening_date,
        enrolment,
        infusion + dt.timedelta(days=setup.first_day),
    )
    result = screen(record, protocol, enrolment)
    subject_id = candidate.candidate_id
    if result.status != "eligible":
        return Screened(index, subject_id, candidate, tumour, record, result)
    course = simulate_twin_course(
        streams,
        model,
        protocol,
        candidate,
        tumour,
        subject_id,
        dose_level,
        screening_date,
        infusion,
        setup.visits,
    )
    return Screened(index, subject_id, candidate, tumour, record, result, phase, cohort, course)


class TwinClinic(Clinic):
    """The synthetic trial's clinic (arrivals, screened list) treating with the twin's biology."""

    def __init__(self, seed: int, model: TwinModel, protocol: Protocol) -> None:
        super().__init__(seed, model.clinic, protocol)
        self.model = model

    def enrol(
        self,
        dose_level: int,
        phase: str,
        cohort: int | None,
        open_date: dt.date,
        screenings_per_month: float,
    ) -> tuple[Screened, PatientCourse]:
        """Screen candidates from ``open_date`` on until one is eligible; treat that one."""
        while True:
            index = len(self.screened)
            self.last_arrival = self.next_arrival(index, self.last_arrival, screenings_per_month)
            entry = screen_twin_candidate(
                self.setup,
                self.model,
                index,
                max(self.last_arrival, open_date),
                dose_level,
                phase,
                cohort,
            )
            self.screened.append(entry)
            if entry.course is not None:
                return entry, entry.course
