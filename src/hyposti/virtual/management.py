"""Virtual sites manage CRS and ICANS as the protocol's algorithm says: one medication record for
each rule an episode's grade meets, from onset (a single dose) or from onset to resolution (a dose
repeated every few hours).

A synthetic trial assumes full adherence to the algorithm (protocol.toxicity_management; CARTOX,
Neelapu et al. 2018, Nat Rev Clin Oncol 15:47); a weight-based dose is computed from the
baseline weight and capped as the rule says.
"""

from __future__ import annotations

from typing import Any

from hyposti.protocol.management_spec import ManagementRule, ToxicityManagementSpec


def rule_dose_mg(rule: ManagementRule, weight_kg: float) -> float:
    """The dose in mg one administration gives: mg as written, or mg/kg x weight up to the cap."""
    if rule.dose_unit == "mg":
        return rule.dose
    dose = rule.dose * weight_kg
    return dose if rule.max_dose_mg is None else min(dose, rule.max_dose_mg)


def management_rows(
    weight_kg: float, adverse_events: list[dict[str, Any]], spec: ToxicityManagementSpec | None
) -> list[dict[str, Any]]:
    """Medication rows (dataset table ``medications``) for one patient's adverse-event rows."""
    if spec is None:
        return []
    rows = []
    for ae in adverse_events:
        for number, rule in enumerate(spec.rules, start=1):
            if ae["scale"] != rule.scale or ae["grade"] < rule.min_grade:
                continue
            rows.append(
                {
                    "subject_id": ae["subject_id"],
                    "medication_id": f"{ae['ae_id']}-M{number}",
                    "medication": rule.medication,
                    "ae_id": ae["ae_id"],
                    "indication": f"{ae['term']} ({ae['scale']})",
                    "start_date": ae["onset_date"],
                    # a repeated dose runs while the episode lasts; a single dose is one day's
                    "end_date": ae["resolution_date"] if rule.interval_hours else ae["onset_date"],
                    "dose": round(rule_dose_mg(rule, weight_kg), 1),
                    "dose_unit": "mg",
                    "interval_hours": rule.interval_hours,
                }
            )
    return rows
