"""Signatures invalidated by a later change, record locks, data queries, tokens and errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hyposti.service.services.treatment import administration_record
from tests.service.conftest import PASSWORD, SITE, START

pytestmark = pytest.mark.django_db(transaction=True)

RELATED = {"car_t": "unlikely", "nab_paclitaxel": "probable", "cyclophosphamide": "unlikely"}


def test_a_change_invalidates_the_signature_visibly(api, users, enrolled) -> None:
    enrolled("P01")
    administration_record(user=users["research_coordinator"], now=START, subject_id="P01",
                          product="nab-paclitaxel", administration_date=START.date())  # fmt: skip
    ae = api.ok("research_coordinator", "post", "/participants/P01/adverse-events",
                {"onset_date": START.date().isoformat(), "serious": False,
                 "attribution": RELATED, "term": "Nausea", "grade": 2}, 201)  # fmt: skip
    # Not infused and not related to the CAR-T: the engine proposes no DLT and says why.
    assert ae["dlt_proposed"] is False and "not infused" in ae["dlt_proposal_reason"]
    wrong = api.call("investigator", "post", f"/adverse-events/{ae['ae_id']}/dlt-decision",
                     {"is_dlt": False, "reason": "agree", "password": "not it"})  # fmt: skip
    assert wrong.status_code == 409 and wrong.json()["field"] == "password"
    signed = api.ok("investigator", "post", f"/adverse-events/{ae['ae_id']}/dlt-decision",
                    {"is_dlt": False, "reason": "agree", "password": PASSWORD})  # fmt: skip
    (sig,) = signed["signatures"]
    assert (sig["printed_name"], sig["meaning"], sig["valid"]) == (
        "Dr Investigator", "responsibility", True)  # fmt: skip
    assert dt.datetime.fromisoformat(sig["signed_at"]) == START
    api.ok("research_coordinator", "post", f"/records/adverseevent/{signed['id']}/correct",
           {"values": {"serious": True}, "reason": "hospitalised"})  # fmt: skip
    (after,) = api.ok("monitor", "get", "/participants/P01")["adverse_events"][0]["signatures"]
    assert after["valid"] is False and after["status"].startswith("INVALIDATED")


def test_lock_refuses_changes_until_unlocked_with_a_reason(api, users, enrolled) -> None:
    enrolled("P01")
    correct = ("post", "/records/participant/P01/correct",
               {"values": {"ecog": 1}, "reason": "source document"})  # fmt: skip
    api.ok("data_manager", "post", "/records/participant/P01/lock")
    locked = api.call("research_coordinator", *correct)
    assert locked.status_code == 409 and "locked" in locked.json()["rule"]
    no_reason = api.call("data_manager", "post", "/records/participant/P01/unlock",
                         {"reason": ""})  # fmt: skip
    assert no_reason.status_code == 409 and no_reason.json()["field"] == "reason", no_reason.content
    api.ok("data_manager", "post", "/records/participant/P01/unlock",
           {"reason": "query answered: ECOG corrected from source"})  # fmt: skip
    assert api.ok("research_coordinator", *correct)["changes"] == {"ecog": [None, 1]}
    actions = [e["action"] for e in api.ok("data_manager", "get", "/audit",
                                           {"model": "participant"})]  # fmt: skip
    assert actions[-3:] == ["lock", "unlock", "correct"]


def test_query_open_answer_close(api, users, enrolled) -> None:
    enrolled("P01")
    q = api.ok("monitor", "post", "/queries", {"model": "participant", "object_id": "P01",
                                              "field": "weight_kg", "text": "weight source?"},
               201)  # fmt: skip
    early = api.call("monitor", "post", f"/queries/{q['id']}/close")
    assert early.status_code == 409 and "must be answered" in early.json()["rule"]
    assert api.call("research_coordinator", "post", "/queries",
                    {"model": "participant", "object_id": "P01", "field": "sex",
                     "text": "?"}).status_code == 403  # fmt: skip
    api.ok("research_coordinator", "post", f"/queries/{q['id']}/answer",
           {"answer": "62 kg on the clinic scale, 2026-11-20"})  # fmt: skip
    assert api.ok("monitor", "post", f"/queries/{q['id']}/close")["status"] == "closed"
    bad = api.call("monitor", "post", "/queries", {"model": "participant", "object_id": "P01",
                                                   "field": "nonsense", "text": "?"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "field"


def test_tokens_expire_and_logins_are_throttled(api, clock) -> None:
    token = api.token("monitor")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert api.client.get("/api/participants", **headers).status_code == 200
    clock.advance(1)  # past the 12-hour token lifetime
    assert api.client.get("/api/participants", **headers).status_code == 401
    for _ in range(5):
        assert api.login("statistician", "guess").status_code == 403
    throttled = api.login("statistician")
    assert throttled.status_code == 403 and "failed logins" in throttled.json()["detail"]


def test_bad_input_is_a_4xx_naming_the_field(api) -> None:
    r = api.call(
        "research_coordinator",
        "post",
        "/participants",
        {"subject_id": "B01", "site_code": SITE, "sex": "X", "age_years": 300},
    )
    assert r.status_code == 400
    assert r.json()["field"].endswith("sex") and "age_years" in r.json()["detail"]
    r = api.call(
        "research_coordinator",
        "post",
        "/participants",
        {"subject_id": "B01", "site_code": "NOWHERE", "sex": "F", "age_years": 30},
    )
    assert r.status_code == 400 and r.json()["field"] == "site_code"


def test_openapi_schema_is_served(client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "hyposti trial operations"
    assert "/api/participants/{subject_id}/enrol" in schema["paths"]


def test_openapi_schema_served_is_ninjas_own_for_the_api_prefix(client) -> None:
    """What is served, first and again, is the schema django-ninja builds for the prefix."""
    from ninja.openapi.schema import get_schema

    from hyposti.service.api import api as service_api

    first = client.get("/api/openapi.json").json()
    assert client.get("/api/openapi.json").json() == first
    fresh = json.loads(json.dumps(get_schema(api=service_api, path_prefix="/api/")))
    assert first == fresh


def test_attributions_are_the_protocols_products_when_entered_and_corrected(
    api, users, enrolled
) -> None:
    enrolled("P01")
    administration_record(user=users["research_coordinator"], now=START, subject_id="P01",
                          product="nab-paclitaxel", administration_date=START.date())  # fmt: skip
    entry = {"onset_date": START.date().isoformat(), "serious": False, "term": "Nausea",
             "grade": 2}  # fmt: skip
    foreign = api.call("research_coordinator", "post", "/participants/P01/adverse-events",
                       entry | {"attribution": RELATED | {"fludarabine": "possible"}})  # fmt: skip
    assert foreign.status_code == 400
    assert foreign.json()["field"] == "attribution.fludarabine"
    missing = {k: v for k, v in RELATED.items() if k != "cyclophosphamide"}
    short = api.call("research_coordinator", "post", "/participants/P01/adverse-events",
                     entry | {"attribution": missing})  # fmt: skip
    assert short.json()["field"] == "attribution.cyclophosphamide"
    ae = api.ok("research_coordinator", "post", "/participants/P01/adverse-events",
                entry | {"attribution": RELATED}, 201)  # fmt: skip
    url = f"/records/adverseevent/{ae['id']}/correct"
    fixed = api.ok("research_coordinator", "post", url,
                   {"values": {"attribution": {"cyclophosphamide": "possible"}},
                    "reason": "source: cyclophosphamide suspected"})  # fmt: skip
    assert fixed["changes"] == {
        "attribution": [RELATED, RELATED | {"cyclophosphamide": "possible"}]
    }
    wrong = api.call("research_coordinator", "post", url,
                     {"values": {"attribution": {"car_t": "maybe"}}, "reason": "typo"})  # fmt: skip
    assert wrong.json()["field"] == "attribution.car_t"
    (row,) = api.ok("monitor", "get", "/participants/P01")["adverse_events"]
    assert row["attribution"] == RELATED | {"cyclophosphamide": "possible"}


def test_a_long_reason_is_kept_whole_on_every_database(api, enrolled) -> None:
    """A reason as long as the API accepts (2,000 characters) is saved with the change and kept
    whole in the record's history and in the audit trail; django-simple-history's default
    100-character reason column made PostgreSQL refuse the save."""
    from hyposti.service.models import Participant

    enrolled("P01")
    reason = "Source document verification: " + "clinic letter of the referring site. " * 53
    assert 1_900 < len(reason) <= 2_000
    body = {"values": {"ecog": 1}, "reason": reason}
    corrected = api.ok("research_coordinator", "post", "/records/participant/P01/correct", body)
    assert corrected["changes"] == {"ecog": [None, 1]}
    latest = Participant.history.filter(subject_id="P01").latest("history_id")
    assert latest.history_change_reason == reason
    entries = api.ok("data_manager", "get", "/audit", {"model": "participant"})
    assert entries[-1]["reason"] == reason
