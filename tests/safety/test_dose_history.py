"""Adjudications into the dose-finding history: evaluable patients only, cohort by cohort."""

from __future__ import annotations

import datetime as dt

import pytest

from hyposti.design.outcomes import Cohort, parse_outcomes
from hyposti.errors import InputError
from hyposti.protocol import load_protocol
from hyposti.safety.dlt import adjudicate, parse_patient
from hyposti.safety.dose_history import dose_finding_history

SPEC = load_protocol().dlt
TODAY = dt.date(2026, 9, 1)
CRS4 = {
    "term": "Cytokine release syndrome",
    "grade": 4,
    "scale": "ASTCT 2019 CRS",
    "serious": True,
    "attribution": {
        "car_t": "definite",
        "nab_paclitaxel": "unrelated",
        "cyclophosphamide": "unrelated",
    },
}


def _adj(pid, dose, cohort, *, dlt=False, follow_up=30, infused="2026-03-06"):
    events = [CRS4 | {"onset": "2026-03-08"}] if dlt else []
    record = parse_patient(
        {
            "patient_id": pid,
            "dose_level": dose,
            "cohort": cohort,
            "preconditioning_start": "2026-03-01",
            "infusion": infused,
            "last_follow_up": (dt.date(2026, 3, 6) + dt.timedelta(days=follow_up)).isoformat(),
            "adverse_events": events,
        },
        load_protocol().product_ids,
    )
    return adjudicate(record, SPEC, TODAY)


def test_history_matches_the_outcome_notation():
    adjudications = [
        _adj("A", 1, 1),
        _adj("B", 1, 1),
        _adj("C", 1, 1),
        _adj("D", 2, 2),
        _adj("E", 2, 2, dlt=True),
        _adj("F", 2, 2),
    ]
    history = dose_finding_history(adjudications, num_doses=3)
    assert history.cohorts == parse_outcomes("1NNN 2NTN", num_doses=3)
    assert history.outcomes == "1NNN 2NTN"
    assert history.needs_replacement == ()


def test_non_evaluable_patients_are_left_out_and_listed_for_replacement():
    adjudications = [_adj("A", 1, 1), _adj("B", 1, 1, follow_up=12), _adj("C", 1, 1, dlt=True)]
    history = dose_finding_history(adjudications, num_doses=3)
    assert history.cohorts == (Cohort(dose=1, dlts=(False, True)),)
    assert history.needs_replacement == ("B",)


def test_cohort_with_two_dose_levels_is_refused():
    with pytest.raises(InputError, match="one dose level"):
        dose_finding_history([_adj("A", 1, 1), _adj("B", 2, 1)], num_doses=3)


def test_dose_level_outside_the_protocol_is_refused():
    with pytest.raises(InputError) as info:
        dose_finding_history([_adj("A", 4, 1)], num_doses=3)
    assert info.value.field == "patients[0].dose_level"


def test_duplicate_patient_is_refused():
    with pytest.raises(InputError, match="twice"):
        dose_finding_history([_adj("A", 1, 1), _adj("A", 1, 1)], num_doses=3)
