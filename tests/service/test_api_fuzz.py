"""Schemathesis against the OpenAPI schema: no server error, no undocumented status code, no
response that breaks its declared schema (bounded example count)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.conftest import START

pytestmark = pytest.mark.django_db

EXAMPLES = 8


@pytest.fixture
def api_schema(users, enrolled):
    """The served schema, with a participant enrolled so that routes reach their rules."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    enrolled("P01")
    # As Django's test client does: keep the test's connection (and transaction) open across
    # requests served in-process.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(users) -> str:
    from hyposti.service.services.users import token_issue

    return token_issue(now=START, username="research_coordinator",
                       password="correct horse battery staple")[0]  # fmt: skip


def test_api_never_fails_on_generated_input(api_schema, token, clock) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        check()
