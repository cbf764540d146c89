"""Enrolment under contention: many coordinators racing for the last slots of a cohort.

Exactly as many succeed as there are free slots; every other attempt gets the "no open slot"
refusal; slots are unique. Real threads, each with its own database connection, on SQLite
(BEGIN IMMEDIATE) and PostgreSQL (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.service.conftest import SITE, START

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 200
#: Concurrent connections: below PostgreSQL's default max_connections (100).
WORKERS = 40


def _candidates(n: int) -> list[str]:
    """Consented participants with an eligible screening, made directly: the setting, not the
    thing under test."""
    from hyposti.service.models import Participant, Screening, Site

    site = Site.objects.get(code=SITE)
    people = Participant.objects.bulk_create(
        Participant(subject_id=f"R{i:03d}", site=site, sex="F", age_years=50, state="consented",
                    consent_date=START.date())
        for i in range(n)
    )  # fmt: skip
    Screening.objects.bulk_create(
        Screening(participant=p, screening_date=START.date(), status="eligible") for p in people
    )
    return [p.subject_id for p in people]


def test_200_attempts_for_the_last_two_slots_two_succeed(users) -> None:
    from django.db import connection

    from hyposti.service.errors import RefusedError
    from hyposti.service.models import Cohort, Enrolment
    from hyposti.service.services.enrolment import participant_enrol, study_start

    study_start(user=users["administrator"], now=START)
    subjects = _candidates(ATTEMPTS + 1)
    # One slot of cohort 1's three is taken already: two remain for 200 coordinators.
    participant_enrol(user=users["research_coordinator"], now=START, subject_id=subjects[0],
                      enrolment_date=START.date())  # fmt: skip
    barrier = threading.Barrier(WORKERS)
    coordinator = users["research_coordinator"]

    def attempt(subject_id: str) -> str:
        from django.db import connections

        try:
            # Start each wave of WORKERS attempts together, to collide on the cohort row.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            participant_enrol(user=coordinator, now=START, subject_id=subject_id,
                              enrolment_date=START.date())  # fmt: skip
            return "enrolled"
        except RefusedError as exc:
            return "refused: " + exc.rule
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(attempt, subjects[1:]))

    enrolled = outcomes.count("enrolled")
    refusals = {o for o in outcomes if o != "enrolled"}
    assert enrolled == 2, (connection.vendor, outcomes[:5])
    assert len(refusals) == 1 and "no open slot" in refusals.pop()
    cohort = Cohort.objects.get(number=1)
    assert sorted(Enrolment.objects.filter(cohort=cohort).values_list("slot", flat=True)) == [
        1,
        2,
        3,
    ]
    assert not cohort.is_open
    assert Enrolment.objects.count() == 3
