"""When the committee may decide: DLT windows closed, or DLTs that settle the 3+3 decision
whatever the pending patients show (Storer 1989: two DLTs among three stop escalation)."""

from __future__ import annotations

import datetime as dt

import pytest

from hyposti.service.errors import RefusedError
from hyposti.service.services.escalation import cohort_review, escalation_decide
from hyposti.service.services.safety import adverse_event_confirm_dlt, adverse_event_record
from hyposti.service.services.treatment import administration_record
from tests.service.conftest import PASSWORD, START

pytestmark = pytest.mark.django_db

CAR_T = "HypoSti.CAR-HER2 T cells"
RELATED = {"car_t": "definite", "nab_paclitaxel": "unlikely", "cyclophosphamide": "unlikely"}
INFUSION = START.date() + dt.timedelta(days=5)


def at(day: int) -> dt.datetime:
    """Noon on study day ``day`` of the cohort (infusion = day 0)."""
    return dt.datetime.combine(INFUSION + dt.timedelta(days=day), dt.time(12), dt.UTC)


@pytest.fixture
def cohort_one(users, enrolled) -> list[str]:
    """Three patients of cohort 1 infused on the same day."""
    subjects = ["P01", "P02", "P03"]
    for sid in subjects:
        enrolled(sid)
    for product, day in (("nab-paclitaxel", -5), ("cyclophosphamide", -3),
                         ("cyclophosphamide", -2), (CAR_T, 0)):  # fmt: skip
        for sid in subjects:
            administration_record(user=users["research_coordinator"], now=at(day),
                                  subject_id=sid, product=product,
                                  administration_date=at(day).date())  # fmt: skip
    return subjects


def dlt(users, subject_id: str, day: int) -> None:
    # ASTCT grade 4 CRS: fever with hypotension needing two vasopressors (Lee 2019, Table 5).
    ae = adverse_event_record(user=users["research_coordinator"], now=at(day),
                              subject_id=subject_id, onset_date=at(day).date(), serious=True,
                              attribution=RELATED, grader="crs",
                              observation={"temperature_c": 39.5, "hypotension": True,
                                           "vasopressors": 2})  # fmt: skip
    assert ae.dlt_proposed, ae.dlt_proposal_reason
    adverse_event_confirm_dlt(user=users["investigator"], now=at(day), ae_id=ae.ae_id,
                              is_dlt=True, reason="confirmed", password=PASSWORD)  # fmt: skip


def test_one_dlt_with_two_pending_cannot_be_decided(users, cohort_one) -> None:
    dlt(users, "P01", 3)
    review = cohort_review(user=users["safety_committee"], now=at(5), number=1)
    assert not review.settled and set(review.pending) == {"P02", "P03"}
    with pytest.raises(RefusedError, match="DLT windows still open"):
        escalation_decide(user=users["safety_committee"], now=at(5), number=1, decision="stay",
                          next_dose_level=1, reason="wait", password=PASSWORD)  # fmt: skip


def test_two_dlts_settle_the_decision_before_the_third_window_closes(users, cohort_one) -> None:
    dlt(users, "P01", 3)
    dlt(users, "P02", 4)
    review = cohort_review(user=users["safety_committee"], now=at(5), number=1)
    # 2/3 at the lowest dose: stop without an MTD, whether P03 has a DLT or not.
    assert review.settled and review.pending == ("P03",)
    assert (review.decision, review.recommendation.mtd) == ("stop", None)
    # The engine's own words for a partial cohort: what is known, and why it already decides.
    reason = review.recommendation.reason
    assert reason.startswith("cohort incomplete: 2 of 3 evaluable, but whatever the 1 pending")
    assert "2/3 DLTs at dose 1" in reason
    decision = escalation_decide(user=users["safety_committee"], now=at(5), number=1,
                                 decision="stop", reason="two DLTs at dose 1",
                                 password=PASSWORD)  # fmt: skip
    assert decision.recommendation["decision"] == "stop"


def test_a_cohort_without_evaluable_patients_reads_stay_not_escalate(users, cohort_one) -> None:
    # Nobody in cohort 1 is evaluable yet: its empty slots must not read as three patients
    # without DLT ("0/3 DLTs at dose 1: escalate" was shown on the dashboard of a new trial).
    review = cohort_review(user=users["safety_committee"], now=at(5), number=1)
    assert not review.settled
    assert (review.decision, review.recommendation.next_dose) == ("stay", 1)
    assert review.recommendation.reason.startswith("cohort incomplete: 0 of 3 evaluable at dose 1")


def test_an_unconfirmed_dlt_proposal_blocks_the_decision(users, cohort_one) -> None:
    adverse_event_record(user=users["research_coordinator"], now=at(3), subject_id="P01",
                         onset_date=at(3).date(), serious=True, attribution=RELATED,
                         grader="crs", observation={"temperature_c": 39.5, "hypotension": True,
                                                    "vasopressors": 2})  # fmt: skip
    with pytest.raises(RefusedError, match="must confirm or override"):
        escalation_decide(user=users["safety_committee"], now=at(30), number=1,
                          decision="escalate", next_dose_level=2, reason="r",
                          password=PASSWORD)  # fmt: skip
