"""Screening fixtures: the shipped example records as JSON-like data."""

from typing import Any

import pytest

from tests.eligibility.screening_helpers import load


@pytest.fixture
def eligible() -> dict[str, Any]:
    """A complete record meeting every criterion (screened 2026-11-20, enrolment 2026-11-27,
    first dose 2026-11-30)."""
    return load("eligible.json")


@pytest.fixture
def ineligible() -> dict[str, Any]:
    """Age 76, HER2 20%, ECOG 3, platelets 60, prednisolone 20 mg/day, vaccine 10 days before."""
    return load("ineligible.json")
