"""The synthetic trial: screening, 3+3 escalation on the DLTs that occurred, expansion at the RP2D.

The expansion obeys the protocol's expansion rules: enrolment stops when the toxicity-monitoring
boundary is crossed (Thall, Simon & Estey 1995) and, if the Simon reading in force applies its
futility stop, after stage 1 when at most r1 of the first n1 patients respond (Simon 1989).

Screening verdicts come from ``hyposti.eligibility``, DLT adjudication from ``hyposti.safety``,
the next cohort's dose from the protocol's design (``hyposti.design``, Storer 1989 3+3), doses
and visit windows from ``hyposti.dosing``, tumour responses from ``hyposti.response``. The
randomness is one ``numpy`` seed, spawned per candidate, so the same seed gives the same trial.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from hyposti.design import Cohort, Decision, design_from_protocol, fit, format_outcomes
from hyposti.design.protocol_design import protocol_dose_levels
from hyposti.design.simon_two_stage import SimonDesign
from hyposti.design.toxicity_monitoring import ToxicityMonitor, monitor_sequence
from hyposti.errors import InputError
from hyposti.protocol import Protocol, load_protocol
from hyposti.protocol.expansion_spec import ExpansionSpec
from hyposti.response.records import Response
from hyposti.safety.dlt import PatientAdjudication, PatientSafetyRecord, adjudicate
from hyposti.virtual.clinic import Clinic, Screened, Treatment
from hyposti.virtual.parameters import SimulationParameters, load_parameters
from hyposti.virtual.patient import PatientCourse

#: Replacements of non-evaluable patients allowed per cohort before the parameters are refused.
MAX_REPLACEMENTS = 50
RESPONDERS = (Response.CR, Response.PR, Response.ICR, Response.IPR)


@dataclass(frozen=True)
class EscalationStep:
    """One cohort: its dose, its patients, their adjudications and the design's decision."""

    cohort: int
    dose_level: int
    outcome: Cohort
    subject_ids: tuple[str, ...]
    replaced: tuple[str, ...]
    decision: Decision
    decision_date: dt.date

    @property
    def decision_kind(self) -> str:
        if self.decision.stop:
            return "stop"
        step = (self.decision.next_dose or 0) - self.dose_level
        return "escalate" if step > 0 else "stay" if step == 0 else "de-escalate"


