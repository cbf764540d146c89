"""Random patients for comparing the vectorised trial engine with the per-patient engine."""

from __future__ import annotations

import datetime as dt

import numpy as np

from hyposti.response import (
    Assessment,
    BaselineLesion,
    LesionMeasurement,
    NewLesion,
    NonTargetStatus,
    PatientTumourData,
    TargetState,
)

ORGANS = ["liver", "lung", "adrenal", "peritoneum"]


def random_patient(rng: np.random.Generator, patient_id: str) -> PatientTumourData:
    """Integer diameters near the PR/PD thresholds, every target state, splits and merges."""
    reference = dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 300)))
    n_targets = int(rng.integers(0, 4))
    has_nt = n_targets == 0 or rng.random() < 0.6
    lesions = []
    for k in range(n_targets):
        nodal = rng.random() < 0.3
        size = float(rng.integers(15, 40) if nodal else rng.integers(10, 50))
        lesions.append(
            BaselineLesion(
                lesion_id=f"T{k}", organ=ORGANS[k % 4], nodal=nodal, diameter_mm=size, target=True
            )
        )
    if has_nt:
        lesions.append(BaselineLesion(lesion_id="NT1", organ="bone", target=False))
    scale = 1.0
    day = 0
    assessments = []
    for _ in range(int(rng.integers(0, 9))):
        day += int(rng.choice([14, 21, 28, 42, 56]))
        scale = max(0.0, scale * float(rng.choice([0.4, 0.7, 0.85, 1.0, 1.1, 1.25, 1.5])))
        targets = []
        for i, lesion in enumerate(lesions):
            if not lesion.target:
                continue
            u = rng.random()
            if u < 0.07:
                targets.append(LesionMeasurement(lesion_id=lesion.lesion_id, state="not_evaluated"))
            elif u < 0.12:
                targets.append(
                    LesionMeasurement(lesion_id=lesion.lesion_id, state="too_small_to_measure")
                )
            elif u < 0.17 or scale == 0.0:
                targets.append(LesionMeasurement(lesion_id=lesion.lesion_id, state="disappeared"))
            elif u < 0.22 and not lesion.nodal:
                whole = round((lesion.diameter_mm or 0) * scale)
                targets.append(
                    LesionMeasurement(
                        lesion_id=lesion.lesion_id, fragments_mm=[whole // 2, whole - whole // 2]
                    )
                )
            elif u < 0.26 and i > 0 and targets[0].state is TargetState.MEASURED:
                targets.append(
                    LesionMeasurement(lesion_id=lesion.lesion_id, state="merged", merged_into="T0")
                )
            else:
                size = round((lesion.diameter_mm or 0) * scale + float(rng.integers(-3, 4)))
                targets.append(
                    LesionMeasurement(lesion_id=lesion.lesion_id, diameter_mm=max(size, 0))
                )
        nt = None
        if has_nt:
            nt = rng.choice(
                [
                    NonTargetStatus.CR,
                    NonTargetStatus.NON_CR_NON_PD,
                    NonTargetStatus.NE,
                    NonTargetStatus.PD,
                ],
                p=[0.25, 0.55, 0.12, 0.08],
            )
        new = []
        u = rng.random()
        if u < 0.05:
            new = [NewLesion(lesion_id="NEW1", organ="brain")]
        elif u < 0.1:
            new = [NewLesion(lesion_id="NEW1", organ="brain", equivocal=True)]
        assessments.append(
            Assessment(
                date=reference + dt.timedelta(days=day),
                targets=targets,
                non_target=nt,
                new_lesions=new,
            )
        )
    therapy = None
    if assessments and rng.random() < 0.15:
        therapy = assessments[int(rng.integers(0, len(assessments)))].date
    return PatientTumourData(
        patient_id=patient_id,
        reference_date=reference,
        baseline_date=reference - dt.timedelta(days=int(rng.integers(1, 20))),
        lesions=lesions,
        assessments=assessments,
        new_anticancer_therapy_date=therapy,
    )
