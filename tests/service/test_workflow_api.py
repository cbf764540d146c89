"""The whole escalation through the API: screening (eligible and not), a 3+3 with DLTs and the
committee's decisions, the expansion, scans, samples and the export.

Expected decisions follow the conventional 3+3 (Storer 1989, Biometrics 45:925): 0/3 escalate;
1/3 treat three more at the dose; 1/6 escalate; 2/3 is above the MTD, and with 1/6 at the dose
below the trial stops with that dose as the MTD.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.service.conftest import PASSWORD, SITE

pytestmark = pytest.mark.django_db(transaction=True)

CAR_T = "HypoSti.CAR-HER2 T cells"
RELATED = {"car_t": "probable", "nab_paclitaxel": "unlikely", "cyclophosphamide": "unlikely"}
#: ASTCT grade 3 CRS: fever with hypotension needing one vasopressor (Lee 2019, Table 5).
CRS_GRADE_3 = {"temperature_c": 39.2, "hypotension": True, "vasopressors": 1}


def register(api, clock, record, subject_id: str, shift: int, name="eligible.json") -> dict:
    """Register, consent and screen one candidate; returns the screening."""
    crc = "research_coordinator"
    api.ok(
        crc,
        "post",
        "/participants",
        {"subject_id": subject_id, "site_code": SITE, "sex": "F", "age_years": 52},
        201,
    )
    api.ok(
        crc,
        "post",
        f"/participants/{subject_id}/consent",
        {"consent_date": clock.today.isoformat()},
    )
    return api.ok(
        crc,
        "post",
        f"/participants/{subject_id}/screening",
        {"record": record(subject_id, shift, name)},
        201,
    )


def enrol_and_dose(api, clock, subject_id: str) -> dict[str, Any]:
    """Enrol and calculate the doses (nab-paclitaxel 150 mg/m2, cyclophosphamide 20 mg/kg)."""
    crc = "research_coordinator"
    enrolment = api.ok(
        crc,
        "post",
        f"/participants/{subject_id}/enrol",
        {"enrolment_date": clock.today.isoformat()},
        201,
    )
    api.ok(
        crc,
        "post",
        f"/participants/{subject_id}/dosing",
        {
            "weight_kg": 62,
            "height_cm": 165,
            "agent_doses": {"nab-paclitaxel": 150, "cyclophosphamide": 20},
        },
        201,
    )
    return enrolment


def register_and_treat(api, clock, record, subject_id: str, shift: int) -> dict[str, Any]:
    assert register(api, clock, record, subject_id, shift)["status"] == "eligible"
    return enrol_and_dose(api, clock, subject_id)


def precondition_and_infuse(api, clock, subjects: list[str]) -> None:
    crc = "research_coordinator"
    start = clock.today
    for day, product in (
        (0, "nab-paclitaxel"),
        (2, "cyclophosphamide"),
        (3, "cyclophosphamide"),
        (5, CAR_T),
    ):
        clock.now = dt.datetime.combine(start + dt.timedelta(days=day), dt.time(9), dt.UTC)
        for sid in subjects:
            api.ok(
                crc,
                "post",
                f"/participants/{sid}/administrations",
                {"product": product, "administration_date": clock.today.isoformat()},
                201,
            )


def crs_dlt(api, clock, subject_id: str) -> str:
    """A grade 3 CRS on day 3 graded by the ASTCT grader; the investigator confirms the DLT."""
    onset = clock.today.isoformat()
    ae = api.ok(
        "research_coordinator",
        "post",
        f"/participants/{subject_id}/adverse-events",
        {
            "onset_date": onset,
            "serious": True,
            "attribution": RELATED,
            "grader": "crs",
            "observation": CRS_GRADE_3,
        },
        201,
    )
    assert (ae["grade"], ae["scale"], ae["dlt_proposed"]) == (3, "ASTCT 2019 CRS", True)
    api.ok(
        "investigator",
        "post",
        f"/adverse-events/{ae['ae_id']}/dlt-decision",
        {"is_dlt": True, "reason": "grade 3 CRS in the window", "password": PASSWORD},
    )
    return ae["ae_id"]


def run_cohort(api, clock, record, number: int, subjects: list[str], dlts: int) -> dict:
    shift = (clock.today - dt.date(2026, 11, 20)).days
    doses = {register_and_treat(api, clock, record, s, shift)["dose_level"] for s in subjects}
    precondition_and_infuse(api, clock, subjects)
    clock.advance(3)
    for sid in subjects[:dlts]:
        crs_dlt(api, clock, sid)
    clock.advance(27)  # day 30 after infusion: every DLT window (days 0-28) has closed
    review = api.ok("safety_committee", "post", f"/cohorts/{number}/review")
    assert review["settled"] and not review["pending"]
    assert len(doses) == 1
    return review


def decide(api, number: int, decision: str, next_dose: int | None, reason: str) -> dict:
    return api.ok(
        "safety_committee",
        "post",
        f"/cohorts/{number}/decision",
        {
            "decision": decision,
            "next_dose_level": next_dose,
            "reason": reason,
            "password": PASSWORD,
        },
        201,
    )


def test_three_plus_three_escalation_through_the_api(api, clock, screening_record) -> None:
    crc = "research_coordinator"
    api.ok("administrator", "post", "/study/start", status=201)

    # Ineligible candidate: screen failure naming the failing criteria; enrolment refused.
    failed = register(api, clock, screening_record, "X01", 0, "ineligible.json")
    assert failed["status"] == "ineligible"
    assert "I1" in failed["result"]["failing"]
    refused = api.call(crc, "post", "/participants/X01/enrol", {"enrolment_date": "2026-11-20"})
    assert refused.status_code == 409 and "consented" in refused.json()["detail"]
    assert api.ok("monitor", "get", "/participants/X01")["state"] == "screen_failure"

    # Cohort 1, dose 1: 0/3 -> escalate.
    r1 = run_cohort(api, clock, screening_record, 1, ["P01", "P02", "P03"], dlts=0)
    assert (r1["recommendation"]["decision"], r1["recommendation"]["next_dose"]) == ("escalate", 2)
    # Nobody enrols before the committee decides: the cohort is full and no other is open.
    shift = (clock.today - dt.date(2026, 11, 20)).days
    register(api, clock, screening_record, "P04", shift)
    early = api.call(
        crc, "post", "/participants/P04/enrol", {"enrolment_date": clock.today.isoformat()}
    )
    assert early.status_code == 409 and "no open slot" in early.json()["detail"]
    decided = decide(api, 1, "escalate", 2, "0/3 DLTs at dose 1")
    assert decided["signatures"][0]["meaning"] == "approval" and decided["signatures"][0]["valid"]
    assert enrol_and_dose(api, clock, "P04")["dose_level"] == 2

    # Cohort 2, dose 2: P04 (already enrolled) + 2 more, one DLT -> 1/3: stay at dose 2.
    for sid in ("P05", "P06"):
        register_and_treat(api, clock, screening_record, sid, shift)
    precondition_and_infuse(api, clock, ["P04", "P05", "P06"])
    clock.advance(3)
    crs_dlt(api, clock, "P04")
    clock.advance(27)
    r2 = api.ok("safety_committee", "post", "/cohorts/2/review")
    assert (r2["recommendation"]["decision"], r2["recommendation"]["next_dose"]) == ("stay", 2)
    assert r2["outcomes"] == "1NNN 2TNN"
    decide(api, 2, "stay", 2, "1/3 DLTs: three more at dose 2")

    # Cohort 3, dose 2: 0/3 -> 1/6 at dose 2: escalate to dose 3.
    r3 = run_cohort(api, clock, screening_record, 3, ["P07", "P08", "P09"], dlts=0)
    assert (r3["recommendation"]["decision"], r3["recommendation"]["next_dose"]) == ("escalate", 3)
    wrong = api.call(
        "safety_committee",
        "post",
        "/cohorts/3/decision",
        {"decision": "escalate", "next_dose_level": 1, "reason": "x", "password": PASSWORD},
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "next_dose_level"
    decide(api, 3, "escalate", 3, "1/6 DLTs at dose 2")

    # Cohort 4, dose 3: 2/3 -> stop, MTD dose 2; the committee starts the expansion there.
    r4 = run_cohort(api, clock, screening_record, 4, ["P10", "P11", "P12"], dlts=2)
    rec = r4["recommendation"]
    assert (rec["decision"], rec["stop"], rec["mtd"]) == ("stop", True, 2)
    assert r4["outcomes"] == "1NNN 2TNN 2NNN 3TTN"
    decide(api, 4, "expand", 2, "MTD dose 2; expansion at the RP2D")
    cohorts = api.ok("statistician", "get", "/cohorts")
    assert [(c["phase"], c["dose_level"], c["enrolled"]) for c in cohorts] == [
        ("escalation", 1, 3),
        ("escalation", 2, 3),
        ("escalation", 2, 3),
        ("escalation", 3, 3),
        ("expansion", 2, 0),
    ]
    shift = (clock.today - dt.date(2026, 11, 20)).days
    assert register_and_treat(api, clock, screening_record, "E01", shift)["dose_level"] == 2

    # The export is the dataset: escalation table as decided, DLTs adjudicated.
    tables = api.ok("statistician", "get", "/export")
    assert [
        (r["cohort"], r["decision"], r["n_patients"], r["n_dlt"]) for r in tables["escalation"]
    ] == [(1, "escalate", 3, 0), (2, "stay", 3, 1), (3, "escalate", 3, 0), (4, "expand", 3, 2)]
    assert tables["study"][0]["mtd_dose_level"] == 2
    assert sum(r["dlt"] for r in tables["dlt_evaluations"]) == 3
    assert api.ok("data_manager", "get", "/audit/verify")["intact"]

    # The export analyses: treatment-related AEs per dose are the grade 3 CRS DLTs entered above
    # (dose 1: none of 3; dose 2: P04 of 6; dose 3: P10, P11 of 3); E01 has not started
    # preconditioning and is not in the safety population.
    from hyposti.analysis.trial import analyze_trial
    from hyposti.service.dataset_io import export_dataset

    trae = analyze_trial(export_dataset(data_cutoff=clock.today)).safety.trae
    overall = next(r for r in trae.rows if r.soc is None).by_dose
    assert trae.n == {"1": 3, "2": 6, "3": 3, "all": 12}
    assert {d: (overall[d].any, overall[d].grade_3_plus) for d in ("1", "2", "3")} == {
        "1": (0, 0),
        "2": (1, 1),
        "3": (2, 2),
    }
