"""The DLT proposal kept with a new adverse event is the engine's verdict on that event in the
participant's whole record (what participant_adjudication computes), although the save asks the
engine about the new event alone (safety.dlt_proposal).

Expected verdicts by hand from the protocol's DLT definition (NCT05681650 registry; protocol
`dlt` section): CAR-T-related (possible, probable, definite) events from day 0 to day 28 after
infusion; grade 3 CRS (ASTCT 2019) or grade 3 mucositis is a DLT, other events from grade 4.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.service.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CRC = "research_coordinator"
CAR_T = "HypoSti.CAR-HER2 T cells"
RELATED = {"car_t": "probable", "nab_paclitaxel": "unlikely", "cyclophosphamide": "unlikely"}
UNRELATED = {"car_t": "unrelated", "nab_paclitaxel": "possible", "cyclophosphamide": "unlikely"}


def infused(api, clock, enrolled, subject_id: str) -> dt.date:
    """Enrolled and dosed, preconditioned from today, infused five days later: the infusion."""
    enrolled(subject_id)
    start = clock.today
    for day, product in ((0, "nab-paclitaxel"), (2, "cyclophosphamide"), (3, "cyclophosphamide")):
        clock.now = dt.datetime.combine(start + dt.timedelta(days=day), dt.time(9), dt.UTC)
        body = {"product": product, "administration_date": clock.today.isoformat()}
        api.ok(CRC, "post", f"/participants/{subject_id}/administrations", body, 201)
    clock.now = dt.datetime.combine(start + dt.timedelta(days=5), dt.time(9), dt.UTC)
    body = {"product": CAR_T, "administration_date": clock.today.isoformat()}
    api.ok(CRC, "post", f"/participants/{subject_id}/administrations", body, 201)
    return clock.today


def enter(api, subject_id: str, onset: dt.date, term: str, grade: int, attribution) -> Any:
    body = {
        "onset_date": onset.isoformat(),
        "serious": grade >= 3,
        "term": term,
        "grade": grade,
        "attribution": attribution,
    }
    return api.call(CRC, "post", f"/participants/{subject_id}/adverse-events", body)


def saved(api, subject_id: str, *args: Any) -> dict[str, Any]:
    response = enter(api, subject_id, *args)
    assert response.status_code == 201, response.content
    return response.json()


def whole_record_verdict(subject_id: str, ae_id: str, today: dt.date) -> tuple[bool, str]:
    """The event's verdict when the engine adjudicates the participant's every event."""
    from hyposti.service.models import Participant
    from hyposti.service.services.safety import participant_adjudication

    participant = Participant.objects.get(subject_id=subject_id)
    verdict = next(
        e for e in participant_adjudication(participant, today).events if e.event_id == ae_id
    )
    return verdict.is_dlt, "; ".join(verdict.reasons)


def check(api, subject_id: str, ae: dict[str, Any], today: dt.date) -> None:
    assert (ae["dlt_proposed"], ae["dlt_proposal_reason"]) == whole_record_verdict(
        subject_id, ae["ae_id"], today
    )


def test_verdicts_in_and_out_of_the_window_match_the_whole_record(api, clock, enrolled) -> None:
    infusion = infused(api, clock, enrolled, "V-001")
    clock.now = dt.datetime.combine(infusion + dt.timedelta(days=40), dt.time(9), dt.UTC)
    day = lambda n: infusion + dt.timedelta(days=n)  # noqa: E731
    cases = [
        # (onset, term, grade, attribution, DLT?, reason starts with)
        (day(3), "Cytokine release syndrome", 3, RELATED, True, "DLT under crs_cres"),
        (day(3), "Cytokine release syndrome", 2, RELATED, False, "below threshold: grade 2 < 3"),
        (day(28), "Mucositis oral", 3, RELATED, True, "DLT under cutaneous_mucosal"),
        (day(29), "Mucositis oral", 3, RELATED, False, "outside the DLT window: onset day 29"),
        (day(-1), "Nausea", 3, RELATED, False, "outside the DLT window: onset day -1"),
        (day(10), "Nausea", 3, RELATED, False, "below threshold: grade 3 < 4"),
        (day(10), "Hypotension", 4, UNRELATED, False, "not related: attribution to car_t is"),
        (day(0), "Hypotension", 4, RELATED, True, "DLT under other"),
    ]
    for onset, term, grade, attribution, is_dlt, reason in cases:
        ae = saved(api, "V-001", onset, term, grade, attribution)
        assert ae["dlt_proposed"] is is_dlt, (term, grade, onset, ae["dlt_proposal_reason"])
        assert ae["dlt_proposal_reason"].startswith(reason), ae["dlt_proposal_reason"]
        assert (ae["signatures"], ae["locked"], ae["queries"]) == ([], False, [])
    for ae in api.ok(CRC, "get", "/participants/V-001")["adverse_events"]:
        check(api, "V-001", ae, clock.today)


def test_investigator_decisions_leave_a_new_events_verdict_alone(api, clock, enrolled) -> None:
    """A confirmed DLT makes the participant's verdict a DLT, and an override leaves an event
    out of the whole record; neither changes the verdict on an event entered afterwards."""
    infusion = infused(api, clock, enrolled, "V-002")
    clock.now = dt.datetime.combine(infusion + dt.timedelta(days=4), dt.time(9), dt.UTC)
    first = saved(api, "V-002", clock.today, "Cytokine release syndrome", 3, RELATED)
    decision = {"is_dlt": False, "reason": "resolved within hours", "password": PASSWORD}
    api.ok("investigator", "post", f"/adverse-events/{first['ae_id']}/dlt-decision", decision)
    second = saved(api, "V-002", clock.today, "Cytokine release syndrome", 3, RELATED)
    assert second["dlt_proposed"] is True
    check(api, "V-002", second, clock.today)
    decision = {"is_dlt": True, "reason": "grade 3 CRS in the window", "password": PASSWORD}
    api.ok("investigator", "post", f"/adverse-events/{second['ae_id']}/dlt-decision", decision)
    third = saved(api, "V-002", clock.today, "Nausea", 1, RELATED)
    assert third["dlt_proposed"] is False
    check(api, "V-002", third, clock.today)


def test_dates_outside_the_participants_record_are_refused(api, clock, enrolled) -> None:
    """The engine still checks the new event's dates against the participant's: not before
    preconditioning, not after the end of follow-up (a death)."""
    infusion = infused(api, clock, enrolled, "V-003")
    preconditioning = infusion - dt.timedelta(days=5)
    clock.now = dt.datetime.combine(infusion + dt.timedelta(days=12), dt.time(9), dt.UTC)
    early = enter(api, "V-003", preconditioning - dt.timedelta(days=1), "Nausea", 1, RELATED)
    assert early.status_code == 400
    assert "adverse events count from the start of preconditioning" in early.json()["detail"]
    death = infusion + dt.timedelta(days=10)
    api.ok(
        "investigator",
        "post",
        "/participants/V-003/disposition",
        {
            "last_contact_date": death.isoformat(),
            "death_date": death.isoformat(),
            "death_cause": "progressive disease",
        },
    )
    late = enter(api, "V-003", death + dt.timedelta(days=1), "Nausea", 1, RELATED)
    assert late.status_code == 400
    assert "onset is after the last follow-up" in late.json()["detail"]
    ae = saved(api, "V-003", death, "Hypotension", 4, RELATED)
    assert ae["dlt_proposed"] is True
    check(api, "V-003", ae, clock.today)


def test_a_corrected_attribution_is_adjudicated_again(api, clock, enrolled) -> None:
    """Grade 4 hypotension on day 10 is a DLT only if related to the CAR-T cells (protocol `dlt`:
    related_product car_t, possible/probable/definite; other events from grade 4). Entered as
    unrelated it is proposed as no DLT; corrected to probable it becomes a proposed DLT, and the
    investigator's decision on the earlier proposal is withdrawn (its signature invalidated), so
    the DLT counts until the investigator decides again."""
    infusion = infused(api, clock, enrolled, "V-004")
    clock.now = dt.datetime.combine(infusion + dt.timedelta(days=12), dt.time(9), dt.UTC)
    ae = saved(api, "V-004", infusion + dt.timedelta(days=10), "Hypotension", 4, UNRELATED)
    assert ae["dlt_proposed"] is False
    assert ae["dlt_proposal_reason"].startswith("not related: attribution to car_t is")
    decision = {"is_dlt": False, "reason": "agree: not related", "password": PASSWORD}
    api.ok("investigator", "post", f"/adverse-events/{ae['ae_id']}/dlt-decision", decision)
    body = {"values": {"attribution": {"car_t": "probable"}}, "reason": "source: CAR-T suspected"}
    fixed = api.ok(CRC, "post", f"/records/adverseevent/{ae['id']}/correct", body)
    assert fixed["changes"]["dlt_proposed"] == [False, True]
    assert fixed["changes"]["dlt"] == [False, None]
    (row,) = api.ok(CRC, "get", "/participants/V-004")["adverse_events"]
    assert row["dlt_proposed"] is True and row["dlt_proposal_reason"].startswith("DLT under other")
    check(api, "V-004", row, clock.today)
    assert [s["valid"] for s in row["signatures"]] == [False]
    from hyposti.service.models import Participant
    from hyposti.service.services.safety import participant_adjudication

    participant = Participant.objects.get(subject_id="V-004")
    assert participant_adjudication(participant, clock.today).has_dlt
    # A correction that changes nothing the engine reads leaves the proposal as it is.
    body = {"values": {"serious": False}, "reason": "not hospitalised"}
    again = api.ok(CRC, "post", f"/records/adverseevent/{ae['id']}/correct", body)
    assert set(again["changes"]) == {"serious"}
