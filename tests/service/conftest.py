"""Django for the service tests: settings, a controllable clock, users per role, an API client.

The same tests run on SQLite (default) and PostgreSQL (DATABASE_URL=postgresql://...).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyposti.service.settings")
if "HYPOSTI_DATA" not in os.environ:
    _data = tempfile.mkdtemp(prefix="hyposti-test-data-")
    os.environ["HYPOSTI_DATA"] = _data
    atexit.register(shutil.rmtree, _data, ignore_errors=True)
os.environ.setdefault("HYPOSTI_SECRET_KEY", secrets.token_urlsafe(40))
django.setup()  # pytest-django reads the settings module before this conftest sets it

from django.conf import settings  # noqa: E402

# Tests create many users: the fast hasher keeps them quick (production keeps PBKDF2).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

PASSWORD = "correct horse battery staple"
#: The clock starts on the example screening record's date (tests/eligibility/fixtures).
START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SITE, OTHER_SITE = "PLAGH", "OTHER"


class Clock:
    """The time the API's views read (django.utils.timezone.now), moved by the tests."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, days: int) -> dt.datetime:
        self.now += dt.timedelta(days=days)
        return self.now

    @property
    def today(self) -> dt.date:
        return self.now.date()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from django.utils import timezone

    c = Clock(START)
    monkeypatch.setattr(timezone, "now", c)
    return c


ROLE_SITES = {
    "administrator": None,
    "investigator": SITE,
    "research_coordinator": SITE,
    "data_manager": None,
    "monitor": SITE,
    "statistician": None,
    "safety_committee": None,
}


@pytest.fixture
def users(db: None) -> dict[str, Any]:
    """One user per role (login = role name), site-bound roles at SITE."""
    from hyposti.service.services.users import user_create

    return {
        role: user_create(
            now=START,
            username=role,
            password=PASSWORD,
            role=role,
            printed_name=f"Dr {role.replace('_', ' ').title()}",
            site_code=site,
        )
        for role, site in ROLE_SITES.items()
    }


class Api:
    """A test client that logs in as a role and calls the API with its bearer token."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client()
        self.tokens: dict[str, str] = {}

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return self.client.post(
            "/api/auth/token",
            {"username": username, "password": password},
            content_type="application/json",
        )

    def token(self, role: str) -> str:
        if role not in self.tokens:
            response = self.login(role)
            assert response.status_code == 200, response.content
            self.tokens[role] = response.json()["token"]
        return self.tokens[role]

    def call(self, role: str, method: str, path: str, body: Any = None) -> Any:
        """Call as ``role``; a token expired while the test clock moved is renewed once."""
        for _ in range(2):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token(role)}"}
            send = getattr(self.client, method)
            if method == "get":
                response = send(f"/api{path}", body or {}, **headers)
            else:
                response = send(
                    f"/api{path}", body or {}, content_type="application/json", **headers
                )
            if response.status_code != 401:
                break
            self.tokens.pop(role)
        return response

    def ok(self, role: str, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(role, method, path, body)
        assert response.status_code == status, (path, response.status_code, response.content)
        return response.json()


@pytest.fixture
def api(users: dict[str, Any], clock: Clock) -> Api:
    return Api()


@pytest.fixture
def screening_record() -> Callable[..., dict[str, Any]]:
    """The eligible example record for a new subject, every date moved ``days`` later."""
    from tests.eligibility.screening_helpers import load

    def make(subject_id: str, days: int = 0, name: str = "eligible.json") -> dict[str, Any]:
        return shift_dates(load(name), days) | {"participant_id": subject_id}

    return make


def shift_dates(value: Any, days: int) -> Any:
    """Every ISO date in a JSON-like value moved by ``days`` (intervals between them kept)."""
    if isinstance(value, dict):
        return {k: shift_dates(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_dates(v, days) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        try:
            return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()
        except ValueError:
            return value
    return value


@pytest.fixture
def enrolled(users, screening_record) -> Callable[[str], Any]:
    """A participant screened eligible by the engine, enrolled and dosed, through the services."""
    from hyposti.service.models import Study
    from hyposti.service.services.enrolment import participant_enrol, study_start
    from hyposti.service.services.participants import (
        participant_consent,
        participant_create,
    )
    from hyposti.service.services.participants import (
        screening_record as screen,
    )
    from hyposti.service.services.treatment import dosing_record

    crc = users["research_coordinator"]

    def make(subject_id: str) -> Any:
        if not Study.objects.exists():
            study_start(user=users["administrator"], now=START)
        participant_create(
            user=crc,
            now=START,
            subject_id=subject_id,
            site_code=SITE,
            sex="F",
            age_years=52,
            weight_kg=62,
            height_cm=165,
        )
        participant_consent(user=crc, now=START, subject_id=subject_id, consent_date=START.date())
        screen(user=crc, now=START, subject_id=subject_id, record=screening_record(subject_id))
        participant_enrol(user=crc, now=START, subject_id=subject_id, enrolment_date=START.date())
        return dosing_record(
            user=crc,
            now=START,
            subject_id=subject_id,
            weight_kg=62,
            height_cm=165,
            agent_doses={"nab-paclitaxel": 150, "cyclophosphamide": 20},
        )

    return make
