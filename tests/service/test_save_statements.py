"""The statements an AE save through the API sends to the database: the list the service
benchmark's docstring gives (benchmarks/service.py), so a change that adds a query to every save
is seen here rather than only in the benchmark's figures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.service.test_ae_verdict import CRC, UNRELATED, infused

pytestmark = pytest.mark.django_db(transaction=True)

#: (statement, table) in order; BEGIN, COMMIT and savepoints are left out.
EXPECTED = [
    ("SELECT", "service_apitoken"),  # the token with its user and profile
    ("SELECT", "service_participant"),  # locked, with enrolment, cohort and disposition
    ("SELECT", "service_adverseevent"),  # its AE ids, for the next number
    ("INSERT", "service_adverseevent"),
    ("INSERT", "service_historicaladverseevent"),
    ("SELECT", "service_chainhead"),  # the audit chain's head, locked
    ("INSERT", "service_auditentry"),
    ("UPDATE", "service_chainhead"),
]


def _statement(sql: str) -> tuple[str, str]:
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return verb, table.group(1) if table else ""


def test_an_ae_save_is_the_documented_eight_statements(api, clock, enrolled) -> None:
    infusion = infused(api, clock, enrolled, "Q-001")
    clock.now = dt.datetime.combine(infusion + dt.timedelta(days=2), dt.time(9), dt.UTC)
    api.tokens.pop(CRC, None)  # a fresh token, issued before: the benchmark's clients reuse one
    api.token(CRC)
    body = {"onset_date": clock.today.isoformat(), "serious": False, "term": "Nausea",
            "grade": 1, "attribution": UNRELATED}  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        response = api.call(CRC, "post", "/participants/Q-001/adverse-events", body)
    assert response.status_code == 201, response.content
    sent = [
        q["sql"]
        for q in queries.captured_queries
        if not re.match(r"(BEGIN|COMMIT|SAVEPOINT|RELEASE)\b", q["sql"], re.IGNORECASE)
    ]
    assert [_statement(sql) for sql in sent] == EXPECTED, sent
    token, participant = sent[0], sent[1]
    assert '"service_userprofile"' in token and '"service_site"' not in token
    for joined in ("service_enrolment", "service_cohort", "service_disposition"):
        assert f'"{joined}"' in participant
