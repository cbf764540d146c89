"""Synthetic dataset -> `hyposti import` -> export -> the same analysis, on both databases."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hyposti.analysis.trial import analyze_trial
from hyposti.cli.main import run
from hyposti.cli.output import to_json
from hyposti.data import read_dataset, write_dataset
from hyposti.data.example import example_dataset
from hyposti.protocol import load_protocol
from hyposti.virtual.tables import trial_dataset
from hyposti.virtual.trial import simulate_trial

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 20230113


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A whole simulated trial (escalation and expansion) written as Parquet."""
    folder = tmp_path_factory.mktemp("synthetic")
    write_dataset(trial_dataset(simulate_trial(SEED)), folder)
    return folder


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The shipped example trial: with S07 enrolled but not yet given a cohort and S08 screened
    out, neither with a site in its row."""
    folder = tmp_path_factory.mktemp("example")
    write_dataset(example_dataset(), folder)
    return folder


@pytest.mark.parametrize("source", ["synthetic", "example"])
def test_import_then_export_gives_the_identical_tables_and_analysis(
    source, request, tmp_path, capsys
) -> None:
    """Every column of every table comes back as it went in (cell by cell, types included)."""
    folder = request.getfixturevalue(source)
    assert run(["import", str(folder), "--json"]) == 0
    imported = json.loads(capsys.readouterr().out)["records"]
    original = read_dataset(folder)
    assert imported["participant"] == len(original.subjects)
    assert imported["adverseevent"] == len(original.adverse_events)

    assert run(["export", "dataset", str(tmp_path / "out"), "--json"]) == 0
    capsys.readouterr()
    exported = read_dataset(tmp_path / "out")
    for name, frame in original.tables().items():
        pd.testing.assert_frame_equal(exported.tables()[name], frame, check_exact=True, obj=name)
    protocol = load_protocol()
    assert to_json(analyze_trial(exported, protocol).to_dict()) == to_json(
        analyze_trial(original, protocol).to_dict()
    )
    assert run(["audit", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] >= sum(imported.values())


def test_import_refuses_a_database_that_is_not_empty(synthetic, capsys) -> None:
    assert run(["import", str(synthetic), "--json"]) == 0
    capsys.readouterr()
    assert run(["import", str(synthetic), "--json"]) == 2
    assert "fresh database" in capsys.readouterr().err


def test_imported_adverse_events_carry_the_dlt_engines_proposal() -> None:
    """A trial imported mid-expansion (the demo's cut-off, DLT windows still open) has each event's
    proposal, as a live save makes it, so an open window's severe CRS awaits the investigator.

    Expected by hand from the registry's DLT definition: CAR-T-related events (possible, probable,
    definite) from day 0 to day 28 after infusion; grade 3 CRS is a DLT; an event unrelated or
    unlikely related to the CAR-T cells is not."""
    import datetime as dt

    from hyposti.service.dataset_io import import_dataset
    from hyposti.service.models import AdverseEvent
    from hyposti.web.demo import demo_dataset

    now = dt.datetime(2026, 11, 28, 9, tzinfo=dt.UTC)
    import_dataset(demo_dataset(2023, now.date()), username="import", now=now)
    events = list(AdverseEvent.objects.select_related("participant"))
    crs = [
        ae
        for ae in events
        if ae.term == "Cytokine release syndrome"
        and ae.grade >= 3
        and ae.attribution["car_t"] in ("possible", "probable", "definite")
        and 0 <= (ae.onset_date - ae.participant.infusion_date).days <= 28
    ]
    unrelated = [ae for ae in events if ae.attribution["car_t"] in ("unrelated", "unlikely")]
    assert crs and unrelated
    assert all(ae.dlt_proposed for ae in crs)
    assert any(ae.dlt is None for ae in crs)  # one still open at the cut-off: no decision yet
    assert not any(ae.dlt_proposed for ae in unrelated)
    assert all(ae.dlt_proposal_reason for ae in events)
