"""Shared test fixtures: paths to the registry record and the test protocols."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def registry_text() -> str:
    """The ClinicalTrials.gov record of NCT05681650, verbatim (docs/registry)."""
    return (ROOT / "docs" / "registry" / "NCT05681650.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def boin_protocol_path() -> Path:
    """A differently shaped protocol: five dose levels, BOIN target 0.25."""
    return ROOT / "tests" / "protocol" / "fixtures" / "boin_five_doses.yaml"
