"""Packages built once per session: the example trial and a synthetic trial (seed 7)."""

import datetime as dt

import pytest

from hyposti.data.example import example_dataset
from hyposti.protocol import load_protocol
from hyposti.standards.package import build_adam, build_sdtm, write_package
from hyposti.virtual.tables import trial_dataset
from hyposti.virtual.trial import simulate_trial

CREATED = dt.datetime(2025, 7, 1, 12, 0, 0)


@pytest.fixture(scope="session")
def protocol():
    return load_protocol()


@pytest.fixture(scope="session")
def example():
    return example_dataset()


@pytest.fixture(scope="session")
def synthetic():
    return trial_dataset(simulate_trial(7))


@pytest.fixture(scope="session")
def example_sdtm(example, protocol):
    return {d.name: d for d in build_sdtm(example, protocol)}


@pytest.fixture(scope="session")
def example_adam(example, protocol):
    return {d.name: d for d in build_adam(example, protocol)}


@pytest.fixture(scope="session")
def synthetic_packages(synthetic, protocol, tmp_path_factory):
    """The synthetic trial's SDTM and ADaM written as XPT and as Dataset-JSON."""
    root = tmp_path_factory.mktemp("synthetic")
    built = {"sdtm": build_sdtm(synthetic, protocol), "adam": build_adam(synthetic, protocol)}
    folders = {}
    for kind, datasets in built.items():
        for fmt in ("xpt", "json"):
            folder = root / f"{kind}_{fmt}"
            write_package(datasets, folder, fmt, synthetic.study_id, "synthetic", CREATED)
            folders[(kind, fmt)] = folder
    return built, folders