@dataclass(frozen=True)
class ExpansionStop:
    """An expansion rule that fired: which, when it became known, and whether enrolment stopped.

    A monitoring crossing known only after the last expansion patient was infused stops nothing
    (``enrolment_stopped`` False) but is still recorded for the safety review.
    """

    rule: str
    known_on: dt.date
    enrolled_before: int
    enrolment_stopped: bool
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "known_on": self.known_on,
            "enrolled_before": self.enrolled_before,
            "enrolment_stopped": self.enrolment_stopped,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SimulatedTrial:
    """The whole synthetic trial; ``hyposti.virtual.tables.trial_dataset`` turns it into tables."""

    seed: int
    protocol: Protocol
    params: SimulationParameters
    screened: tuple[Screened, ...]
    escalation: tuple[EscalationStep, ...]
    mtd: int | None
    rp2d: int | None
    rp2d_rationale: str
    data_cutoff: dt.date
    adjudications: dict[str, PatientAdjudication] = field(repr=False)
    expansion_stops: tuple[ExpansionStop, ...] = ()

    @property
    def enrolled(self) -> tuple[Screened, ...]:
        return tuple(s for s in self.screened if s.enrolled)

    @property
    def courses(self) -> tuple[tuple[Screened, PatientCourse], ...]:
        """Each infused patient with their course."""
        return tuple((s, s.course) for s in self.screened if s.course is not None)

    def summary(self) -> dict[str, Any]:
        """Counts a reader checks first: screening, enrolment and DLTs per dose, MTD, responses."""
        failures = [s for s in self.screened if s.result.status != "eligible"]
        by_criterion = Counter(c for s in failures for c in s.result.failing)
        levels = range(1, self.protocol.num_doses + 1)
        courses = self.courses
        best = Counter(str(c.response.bor_confirmed) for _, c in courses)
        responders = sum(1 for _, c in courses if c.response.bor_confirmed in RESPONDERS)
        dlt = {sid: a.has_dlt for sid, a in self.adjudications.items()}
        return {
            "seed": self.seed,
            "screened": len(self.screened),
            "screen_failures": len(failures),
            "failed_by_criterion": dict(sorted(by_criterion.items(), key=lambda kv: -kv[1])),
            "enrolled": len(courses),
            "enrolled_escalation": sum(1 for s, _ in courses if s.phase == "escalation"),
            "enrolled_expansion": sum(1 for s, _ in courses if s.phase == "expansion"),
            "enrolled_by_dose": {
                str(d): sum(1 for _, c in courses if c.dose_level == d) for d in levels
            },
            "dlts_by_dose": {
                str(d): sum(1 for s, c in courses if c.dose_level == d and dlt[s.subject_id])
                for d in levels
            },
            "escalation_path": format_outcomes(step.outcome for step in self.escalation),
            "escalation": [
                {
                    "cohort": step.cohort,
                    "dose_level": step.dose_level,
                    "outcome": str(step.outcome),
                    "decision": step.decision_kind,
                    "reason": step.decision.reason,
                    "replaced": list(step.replaced),
                    "date": step.decision_date,
                }
                for step in self.escalation
            ],
            "mtd_dose_level": self.mtd,
            "rp2d_dose_level": self.rp2d,
            "responders": responders,
            "best_overall_response": dict(sorted(best.items())),
            "expansion_stops": [stop.to_dict() for stop in self.expansion_stops],
            "deaths": sum(1 for _, c in courses if c.died),
            "data_cutoff": self.data_cutoff,
        }


def safety_record(
    screened: Screened, course: PatientCourse, today: dt.date, expansion_cohort: int
) -> PatientSafetyRecord:
    """What the safety engine may know of the patient on ``today``.

    Expansion patients are adjudicated as one cohort numbered after the escalation's last.
    """
    seen_until = min(course.follow_up_end, today)
    death_day = course.survival.death_day
    death = None if death_day is None else course.infusion_date + dt.timedelta(days=death_day)
    known_death = death is not None and death <= today
    return PatientSafetyRecord(
        patient_id=screened.subject_id,
        dose_level=course.dose_level,
        cohort=screened.cohort or expansion_cohort,
        preconditioning_start=course.preconditioning_start,
        infusion=course.infusion_date,
        last_follow_up=seen_until,
        adverse_events=tuple(
            e.event
            if e.event.resolution is None or e.event.resolution <= seen_until
            else e.event.model_copy(update={"resolution": None})
            for e in course.events
            if e.event.onset <= seen_until
        ),
        death=death if known_death else None,
        death_cause=course.survival.death_cause if known_death else None,
    )


