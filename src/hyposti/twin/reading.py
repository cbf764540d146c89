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
    non_target_status,
    read_target,
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
    is_target = np.array([lesion.target for lesion in tumour.lesions])
    nt_sizes = sizes[~is_target]
    nt_previous = sum(lesion.baseline_mm for lesion in tumour.non_targets)
    nt_nadir = nt_previous
    assessments = []
    for j, day in enumerate(scan_days):
        targets = [
            read_target(rng, lesion, float(sizes[i, j]), params, too_small_mm)
            for i, lesion in enumerate(tumour.lesions)
            if lesion.target
        ]
        non_target = None
        increased = False
        if tumour.non_targets:
            now = float(nt_sizes[:, j].sum())
            non_target = non_target_status(tumour, nt_sizes[:, j], nt_nadir, params)
            increased = now >= params.non_target_increase_ratio * nt_previous
            nt_previous, nt_nadir = now, min(nt_nadir, now)
        assessments.append(
            Assessment(
                date=infusion_date + dt.timedelta(days=int(day)),
                targets=targets,
                non_target=non_target,
                non_target_increased=increased,
            )
        )
    return tumour_record(
        patient_id, tumour, infusion_date, baseline_date, assessments, new_therapy_date
    )
