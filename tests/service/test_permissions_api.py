"""The permission matrix, role by role and action by action, through the API; site isolation."""

from __future__ import annotations

import pytest

from hyposti.service.permissions import MATRIX, ROLES
from tests.service.conftest import OTHER_SITE, PASSWORD, SITE, START

pytestmark = pytest.mark.django_db(transaction=True)

CAR_T = "HypoSti.CAR-HER2 T cells"
Z = "/participants/Z01"
D = START.date().isoformat()
#: One request per action; the service checks the role before anything else, so a role the
#: matrix allows never gets 403 (it may get another refusal), and any other role always does.
REQUESTS: dict[str, tuple[str, str, dict | None]] = {
    "read": ("get", "/participants", None),
    "participant.create": ("post", "/participants",
                           {"subject_id": "NEW", "site_code": SITE, "sex": "F", "age_years": 40}),
    "participant.consent": ("post", f"{Z}/consent", {"consent_date": D}),
    "screening.record": ("post", f"{Z}/screening", {"record": {}}),
    "screening.attest": ("post", f"{Z}/attestations",
                         {"criterion_id": "E7", "satisfied": True, "password": PASSWORD}),
    "participant.enrol": ("post", f"{Z}/enrol", {"enrolment_date": D}),
    "dosing.record": ("post", f"{Z}/dosing", {"weight_kg": 60, "agent_doses": {}}),
    "participant.precondition": ("post", f"{Z}/administrations",
                                 {"product": "nab-paclitaxel", "administration_date": D}),
    "participant.infuse": ("post", f"{Z}/administrations",
                           {"product": CAR_T, "administration_date": D}),
    "adverse_event.record": ("post", f"{Z}/adverse-events",
                             {"onset_date": D, "serious": False, "attribution": {}}),
    "adverse_event.confirm_dlt": ("post", "/adverse-events/NONE/dlt-decision",
                                  {"is_dlt": True, "reason": "r", "password": PASSWORD}),
    "tumour.record": ("post", f"{Z}/tumour-assessments",
                      {"assessment_date": D, "baseline": True, "lesions": []}),
    "sample.record": ("post", f"{Z}/samples",
                      {"matrix": "blood", "sample_date": D, "lloq": 10}),
    "disposition.record": ("post", f"{Z}/disposition", {"last_contact_date": D}),
    "record.correct": ("post", "/records/participant/Z01/correct",
                       {"values": {"ecog": 1}, "reason": "source document"}),
    "escalation.review": ("post", "/cohorts/1/review", None),
    "escalation.decide": ("post", "/cohorts/1/decision",
                          {"decision": "stay", "reason": "r", "password": PASSWORD}),
    "query.open": ("post", "/queries", {"model": "participant", "object_id": "Z01",
                                        "field": "ecog", "text": "source?"}),
    "query.answer": ("post", "/queries/999/answer", {"answer": "a"}),
    "query.close": ("post", "/queries/999/close", None),
    "record.lock": ("post", "/records/participant/Z01/lock", None),
    "record.unlock": ("post", "/records/participant/Z01/unlock", {"reason": "r"}),
    "audit.read": ("get", "/audit", None),
    "dataset.export": ("get", "/export", None),
    "user.manage": ("post", "/users", {"username": "u", "password": PASSWORD,
                                       "role": "monitor", "printed_name": "U", "site_code": SITE}),
    "site.manage": ("post", "/study/start", None),
}  # fmt: skip


def test_every_action_has_a_request() -> None:
    assert set(REQUESTS) == set(MATRIX)


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_role_by_action(api, users, action: str) -> None:
    from hyposti.service.services.participants import participant_create

    participant_create(user=users["research_coordinator"], now=START, subject_id="Z01",
                       site_code=SITE, sex="F", age_years=50)  # fmt: skip
    method, path, body = REQUESTS[action]
    for role in ROLES:
        status = api.call(role, method, path, body).status_code
        assert status < 500, (role, action, status)
        assert (status == 403) == (role not in MATRIX[action]), (role, action, status)


def test_site_bound_users_see_only_their_site(api, users) -> None:
    from hyposti.service.services.participants import participant_create
    from hyposti.service.services.users import user_create

    user_create(now=START, username="inv2", password=PASSWORD, role="investigator",
                printed_name="Dr Other", site_code=OTHER_SITE)  # fmt: skip
    participant_create(user=users["research_coordinator"], now=START, subject_id="Z01",
                       site_code=SITE, sex="F", age_years=50)  # fmt: skip
    assert api.ok("inv2", "get", "/participants") == []
    assert api.call("inv2", "get", "/participants/Z01").status_code == 404
    assert api.call("inv2", "post", "/participants/Z01/consent",
                    {"consent_date": D}).status_code == 404  # fmt: skip
    assert [p["subject_id"] for p in api.ok("monitor", "get", "/participants")] == ["Z01"]
    assert [p["subject_id"] for p in api.ok("statistician", "get", "/participants")] == ["Z01"]
