"""Gated vs conventional CAR side by side: the same patients treated at each protocol dose.

Each arm and dose treats ``patients`` candidates of the twin clinic at that fixed dose (no
escalation), adjudicated by the protocol's DLT rules; the same seed gives both arms and every
dose the same candidates (common random numbers). Rates carry the binomial SE sqrt(p(1-p)/n).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.safety.dlt import adjudicate
from hyposti.twin.clinic import twin_clinic
from hyposti.twin.cohort import MAX_COHORT
from hyposti.twin.course import TwinModel
from hyposti.twin.operating import TrialCounts, trial_counts
from hyposti.virtual.trial import SimulatedTrial, safety_record

ARMS = (("gated", True), ("conventional", False))


def fixed_dose_cohort(
    seed: int, model: TwinModel, protocol: Protocol, dose_level: int, patients: int
) -> TrialCounts:
    """Counts of ``patients`` twin patients all treated at ``dose_level``."""
    schedule = protocol.required_schedule()  # refused before any patient is drawn
    if not 1 <= dose_level <= protocol.num_doses:
        raise InputError("dose_level", dose_level, f"must be 1..{protocol.num_doses}")
    clinic = twin_clinic(seed, model, protocol)
    start = model.clinic.calendar.start_date
    rate = model.clinic.calendar.stress_screenings_per_month
    courses = [clinic.enrol(dose_level, "expansion", 1, start, rate) for _ in range(patients)]
    cutoff = max(c.infusion_date for _, c in courses) + dt.timedelta(days=schedule.end_day)
    adjudications = {
        s.subject_id: adjudicate(safety_record(s, c, cutoff, 1), protocol.dlt, cutoff)
        for s, c in courses
    }
    cohort = SimulatedTrial(
        seed=seed,
        protocol=protocol,
        params=model.clinic,
        screened=tuple(clinic.screened),
        escalation=(),
        mtd=None,
        rp2d=None,
        rp2d_rationale="fixed-dose cohort",
        data_cutoff=cutoff,
        adjudications=adjudications,
    )
    return trial_counts(cohort)


def _rate(y: int, n: int) -> tuple[float | None, float | None]:
    if n == 0:
        return None, None
    p = y / n
    return p, float(np.sqrt(p * (1.0 - p) / n))


def check_patients_per_cell(patients: int) -> None:
    """Refuse a number of patients per dose and arm outside 2..MAX_COHORT."""
    if (
        isinstance(patients, bool)
        or not isinstance(patients, int)
        or not 2 <= patients <= MAX_COHORT
    ):
        raise InputError("patients", patients, f"needs 2..{MAX_COHORT:,} patients per dose and arm")


def compare_arms(
    seed: int, models: dict[str, TwinModel], protocol: Protocol, patients: int
) -> list[dict[str, Any]]:
    """One row per dose level and arm: ORR, 6-month PFS, CRS >= 3 and DLT rates with SEs."""
    check_patients_per_cell(patients)
    rows = []
    for level in range(1, protocol.num_doses + 1):
        for arm, model in models.items():
            c = fixed_dose_cohort(seed, model, protocol, level, patients)
            d = level - 1
            row: dict[str, Any] = {"dose_level": level, "arm": arm, "patients": c.patients[d]}
            for name, y, n in (
                ("orr", c.responders[d], c.patients[d]),
                ("pfs_6m", c.pfs_free[d], c.pfs_known[d]),
                ("crs_grade3plus", c.crs3[d], c.patients[d]),
                ("dlt", c.dlt[d], c.dlt_evaluable[d]),
            ):
                row[name], row[f"{name}_se"] = _rate(y, n)
            rows.append(row)
    return rows
