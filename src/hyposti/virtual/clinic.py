"""The screening clinic: candidates arrive, the eligibility engine screens them, the eligible are
treated.

Every candidate's outcome depends only on the seed, its index, its screening date and the dose
it would receive (``screen_candidate`` is a pure function of them). What treating a patient does
to them is the clinic's ``treat`` (the synthetic trial's statistical course by default; the twin
supplies its mechanistic one), so both trials share one screening, one clinic and one trial loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np

from hyposti.eligibility.engine import screen
from hyposti.eligibility.record import ScreeningRecord
from hyposti.eligibility.verdict import ScreeningResult
from hyposti.protocol import Protocol
from hyposti.units import DAYS_PER_MONTH
from hyposti.virtual.parameters import SimulationParameters
from hyposti.virtual.patient import (
    PatientCourse,
    VisitWindow,
    simulate_course,
    visit_windows,
)
from hyposti.virtual.screening_model import Candidate, sample_candidate, screening_record
from hyposti.virtual.streams import patient_stream, patient_streams
from hyposti.virtual.tumour_model import VirtualTumour, sample_baseline

#: One infused patient's course from their random streams (``hyposti.virtual.streams.STREAMS``),
#: the protocol, the screened candidate and tumour, subject id, dose level, screening date,
#: infusion date and the visit calendar: ``simulate_course`` with its parameters bound, or the
#: twin's ``simulate_twin_course`` with its model.
Treatment = Callable[
    [
        Mapping[str, np.random.Generator],
        Protocol,
        Candidate,
        VirtualTumour,
        str,
        int,
        dt.date,
        dt.date,
        tuple[VisitWindow, ...],
    ],
    PatientCourse,
]


@dataclass(frozen=True)
class Screened:
    """One consented candidate: the record, the engine's verdict and, if enrolled, the course."""

    index: int
    subject_id: str
    candidate: Candidate
    tumour: VirtualTumour
    record: ScreeningRecord
    result: ScreeningResult
    phase: str | None = None
    cohort: int | None = None
    course: PatientCourse | None = None

    @property
    def enrolled(self) -> bool:
        return self.course is not None


@dataclass(frozen=True)
class ClinicSetup:
    """What screening and treating any candidate needs."""

    seed: int
    params: SimulationParameters
    protocol: Protocol
    visits: tuple[VisitWindow, ...]
    first_day: int
    treat: Treatment


def screen_candidate(
    setup: ClinicSetup,
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
    course = setup.treat(
        streams,
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


class Clinic:
    """Candidates arrive one by one (exponential gaps); the screened list grows in index order."""

    def __init__(
        self,
        seed: int,
        params: SimulationParameters,
        protocol: Protocol,
        treat: Treatment | None = None,
        on_treated: Callable[[int], None] | None = None,
    ) -> None:
        first_day = protocol.first_preconditioning_day
        self.setup = ClinicSetup(
            seed,
            params,
            protocol,
            visit_windows(protocol),
            first_day,
            treat or partial(simulate_course, params),
        )
        self.screened: list[Screened] = []
        self.last_arrival = params.calendar.start_date
        # Told how many have been treated after each treatment: a progress bar for long runs
        # (a treatment the expansion's rules later undo still counted when it was made).
        self.on_treated = on_treated
        self._treated = 0

    def next_arrival(self, index: int, after: dt.date, screenings_per_month: float) -> dt.date:
        """Candidate ``index`` arrives an exponential gap (Poisson arrivals) after ``after``."""
        gap = patient_stream(self.setup.seed, index, "arrival").exponential(
            DAYS_PER_MONTH / screenings_per_month
        )
        return after + dt.timedelta(days=round(gap))

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
            entry = screen_candidate(
                self.setup, index, max(self.last_arrival, open_date), dose_level, phase, cohort
            )
            self.screened.append(entry)
            if entry.course is not None:
                self._treated += 1
                if self.on_treated is not None:
                    self.on_treated(self._treated)
                return entry, entry.course
