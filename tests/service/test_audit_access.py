"""Who reads which audit entries, role by role through the API, and paging past 1000 entries.

Truth: the records each participant has (their primary keys, read from the models) and the
site the test put them at; a monitor sees exactly the entries of their site's participants.
"""

from __future__ import annotations

import pytest

from hyposti.service.models import AuditEntry, Participant
from hyposti.service.permissions import MATRIX, ROLES
from hyposti.service.selectors import AUDIT_PAGE_MAX
from tests.service.conftest import OTHER_SITE, PASSWORD, START

pytestmark = pytest.mark.django_db(transaction=True)


#: Trial-level records: no participant, so no site (audit labels of models without one).
TRIAL_LEVEL = {"study", "cohort", "escalationdecision", "expansionalert", "userprofile", "user"}


def test_each_role_reads_the_audit_trail_of_the_sites_it_may_see(api, users, enrolled) -> None:
    from hyposti.service.services.participants import participant_consent, participant_create
    from hyposti.service.services.users import user_create

    enrolled("P01")  # at SITE: created, consented, screened, enrolled, dosed
    crc2 = user_create(now=START, username="crc2", password=PASSWORD, role="research_coordinator",
                       printed_name="Ms Other", site_code=OTHER_SITE)  # fmt: skip
    user_create(now=START, username="mon2", password=PASSWORD, role="monitor",
                printed_name="Mr Other Monitor", site_code=OTHER_SITE)  # fmt: skip
    participant_create(user=crc2, now=START, subject_id="Q01", site_code=OTHER_SITE, sex="M",
                       age_years=60)  # fmt: skip
    participant_consent(user=crc2, now=START, subject_id="Q01", consent_date=START.date())
    query = api.ok("monitor", "post", "/queries", {"model": "participant", "object_id": "P01",
                   "field": "ecog", "text": "source?"}, 201)  # fmt: skip
    api.ok("data_manager", "post", "/records/participant/Q01/lock")

    everything = {(e.model, e.object_id) for e in AuditEntry.objects.all()}
    q01 = ("participant", str(Participant.objects.get(subject_id="Q01").pk))
    # P01 is the only participant at SITE: every entry that is neither trial-level nor Q01's.
    site_records = {k for k in everything if k[0] not in TRIAL_LEVEL and k != q01}
    assert ("dataquery", str(query["id"])) in site_records
    assert {m for m, _ in site_records} >= {"participant", "screening", "enrolment", "dosingrecord"}

    for role in ROLES:
        response = api.call(role, "get", "/audit")
        if role not in MATRIX["audit.read"]:
            assert response.status_code == 403, role
            continue
        seen = {(e["model"], e["object_id"]) for e in response.json()}
        if role == "monitor":
            assert seen == site_records, role
        else:
            assert seen == everything, role
    assert {(e["model"], e["object_id"]) for e in api.ok("mon2", "get", "/audit")} == {q01}
    # Filters narrow within what the role may see, never beyond it.
    assert api.ok("mon2", "get", "/audit", {"model": "dataquery"}) == []


def test_the_audit_listing_pages_past_the_first_thousand_entries(api, users) -> None:
    from django.db import transaction

    from hyposti.service.audit import Change, audit_append

    n = 2 * AUDIT_PAGE_MAX + 17
    changes = [Change("create", "study", str(i), {"n": [None, i]}) for i in range(n)]
    with transaction.atomic():  # as every service appends: inside its transaction
        audit_append(username="administrator", at=START, changes=changes, reason="bulk")
    total = AuditEntry.objects.count()  # the users' creation is audited too
    assert total > n
    seqs, after = [], 0
    while True:
        page = api.ok("data_manager", "get", "/audit", {"after": after})
        if not page:
            break
        assert len(page) <= AUDIT_PAGE_MAX
        seqs += [e["seq"] for e in page]
        after = page[-1]["seq"]
    assert seqs == list(range(1, total + 1))
    assert [e["seq"] for e in api.ok("data_manager", "get", "/audit",
                                     {"after": 5, "limit": 3})] == [6, 7, 8]  # fmt: skip
    for bad in (0, AUDIT_PAGE_MAX + 1):
        refused = api.call("data_manager", "get", "/audit", {"limit": bad})
        assert refused.status_code == 400 and refused.json()["field"] == "limit"
