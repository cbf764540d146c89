"""A whole twin trial: screening, escalation by the protocol's design, expansion at the RP2D.

The trial flow is the synthetic trial's (``hyposti.virtual.trial``): DLT adjudication by
``hyposti.safety``, the next cohort's dose by the protocol's design (``hyposti.design``: 3+3,
Storer 1989, or whichever design the protocol file names), non-evaluable patients replaced.
The result is the synthetic trial's own record, so ``hyposti.virtual.tables.trial_dataset``
writes a twin trial as the trial dataset and ``hyposti analyze`` / ``report`` read it unchanged.
"""

from __future__ import annotations

import datetime as dt

from hyposti.design import Cohort, design_from_protocol, fit
from hyposti.design.protocol_design import protocol_dose_levels
from hyposti.errors import InputError
from hyposti.protocol import Protocol, load_protocol
from hyposti.safety.dlt import PatientAdjudication, adjudicate
from hyposti.twin.clinic import TwinClinic
from hyposti.twin.course import TwinModel
from hyposti.twin.gate import gate_from_parameters
from hyposti.twin.parameters import TwinParameters, load_twin_parameters
from hyposti.virtual.clinic import Screened
from hyposti.virtual.parameters import SimulationParameters, load_parameters
from hyposti.virtual.trial import (
    MAX_REPLACEMENTS,
    EscalationStep,
    SimulatedTrial,
    _safety_record,
)

#: Most patients one twin trial may infuse: a phase I/II trial enrols tens; 1,000 already takes
#: seconds per trial, and a bigger number is a slip, not a design.
MAX_PATIENTS = 1000


def twin_model(
    params: TwinParameters | None = None,
    clinic: SimulationParameters | None = None,
    gated: bool = True,
) -> TwinModel:
    """The biology (shipped twin parameters by default), the CAR and the synthetic clinic."""
    params = params or load_twin_parameters()
    return TwinModel(params, gate_from_parameters(params, gated), clinic or load_parameters())


def check_trial_patients(patients: int | None) -> None:
    """Refuse a total outside 1..MAX_PATIENTS (None: the protocol's own total)."""
    if patients is not None and (isinstance(patients, bool) or not 1 <= patients <= MAX_PATIENTS):
        raise InputError("patients", patients, f"a twin trial infuses 1..{MAX_PATIENTS:,} patients")


def simulate_twin_trial(
    seed: int,
    model: TwinModel | None = None,
    protocol: Protocol | None = None,
    patients: int | None = None,
) -> SimulatedTrial:
    """Run the whole protocol on twin patients; ``patients`` sets the total infused.

    Without ``patients`` the expansion enrols the protocol's estimated total less the escalation,
    kept within its expansion range. RP2D is read as the MTD, as in the synthetic trial.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "must be a whole number >= 0")
    check_trial_patients(patients)
    model = model or twin_model()
    protocol = protocol or load_protocol()
    if protocol.schedule is None:
        raise InputError("protocol", protocol.identifiers.nct_id, "needs a schedule section")
    calendar = model.clinic.calendar
    design = design_from_protocol(protocol)
    label = protocol_dose_levels(protocol).label
    clinic = TwinClinic(seed, model, protocol)
    review_delay = protocol.dlt.window_last_day + calendar.safety_review_days

    cohorts: list[Cohort] = []
    steps: list[EscalationStep] = []
    decision = fit(design, cohorts, label)
    open_date = calendar.start_date
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
                clinic.enrol(dose, "escalation", number, open_date, calendar.screenings_per_month)
                for _ in range(design.cohort_size - len(evaluable))
            ]
            review = max(c.infusion_date for _, c in batch) + dt.timedelta(days=review_delay)
            for s, course in batch:
                record = _safety_record(s, course, review, number)
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
    rationale = (
        f"RP2D = MTD ({label(mtd)}): {decision.reason}"
        if mtd
        else f"no RP2D, no expansion: {decision.reason}"
    )
    if mtd is not None:
        treated = sum(1 for s in clinic.screened if s.enrolled)
        enrolment = protocol.enrolment
        rate = calendar.screenings_per_month
        if patients is None:
            wanted = enrolment.total_estimated - treated
            count = min(max(wanted, enrolment.expansion_min), enrolment.expansion_max)
        else:
            count = max(patients - treated, 0)
            rate = calendar.stress_screenings_per_month
        for _ in range(count):
            clinic.enrol(mtd, "expansion", None, open_date, rate)

    courses = [(s, s.course) for s in clinic.screened if s.course is not None]
    cutoff = max(c.infusion_date for _, c in courses) + dt.timedelta(days=protocol.schedule.end_day)
    expansion_cohort = len(steps) + 1
    adjudications = {
        s.subject_id: adjudicate(
            _safety_record(s, c, cutoff, expansion_cohort), protocol.dlt, cutoff
        )
        for s, c in courses
    }
    return SimulatedTrial(
        seed=seed,
        protocol=protocol,
        params=model.clinic,
        screened=tuple(clinic.screened),
        escalation=tuple(steps),
        mtd=mtd,
        rp2d=mtd,
        rp2d_rationale=rationale,
        data_cutoff=cutoff,
        adjudications=adjudications,
    )
