"""The expansion's toxicity monitoring through the API: an alert exactly where the boundary is.

The boundary is computed here from the beta posterior with scipy.stats.beta (Thall, Simon &
Estey 1995, Stat Med 14:357: stop when P(p > theta | y of n) > c under Beta(a + y, b + n - y)),
independently of the design engine, and checked against the table the protocol file publishes
for NCT05681650's rule (Beta(0.5, 1.5), theta 0.33, c 0.9: "stops at 3 of 3, 4 of 4-6, 5 of
7-8, ..., 11 of 21").
"""

from __future__ import annotations

import datetime as dt

import pytest
from scipy.stats import beta

from hyposti.protocol import load_protocol
from tests.service.test_workflow_api import (
    crs_dlt,
    decide,
    precondition_and_infuse,
    register_and_treat,
    run_cohort,
)

pytestmark = pytest.mark.django_db(transaction=True)

RULE = load_protocol().expansion.toxicity_monitoring


def stop_if_dlt_ge(n: int) -> int | None:
    """Fewest DLTs among n evaluable patients whose posterior P(DLT rate > theta) exceeds c."""
    for y in range(n + 1):
        if beta.sf(RULE.theta, RULE.prior_a + y, RULE.prior_b + n - y) > RULE.threshold:
            return y
    return None


def test_the_published_boundary_table_is_the_beta_posterior() -> None:
    published = {3: 3, 4: 4, 5: 4, 6: 4, 7: 5, 8: 5, 21: 11}
    assert {n: stop_if_dlt_ge(n) for n in published} == published
    assert stop_if_dlt_ge(1) is None and stop_if_dlt_ge(2) is None


def test_before_the_expansion_opens_its_rules_are_shown_as_not_started(
    api, clock, screening_record
) -> None:
    api.ok("administrator", "post", "/study/start", status=201)
    status = api.ok("monitor", "get", "/expansion")
    assert status["started"] is False
    assert (status["monitoring"]["evaluable"], status["monitoring"]["dlts"]) == (0, 0)
    run_cohort(api, clock, screening_record, 1, ["P01", "P02", "P03"], dlts=0)
    decide(api, 1, "expand", 1, "0/3 at dose 1: the committee expands there")
    assert api.ok("monitor", "get", "/expansion")["started"] is True


def _expansion_with_three_dlts(api, clock, record) -> None:
    """Cohort 1 (0/3) and the committee opens the expansion at dose 1. E01 completes its DLT
    window without a DLT; E02-E05 are infused together and E02, E03, E04 have a confirmed DLT:
    3 DLTs among 4 evaluable patients (E05's window is open), one short of the boundary at 4."""
    api.ok("administrator", "post", "/study/start", status=201)
    run_cohort(api, clock, record, 1, ["P01", "P02", "P03"], dlts=0)
    decide(api, 1, "expand", 1, "0/3 at dose 1: the committee expands there")

    def shift() -> int:
        return (clock.today - dt.date(2026, 11, 20)).days

    register_and_treat(api, clock, record, "E01", shift())
    precondition_and_infuse(api, clock, ["E01"])
    clock.advance(30)
    later = ["E02", "E03", "E04", "E05"]
    for sid in later:
        register_and_treat(api, clock, record, sid, shift())
    precondition_and_infuse(api, clock, later)
    clock.advance(3)
    for sid in ("E02", "E03", "E04"):
        crs_dlt(api, clock, sid)


def test_three_dlts_in_five_stay_below_the_boundary(api, clock, screening_record) -> None:
    _expansion_with_three_dlts(api, clock, screening_record)
    status = api.ok("monitor", "get", "/expansion")
    m = status["monitoring"]
    assert (m["evaluable"], m["dlts"], m["stop_now_if_dlt_ge"]) == (4, 3, stop_if_dlt_ge(4))
    assert status["next_patient"] == {"n": 5, "stop_if_dlt_ge": stop_if_dlt_ge(5)}
    clock.advance(27)  # E05's window closes without a DLT: 3 of 5
    status = api.ok("monitor", "get", "/expansion")
    m = status["monitoring"]
    assert (m["evaluable"], m["dlts"], m["crossed_at_n"]) == (5, 3, None)
    assert stop_if_dlt_ge(5) > 3
    assert m["stop_if_dlt_ge"][:21] == [stop_if_dlt_ge(n) for n in range(1, 22)]
    assert status["alerts"] == []


