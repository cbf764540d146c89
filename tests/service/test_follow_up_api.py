"""Scans with RECIST 1.1 on save, CAR copy-number samples and disposition, through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from hyposti.service.services.treatment import administration_record
from tests.service.conftest import START

pytestmark = pytest.mark.django_db(transaction=True)

CAR_T = "HypoSti.CAR-HER2 T cells"


@pytest.fixture
def infused(users, enrolled, clock) -> dt.date:
    """P01 preconditioned from START (day -5) and infused on START + 5 (day 0)."""
    enrolled("P01")
    for product, day in (("nab-paclitaxel", 0), ("cyclophosphamide", 2),
                         ("cyclophosphamide", 3), (CAR_T, 5)):  # fmt: skip
        date = START.date() + dt.timedelta(days=day)
        administration_record(user=users["research_coordinator"], subject_id="P01",
                              now=dt.datetime.combine(date, dt.time(12), dt.UTC),
                              product=product, administration_date=date)  # fmt: skip
    return START.date() + dt.timedelta(days=5)


def scan(api, date: dt.date, baseline: bool, t1: float, t2: float) -> dict:
    lesions = [
        {"lesion_id": "T1", "organ": "liver", "category": "target", "diameter_mm": t1},
        {"lesion_id": "T2", "organ": "lung", "category": "target", "diameter_mm": t2},
    ]
    return api.ok("research_coordinator", "post", "/participants/P01/tumour-assessments",
                  {"assessment_date": date.isoformat(), "baseline": baseline,
                   "lesions": lesions}, 201)  # fmt: skip


def test_recist_runs_on_save(api, clock, infused) -> None:
    baseline = START.date()
    scan(api, baseline, True, 30, 20)
    week6 = infused + dt.timedelta(days=42)
    clock.now = dt.datetime.combine(week6, dt.time(12), dt.UTC)
    first = scan(api, week6, False, 15, 10)
    # RECIST 1.1 (Eisenhauer 2009, section 4.3.1): sum 50 -> 25 mm is a 50% decrease >= 30%: PR.
    assert first["response"]["baseline_sum_mm"] == 50
    assert first["response"]["time_points"][-1]["overall_response"] == "PR"
    assert first["response"]["bor_confirmed"] != "PR"  # not yet confirmed (needs a second scan)
    week12 = infused + dt.timedelta(days=84)
    clock.now = dt.datetime.combine(week12, dt.time(12), dt.UTC)
    second = scan(api, week12, False, 12, 8)
    assert second["response"]["bor_confirmed"] == "PR"  # PR confirmed >= 4 weeks later
    twice = api.call("research_coordinator", "post", "/participants/P01/tumour-assessments",
                     {"assessment_date": baseline.isoformat(), "baseline": True,
                      "lesions": []})  # fmt: skip
    assert twice.status_code == 409 and twice.json()["field"] == "baseline"


def test_samples_count_days_from_infusion_and_refuse_values_below_lloq(api, clock, infused):
    clock.now = dt.datetime.combine(infused + dt.timedelta(days=7), dt.time(12), dt.UTC)
    day7 = (infused + dt.timedelta(days=7)).isoformat()
    s = api.ok("research_coordinator", "post", "/participants/P01/samples",
               {"matrix": "blood", "sample_date": day7, "copies_per_ug": 5400.0, "lloq": 10},
               201)  # fmt: skip
    assert s["study_day"] == 7
    low = api.call(
        "research_coordinator",
        "post",
        "/participants/P01/samples",
        {"matrix": "tumour", "sample_date": day7, "copies_per_ug": 3, "lloq": 10},
    )
    assert low.status_code == 400 and low.json()["field"] == "copies_per_ug"


def test_disposition_with_off_study_date_takes_the_participant_off_study(api, clock, infused):
    clock.now = dt.datetime.combine(infused + dt.timedelta(days=60), dt.time(12), dt.UTC)
    day = (infused + dt.timedelta(days=60)).isoformat()
    missing = api.call("research_coordinator", "post", "/participants/P01/disposition",
                       {"last_contact_date": day, "off_study_date": day})  # fmt: skip
    assert missing.status_code == 400 and missing.json()["field"] == "off_study_reason"
    api.ok("research_coordinator", "post", "/participants/P01/disposition",
           {"last_contact_date": day, "progression_date": day, "off_study_date": day,
            "off_study_reason": "progression"})  # fmt: skip
    p = api.ok("monitor", "get", "/participants/P01")
    assert (p["state"], p["off_study_reason"]) == ("off_study", "progression")