def check_inputs(seed: int, patients: int | None) -> None:
    """Refuse a seed that is not a whole number >= 0 and a total of patients below 1."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "must be a whole number >= 0")
    if patients is not None and (isinstance(patients, bool) or patients < 1):
        raise InputError("patients", patients, "must be a whole number of patients >= 1")


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state on exit.

    A trial keeps every patient's records alive, so each full collection walks all of them and a
    run of n patients costs O(n^2) in collections (measured: 10^4 patients, a quarter of the
    run); the records hold no reference cycles, so reference counting frees everything as before.
    The records then sit in the youngest generation, so a caller that goes on to tabulate them
    keeps the collector paused through that too. The collector is process state, so only the
    edges pause it (the CLI, the benchmark), never simulate_trial itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def simulate_trial(
    seed: int,
    params: SimulationParameters | None = None,
    protocol: Protocol | None = None,
    patients: int | None = None,
    treat: Treatment | None = None,
    expansion_rules: bool = True,
    progress: Callable[[int, int | None], None] | None = None,
) -> SimulatedTrial:
    """Run the whole protocol on virtual patients; ``patients`` sets the total infused (stress).

    A stress run's expansion screens at the parameter file's stress rate (many sites).
    ``treat`` is what treating a patient does (default: the statistical course of ``params``; the
    twin passes its mechanistic course). ``expansion_rules`` False enrols the whole expansion
    without the protocol's stopping rules (the twin trial's reading so far). ``progress(treated,
    planned)`` is called after each patient is treated (``planned`` is ``patients``, or None
    when the protocol's rules decide the total).

    Without ``patients`` the expansion enrols the protocol's estimated total less the escalation,
    kept within its expansion range (NCT05681650: 10-21, 30 in all). RP2D is read as the MTD
    (the registry's RP2D also weighs kinetics and efficacy; the MTD is its safety ceiling).
    """
    check_inputs(seed, patients)
    params = params or load_parameters()
    protocol = protocol or load_protocol()
    schedule = protocol.required_schedule()  # refused before any patient is drawn
    design = design_from_protocol(protocol)
    label = protocol_dose_levels(protocol).label
    clinic = Clinic(
        seed,
        params,
        protocol,
        treat,
        None if progress is None else lambda treated: progress(treated, patients),
    )
    review_delay = protocol.dlt.window_last_day + params.calendar.safety_review_days

    cohorts: list[Cohort] = []
    steps: list[EscalationStep] = []
    decision = fit(design, cohorts, label)
    open_date = params.calendar.start_date
    while not decision.stop and decision.next_dose is not None:
        dose, number = decision.next_dose, len(steps) + 1
        evaluable: list[tuple[Screened, PatientAdjudication]] = []
        replaced: list[str] = []
        while len(evaluable) < design.cohort_size:
            if len(replaced) > MAX_REPLACEMENTS:
                raise InputError(
                    "params",
                    f"cohort {number}",
                    f"more than {MAX_REPLACEMENTS} non-evaluable patients: drop-out or early "
                    "death rates leave no patient evaluable for DLT",
                )
            batch = [
                clinic.enrol(
                    dose, "escalation", number, open_date, params.calendar.screenings_per_month
                )
                for _ in range(design.cohort_size - len(evaluable))
            ]
            review = max(c.infusion_date for _, c in batch) + dt.timedelta(days=review_delay)
            for s, course in batch:
                record = safety_record(s, course, review, number)
                verdict = adjudicate(record, protocol.dlt, review)
                if verdict.evaluability == "evaluable":
                    evaluable.append((s, verdict))
                else:
                    replaced.append(s.subject_id)
            open_date = review
        outcome = Cohort(dose=dose, dlts=tuple(v.has_dlt for _, v in evaluable))
        cohorts.append(outcome)
        decision = fit(design, cohorts, label)
        steps.append(
            EscalationStep(
                cohort=number,
                dose_level=dose,
                outcome=outcome,
                subject_ids=tuple(s.subject_id for s, _ in evaluable),
                replaced=tuple(replaced),
                decision=decision,
                decision_date=open_date,
            )
        )

    mtd = decision.mtd
    rp2d = mtd
    expansion_stops: tuple[ExpansionStop, ...] = ()
    rationale = (
        f"RP2D = MTD ({label(mtd)}): {decision.reason}"
        if mtd
        else f"no RP2D, no expansion: {decision.reason}"
    )
    if rp2d is not None:
        treated = sum(1 for s in clinic.screened if s.enrolled)
        enrolment = protocol.enrolment
        rate = params.calendar.screenings_per_month
        if patients is None:
            wanted = enrolment.total_estimated - treated
            count = min(max(wanted, enrolment.expansion_min), enrolment.expansion_max)
        else:
            count = max(patients - treated, 0)
            rate = params.calendar.stress_screenings_per_month
        rules = protocol.expansion if patients is None and expansion_rules else None
        if rules is None:
            for _ in range(count):
                clinic.enrol(rp2d, "expansion", None, open_date, rate)
        else:
            expansion_stops = _expand_under_rules(
                clinic, protocol, rules, rp2d, count, open_date, rate, len(steps) + 1
            )

    courses = [(s, s.course) for s in clinic.screened if s.course is not None]
    cutoff = max(c.infusion_date for _, c in courses) + dt.timedelta(days=schedule.end_day)
    expansion_cohort = len(steps) + 1
    adjudications = {
        s.subject_id: adjudicate(
            safety_record(s, c, cutoff, expansion_cohort), protocol.dlt, cutoff
        )
        for s, c in courses
    }
    return SimulatedTrial(
        seed=seed,
        protocol=protocol,
        params=params,
        screened=tuple(clinic.screened),
        escalation=tuple(steps),
        mtd=mtd,
        rp2d=rp2d,
        rp2d_rationale=rationale,
        data_cutoff=cutoff,
        adjudications=adjudications,
        expansion_stops=expansion_stops,
    )


def _first_crossing(
    monitor: ToxicityMonitor, reviewed: list[tuple[dt.date, str, bool]], known_by: dt.date | None
) -> ExpansionStop | None:
    """The monitoring rule over DLT verdicts in the order they became known (up to ``known_by``)."""
    known = sorted(r for r in reviewed if known_by is None or r[0] <= known_by)[: monitor.max_n]
    crossing = monitor_sequence(monitor, [dlt for _, _, dlt in known])
    if crossing is None:
        return None
    date, subject, _ = known[crossing.n - 1]
    return ExpansionStop(
        rule="toxicity_monitoring",
        known_on=date,
        enrolled_before=0,
        enrolment_stopped=known_by is not None,
        reason=f"{subject}'s DLT review: {crossing.reason}",
    )


def _expand_under_rules(
    clinic: Clinic,
    protocol: Protocol,
    rules: ExpansionSpec,
    dose: int,
    count: int,
    open_date: dt.date,
    rate: float,
    cohort: int,
) -> tuple[ExpansionStop, ...]:
    """Enrol up to ``count`` patients at ``dose``, stopping as the expansion rules say.

    Monitoring reads each patient's DLT verdict on their review day (DLT window plus the safety
    review); a patient whose infusion would fall on or after a known crossing is not treated, and
    their screening is undone. Simon's stage 1 reads the first n1 patients' confirmed best
    response, which this trial draws in advance (a real trial pauses enrolment for it).
    """
    spec = rules.toxicity_monitoring
    monitor = ToxicityMonitor(spec.prior_a, spec.prior_b, spec.theta, spec.threshold, spec.max_n)
    simon = rules.response_design
    stage = (
        SimonDesign(r1=simon.r1, n1=simon.n1, r=simon.r, n=simon.n)
        if simon is not None and simon.futility_stop
        else None
    )
    params = clinic.setup.params
    review_delay = protocol.dlt.window_last_day + params.calendar.safety_review_days
    reviewed: list[tuple[dt.date, str, bool]] = []
    infused: list[PatientCourse] = []
    for index in range(count):
        if stage is not None and index == stage.n1:
            responders = sum(c.response.bor_confirmed in RESPONDERS for c in infused)
            if stage.stops_for_futility(responders):
                return (
                    ExpansionStop(
                        rule="simon_futility",
                        known_on=max(c.infusion_date for c in infused),
                        enrolled_before=index,
                        enrolment_stopped=True,
                        reason=f"Simon stage 1: {responders} of {stage.n1} responded "
                        f"(<= {stage.r1}): stop for futility",
                    ),
                )
        mark = len(clinic.screened)
        screened, course = clinic.enrol(dose, "expansion", None, open_date, rate)
        stop = _first_crossing(monitor, reviewed, course.infusion_date)
        if stop is not None:
            del clinic.screened[mark:]
            return (replace(stop, enrolled_before=index),)
        review = course.infusion_date + dt.timedelta(days=review_delay)
        verdict = adjudicate(safety_record(screened, course, review, cohort), protocol.dlt, review)
        if verdict.evaluability == "evaluable":
            reviewed.append((review, screened.subject_id, verdict.has_dlt))
        infused.append(course)
    late = _first_crossing(monitor, reviewed, None)
    return () if late is None else (replace(late, enrolled_before=len(infused)),)
