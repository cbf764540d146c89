"""When the committee may decide: DLT windows closed, or DLTs that settle the 3+3 decision
whatever the pending patients show (Storer 1989: two DLTs among three stop escalation), and
DLT proposals of the engine the investigator has not yet confirmed or overridden.

3+3 at the lowest of three doses (Storer 1989): 0/3 DLTs escalate to dose 2; 1/3 treat three
more at dose 1; 2/3 or 3/3 stop, dose 1 too toxic, no MTD."""

from __future__ import annotations

import datetime as dt

import pytest

from hyposti.service.errors import RefusedError
from hyposti.service.models import AdverseEvent
from hyposti.service.services.escalation import cohort_review, escalation_decide
from hyposti.service.services.safety import adverse_event_confirm_dlt, adverse_event_record
from hyposti.service.services.treatment import administration_record
from tests.service.conftest import PASSWORD, START, Api, Clock

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


def proposed_dlt(users, subject_id: str, day: int) -> AdverseEvent:
    """A CAR-T-related grade 4 CRS on study day ``day``: inside the 28-day window and grade 3 or
    more, a DLT by the protocol's definition, which the engine proposes."""
    # ASTCT grade 4 CRS: fever with hypotension needing two vasopressors (Lee 2019, Table 5).
    ae = adverse_event_record(user=users["research_coordinator"], now=at(day),
                              subject_id=subject_id, onset_date=at(day).date(), serious=True,
                              attribution=RELATED, grader="crs",
                              observation={"temperature_c": 39.5, "hypotension": True,
                                           "vasopressors": 2})  # fmt: skip
    assert ae.dlt_proposed and ae.grade == 4, ae.dlt_proposal_reason
    return ae


def decide(users, ae: AdverseEvent, day: int, is_dlt: bool) -> None:
    adverse_event_confirm_dlt(user=users["investigator"], now=at(day), ae_id=ae.ae_id,
                              is_dlt=is_dlt, reason="reviewed", password=PASSWORD)  # fmt: skip


def dlt(users, subject_id: str, day: int) -> None:
    decide(users, proposed_dlt(users, subject_id, day), day, is_dlt=True)


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


def test_a_dlt_proposal_that_decides_the_cohort_is_listed_marked_and_not_settled(
    users, cohort_one, api: Api, clock: Clock
) -> None:
    proposed_dlt(users, "P01", 3)
    # Day 30: every window has closed; P02 and P03 were followed through day 28 without a DLT.
    review = cohort_review(user=users["safety_committee"], now=at(30), number=1)
    [proposal] = review.dlt_proposals
    assert (proposal.patient_id, proposal.ae_id, proposal.grade, proposal.onset) == (
        "P01", "P01-AE01", 4, INFUSION + dt.timedelta(days=3))  # fmt: skip
    # The protocol's clause "grade 3 or higher CRS or CRES", on study day 3.
    assert proposal.term == "Cytokine release syndrome"
    assert "grade 3 or higher CRS or CRES" in proposal.reason and "day 3" in proposal.reason
    assert review.undecided == ("P01",) and review.pending == ()
    # Confirmed, 1/3 treats three more at dose 1; overridden, 0/3 escalates to dose 2.
    assert not review.settled and review.paths == {}
    # Until the investigator decides, the proposal counts as the DLT the engine judges it.
    assert (review.outcomes, review.decision, review.recommendation.next_dose) == (
        "1TNN", "stay", 1)  # fmt: skip
    # The API's review is the same record.
    clock.now = at(30)
    data = api.ok("safety_committee", "post", "/cohorts/1/review")
    assert (data["settled"], data["undecided"]) == (False, ["P01"])
    assert data["dlt_proposals"] == [{
        "patient_id": "P01", "ae_id": "P01-AE01", "term": "Cytokine release syndrome",
        "grade": 4, "onset": (INFUSION + dt.timedelta(days=3)).isoformat(),
        "reason": proposal.reason}]  # fmt: skip


@pytest.mark.parametrize(
    ("is_dlt", "outcomes", "decision", "next_dose"),
    [(True, "1TNN", "stay", 1), (False, "1NNN", "escalate", 2)],
    ids=["confirmed: 1/3 stays", "overridden: 0/3 escalates"],
)
def test_once_the_investigator_decides_the_proposal_is_gone_and_the_review_settles(
    users, cohort_one, is_dlt: bool, outcomes: str, decision: str, next_dose: int
) -> None:
    decide(users, proposed_dlt(users, "P01", 3), 4, is_dlt=is_dlt)
    review = cohort_review(user=users["safety_committee"], now=at(30), number=1)
    assert (review.dlt_proposals, review.undecided) == ((), ())
    assert review.settled
    assert (review.outcomes, review.decision, review.recommendation.next_dose) == (
        outcomes, decision, next_dose)  # fmt: skip


def test_a_dlt_proposal_that_cannot_change_the_decision_is_listed_but_settled(
    users, cohort_one
) -> None:
    dlt(users, "P01", 3)
    dlt(users, "P02", 4)
    proposed_dlt(users, "P03", 5)
    review = cohort_review(user=users["safety_committee"], now=at(30), number=1)
    # P03's own outcome is open, and listed; but 2/3 and 3/3 both stop at dose 1.
    assert [p.ae_id for p in review.dlt_proposals] == ["P03-AE01"]
    assert review.undecided == ("P03",)
    assert review.settled and (review.decision, review.recommendation.mtd) == ("stop", None)
    # The committee still may not sign over a DLT the investigator has not decided.
    with pytest.raises(RefusedError, match="must confirm or override"):
        escalation_decide(user=users["safety_committee"], now=at(30), number=1,
                          decision="stop", reason="two DLTs at dose 1",
                          password=PASSWORD)  # fmt: skip


def test_a_proposal_beside_a_confirmed_dlt_leaves_the_outcome_decided(users, cohort_one) -> None:
    dlt(users, "P01", 3)
    proposed_dlt(users, "P01", 10)
    review = cohort_review(user=users["safety_committee"], now=at(30), number=1)
    # P01 has a DLT whatever the investigator says of the second CRS: 1/3 either way.
    assert [p.ae_id for p in review.dlt_proposals] == ["P01-AE02"]
    assert review.undecided == ()
    assert review.settled and (review.decision, review.recommendation.next_dose) == ("stay", 1)
