"""Sweeps on Dask: the same answer for a seed whatever the number of workers."""

import numpy as np
import pytest
from distributed import Client, LocalCluster

from hyposti.errors import InputError, ProtocolError
from hyposti.protocol import load_protocol
from hyposti.twin.parameters import load_twin_parameters
from hyposti.twin.sweep import (
    Scenario,
    load_scenarios,
    local_cluster,
    run_trials,
    sweep,
    trial_seed,
)
from hyposti.virtual.parameters import load_parameters

PARAMS, CLINIC, PROTOCOL = load_twin_parameters(), load_parameters(), load_protocol()
GRID = [Scenario("gated"), Scenario("leaky gate", True, {"gate_leak": 0.3})]
# Escalation only (one infused patient requested: no expansion), 6 trials: 2 chunks a scenario.
TRIALS, PATIENTS = 6, 1


def _on_workers(workers: int, processes: bool):
    cluster = (
        local_cluster(workers)
        if processes
        else LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None
        )
    )
    with cluster, Client(cluster) as client:
        return sweep(GRID, PARAMS, CLINIC, PROTOCOL, TRIALS, 42, PATIENTS, client)


def test_same_result_on_one_and_two_workers_and_without_dask():
    serial = sweep(GRID, PARAMS, CLINIC, PROTOCOL, TRIALS, 42, PATIENTS)
    assert _on_workers(1, processes=False) == serial
    assert _on_workers(2, processes=False) == serial
    # The CLI's cluster: worker processes (each its own interpreter and random state).
    assert _on_workers(2, processes=True) == serial
    assert serial[0]["trials"] == TRIALS


def test_trial_seeds_come_from_seedsequence_by_trial_index():
    state = np.random.SeedSequence(42, spawn_key=(3,)).generate_state(2, np.uint32)
    assert trial_seed(42, 3) == (int(state[0]) << 32) | int(state[1])
    assert len({trial_seed(42, t) for t in range(100)}) == 100


def test_scenarios_share_patients():
    # Common random numbers: the same trial seed screens the same candidates in every scenario.
    seeds = [trial_seed(42, 0)]
    a = run_trials(GRID[0], PARAMS, CLINIC, PROTOCOL, seeds, PATIENTS)
    b = run_trials(Scenario("conventional", False), PARAMS, CLINIC, PROTOCOL, seeds, PATIENTS)
    assert a[0].patients[0] == b[0].patients[0] == 3


def test_scenario_file(tmp_path):
    path = tmp_path / "grid.yaml"
    path.write_text(
        "scenarios:\n  - {name: tight, overrides: {gate_leak: 0.0}}\n"
        "  - {name: conventional, gated: false}\n",
        encoding="utf-8",
    )
    grid = load_scenarios(path)
    assert grid == [Scenario("tight", True, {"gate_leak": 0.0}), Scenario("conventional", False)]
    path.write_text("scenarios:\n  - {name: x, overrides: {gate_leek: 1}}\n", encoding="utf-8")
    with pytest.raises(InputError, match="gate_leek"):
        sweep(load_scenarios(path), PARAMS, CLINIC, PROTOCOL, 2, 1)
    path.write_text("scenarios: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="scenarios"):
        load_scenarios(path)


def test_a_scenario_file_that_is_not_yaml_is_refused_with_its_line(tmp_path):
    # A syntax error reached the user as PyYAML's traceback.
    path = tmp_path / "grid.yaml"
    path.write_text("scenarios:\n  - {name: x, overrides: {gate_leak: 0.0}\n", encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        load_scenarios(path)
    assert str(path) in str(info.value) and "not valid YAML: line 3, column 1" in str(info.value)
    path.write_text("scenarios:\n  - {name: x}\n  - {name: x, name: y}\n", encoding="utf-8")
    with pytest.raises(ProtocolError, match="the key 'name' appears twice"):
        load_scenarios(path)
    path.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        load_scenarios(path)
