"""Turns per-patient tumour records into the long measurement and assessment tables of a trial."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from hyposti.response.records import PatientTumourData, TargetState
from hyposti.response.timepoint import confirmed_new_lesion_ids, new_lesion_status


def patients_to_tables(patients: Iterable[PatientTumourData]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(measurements, assessments) as :func:`hyposti.response.trial.assess_trial` reads them.

    Split lesions become one row per fragment; an equivocal new lesion confirmed later is
    entered 'unequivocal' at its first scan (RECIST 1.1 s4.3.5), as the per-patient engine does.
    """
    m_rows: list[dict[str, object]] = []
    a_rows: list[dict[str, object]] = []
    for p in patients:
        therapy = (
            pd.Timestamp(p.new_anticancer_therapy_date) if p.new_anticancer_therapy_date else pd.NaT
        )
        nodal = {lesion.lesion_id: lesion.nodal for lesion in p.lesions}
        has_nt = any(not lesion.target for lesion in p.lesions)
        a_rows.append(
            {
                "patient_id": p.patient_id,
                "date": pd.Timestamp(p.baseline_date),
                "baseline": True,
                "reference_date": pd.Timestamp(p.reference_date),
                "non_target": "present" if has_nt else None,
                "new_lesions": "none",
                "new_anticancer_therapy_date": therapy,
            }
        )
        for lesion in p.lesions:
            if lesion.target:
                m_rows.append(
                    {
                        "patient_id": p.patient_id,
                        "date": pd.Timestamp(p.baseline_date),
                        "lesion_id": lesion.lesion_id,
                        "nodal": lesion.nodal,
                        "state": TargetState.MEASURED.value,
                        "diameter_mm": lesion.diameter_mm,
                    }
                )
        confirmed = confirmed_new_lesion_ids(p)
        for a in p.assessments:
            status, _ = new_lesion_status(a, confirmed)
            a_rows.append(
                {
                    "patient_id": p.patient_id,
                    "date": pd.Timestamp(a.date),
                    "baseline": False,
                    "reference_date": pd.Timestamp(p.reference_date),
                    "non_target": a.non_target.value if a.non_target is not None else None,
                    "new_lesions": status.value,
                    "new_anticancer_therapy_date": therapy,
                }
            )
            for t in a.targets:
                sizes: Sequence[float | None] = t.fragments_mm or [t.diameter_mm]
                for size in sizes:
                    m_rows.append(
                        {
                            "patient_id": p.patient_id,
                            "date": pd.Timestamp(a.date),
                            "lesion_id": t.lesion_id,
                            "nodal": nodal[t.lesion_id],
                            "state": t.state.value,
                            "diameter_mm": size,
                        }
                    )
    measurements = pd.DataFrame(
        m_rows, columns=["patient_id", "date", "lesion_id", "nodal", "state", "diameter_mm"]
    )
    measurements["diameter_mm"] = measurements["diameter_mm"].astype(float)
    return measurements, pd.DataFrame(a_rows)