def test_a_fourth_dlt_in_five_crosses_and_raises_one_audited_alert(
    api, clock, screening_record
) -> None:
    _expansion_with_three_dlts(api, clock, screening_record)
    assert api.ok("statistician", "get", "/expansion")["alerts"] == []
    ae_id = crs_dlt(api, clock, "E05")  # 4 of 5: the boundary at n = 5 is 4
    assert stop_if_dlt_ge(5) == 4
    status = api.ok("statistician", "get", "/expansion")
    assert status["monitoring"]["crossed_at_n"] == 5
    (alert,) = status["alerts"]
    assert alert["rule"] == "toxicity_monitoring"
    assert (alert["evaluated"], alert["events"], alert["crossed_by"]) == (5, 4, "E05")
    assert alert["boundary"] == f"{stop_if_dlt_ge(5)} or more DLTs in 5 patients"
    assert alert["data_date"] == clock.today.isoformat()
    posterior = beta.sf(RULE.theta, RULE.prior_a + 4, RULE.prior_b + 1)
    assert f"{posterior:.3f}" in alert["detail"]

    # Seen again (the investigator re-decides the same event), the crossing is not a new alert.
    api.ok(
        "investigator",
        "post",
        f"/adverse-events/{ae_id}/dlt-decision",
        {"is_dlt": True, "reason": "confirmed again", "password": "correct horse battery staple"},
    )
    assert len(api.ok("statistician", "get", "/expansion")["alerts"]) == 1

    # The alert is in the audit trail, and the expansion's DLTs are in the export.
    audit = api.ok("data_manager", "get", "/audit", {"model": "expansionalert"})
    assert [e["action"] for e in audit] == ["create"]
    assert audit[0]["reason"] == "expansion boundary crossed"
    tables = api.ok("statistician", "get", "/export")
    expansion_dlts = {
        r["subject_id"]: r["dlt"] for r in tables["dlt_evaluations"] if r["subject_id"][0] == "E"
    }
    assert expansion_dlts == {"E01": False, "E02": True, "E03": True, "E04": True, "E05": True}


SIMON = load_protocol().expansion.response_design


def _simon_alerts(responders_first: int, n_first: int, responders_rest: int, n_rest: int):
    """The alerts for an expansion whose patients all completed their DLT window without a DLT,
    with the given responders among the first and the remaining patients."""
    from hyposti.analysis.expansion import ExpansionPatient, expansion_review
    from hyposti.service.services.expansion import crossings

    flags = [True] * responders_first + [False] * (n_first - responders_first)
    flags += [True] * responders_rest + [False] * (n_rest - responders_rest)
    patients = [ExpansionPatient(f"E{i:02d}", False, r) for i, r in enumerate(flags, start=1)]
    review = expansion_review(load_protocol().expansion, patients)
    today = dt.date(2027, 1, 1)
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    return [(a.rule, a.evaluated, a.events) for a in crossings(review, today, now)]


def test_simon_alerts_at_the_stage_one_and_final_counts() -> None:
    """Simon 1989: stop for futility with at most r1 responders among the first n1 (the
    protocol's 1 of 10); promising with more than r of n (4 of 21)."""
    n1, r1, n, r = SIMON.n1, SIMON.r1, SIMON.n, SIMON.r
    assert (r1, n1, r, n) == (1, 10, 4, 21)
    assert _simon_alerts(r1, n1 - 1, 0, 0) == []  # stage 1 not complete yet
    assert _simon_alerts(r1, n1, 0, 0) == [("simon_futility", n1, r1)]
    assert _simon_alerts(r1 + 1, n1, 0, 0) == []
    assert _simon_alerts(r1 + 1, n1, 0, n - n1 - 1) == []  # one patient short of n
    assert _simon_alerts(r1 + 1, n1, r - r1, n - n1) == [("simon_final", n, r + 1)]
