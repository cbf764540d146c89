"""Compact builders for tumour-response tests: study days for dates, sizes for records."""

from __future__ import annotations

import datetime as dt

from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response import (
    Assessment,
    BaselineLesion,
    LesionMeasurement,
    NewLesion,
    PatientTumourData,
)

INFUSION = dt.date(2025, 1, 6)


def day(n: int) -> dt.date:
    """The date of study day ``n`` (day 0 = infusion)."""
    return INFUSION + dt.timedelta(days=n)


def spec(**changes: object) -> ResponseSpec:
    """The NCT05681650 response parameters (28-day confirmation, SD from day 42), with changes.

    The readings left at their defaults are the protocol's: MISSING for no assessment, PR
    confirmation by RECIST 1.1 Table 3, iUPD confirmable while it persists.
    """
    values: dict[str, object] = {
        "criteria": ["recist11", "irecist"],
        "primary_criteria": "recist11",
        "confirmation_required": True,
        "confirmation_min_days": 28,
        "min_sd_days": 42,
        "max_ne_between_response_and_confirmation": 1,
        "accept_sd_between_pr_and_confirmation": False,
        "too_small_to_measure_mm": 5.0,
        "cr_followed_by_pr": "reappearance_is_pd",
        "irecist_confirm_min_days": 28,
    }
    values.update(changes)
    return ResponseSpec(**values)


def measurement(lesion_id: str, value: object) -> LesionMeasurement:
    """A number is a measurement, a list the fragments of a split lesion, ('merged', host) a
    merge, and a string a state such as 'disappeared'."""
    if isinstance(value, int | float):
        return LesionMeasurement(lesion_id=lesion_id, diameter_mm=float(value))
    if isinstance(value, list):
        return LesionMeasurement(lesion_id=lesion_id, fragments_mm=value)
    if isinstance(value, tuple):
        return LesionMeasurement(lesion_id=lesion_id, state="merged", merged_into=value[1])
    return LesionMeasurement(lesion_id=lesion_id, state=str(value))


def visit(
    n: int,
    sizes: dict[str, object],
    nt: str | None = "NON-CR/NON-PD",
    new: list[NewLesion] | None = None,
    nt_increased: bool = False,
) -> Assessment:
    """A follow-up on study day ``n``."""
    return Assessment(
        date=day(n),
        targets=[measurement(k, v) for k, v in sizes.items()],
        non_target=nt,
        non_target_increased=nt_increased,
        new_lesions=new or [],
    )


def patient(
    baseline: dict[str, float],
    visits: list[Assessment],
    nodal: tuple[str, ...] = (),
    non_target: bool = True,
    therapy_day: int | None = None,
) -> PatientTumourData:
    """Targets in different organs (nodes in 'lymph node'), plus one bone non-target if asked."""
    lesions = [
        BaselineLesion(
            lesion_id=k,
            organ="lymph node" if k in nodal else f"organ-{k}",
            nodal=k in nodal,
            diameter_mm=v,
            target=True,
        )
        for k, v in baseline.items()
    ]
    if non_target:
        lesions.append(BaselineLesion(lesion_id="NT", organ="bone", target=False))
    return PatientTumourData(
        patient_id="P-001",
        reference_date=INFUSION,
        baseline_date=day(-7),
        lesions=lesions,
        assessments=visits,
        new_anticancer_therapy_date=day(therapy_day) if therapy_day is not None else None,
    )
