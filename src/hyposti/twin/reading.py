"""What radiologists record of a twin patient's lesions at each scan, as ``hyposti.response`` input.

The reading rules are the synthetic trial's (``hyposti.virtual.tumour_model``: proportional
reading error in whole millimetres, "too small to measure" below the protocol's size, RECIST 1.1
s4.3.2; non-target status by its unequivocal-progression ratio over the nadir); only the true
sizes differ, here from the twin's Gompertz model. The twin models no new lesions.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from hyposti.response.records import Assessment, PatientTumourData
from hyposti.virtual.parameters import TumourParameters
from hyposti.virtual.tumour_model import (
    VirtualTumour,
    baseline_lesion_readings,
    tumour_record,
)


def read_scans(
    rng: np.random.Generator,
    tumour: VirtualTumour,
    sizes: np.ndarray,
    scan_days: list[int],
    params: TumourParameters,
    patient_id: str,
    infusion_date: dt.date,
    baseline_date: dt.date,
    too_small_mm: float,
    new_therapy_date: dt.date | None = None,
) -> PatientTumourData:
    """Baseline and follow-up records from the true ``sizes`` (lesions x scans, lesion order of
    ``tumour.lesions``) on ``scan_days`` (study days)."""
    readings = baseline_lesion_readings(rng, tumour, sizes, params, too_small_mm)
    assessments = [
        Assessment(
            date=infusion_date + dt.timedelta(days=int(day)),
            targets=targets,
            non_target=non_target,
            non_target_increased=increased,
        )
        for day, (targets, non_target, increased) in zip(scan_days, readings, strict=True)
    ]
    return tumour_record(
        patient_id, tumour, infusion_date, baseline_date, assessments, new_therapy_date
    )
