"""Sweeps of whole twin trials over a grid of scenarios, on Dask.

Trial t of every scenario draws from numpy SeedSequence(seed, spawn_key=(t,)) — keyed by the
trial's index, never by the worker — so the answer for a seed is the same however many workers
run it, and every scenario meets the same virtual patients (common random numbers: a gated
vs conventional difference is not blurred by different patients).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hyposti.data.input_file import read_text
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.protocol.loader import load_yaml
from hyposti.twin.operating import TrialCounts, operating_characteristics, trial_counts
from hyposti.twin.parameters import TwinParameters
from hyposti.twin.trial import check_trial_patients, simulate_twin_trial, twin_model
from hyposti.virtual.parameters import SimulationParameters
from hyposti.virtual.trial import cyclic_gc_paused

#: Trials per Dask task: enough work per task to hide the scheduler's overhead (~1 ms a task).
CHUNK = 5
#: Most trials per scenario: the OC's Monte Carlo SE is below 0.002 at 100,000 trials
#: (sqrt(0.25 / 100000) = 0.0016); beyond, days of computing buy nothing.
MAX_TRIALS = 100_000


@dataclass(frozen=True)
class Scenario:
    """One point of the grid: a name, gated or conventional CAR, and parameter overrides."""

    name: str
    gated: bool = True
    overrides: dict[str, float] = field(default_factory=dict)


def scenario_title(result: dict[str, Any]) -> str:
    """A sweep result's heading: its name, with its arm unless the name is the arm."""
    arm = f"{'gated' if result['gated'] else 'conventional'} CAR"
    return result["scenario"] if result["scenario"] == arm else f"{result['scenario']} ({arm})"


def check_seed(seed: int) -> None:
    """Refuse a seed numpy's SeedSequence cannot take."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "must be a whole number >= 0")


def trial_seed(seed: int, trial: int) -> int:
    """Trial ``trial``'s integer seed: the first word of SeedSequence(seed, spawn_key=(trial,))."""
    check_seed(seed)
    state = np.random.SeedSequence(seed, spawn_key=(trial,)).generate_state(2, np.uint32)
    return int(state[0]) << 32 | int(state[1])


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Scenarios from YAML: ``scenarios: [{name, gated (default true), overrides: {...}}]``."""
    source = Path(path)
    # the one reader of input files and of YAML: a folder, an empty or binary file and a syntax
    # error are refused by name (the syntax error was a traceback)
    data = load_yaml(read_text("scenario", source), str(source))
    items = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError("scenario", str(source), "needs a non-empty 'scenarios' list")
    scenarios = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"scenarios[{i}]", item, "must be a mapping: name, gated, overrides")
        if not isinstance(item.get("name"), str):
            raise InputError(f"scenarios[{i}].name", item.get("name"), "needs a name (text)")
        extra = set(item) - {"name", "gated", "overrides"}
        if extra:
            raise InputError(f"scenarios[{i}]", sorted(extra), "allowed: name, gated, overrides")
        overrides = item.get("overrides") or {}
        if not isinstance(overrides, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in overrides.values()
        ):
            raise InputError(f"scenarios[{i}].overrides", overrides, "must map names to numbers")
        gated = item.get("gated", True)
        if not isinstance(gated, bool):
            raise InputError(f"scenarios[{i}].gated", gated, "must be true or false")
        scenarios.append(Scenario(item["name"], gated, {k: float(v) for k, v in overrides.items()}))
    return scenarios


def run_trials(
    scenario: Scenario,
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    seeds: Sequence[int],
    patients: int | None,
    expansion_rules: bool = False,
) -> list[TrialCounts]:
    """Run the trials of ``seeds`` under ``scenario``; one Dask task runs one such chunk."""
    model = twin_model(params.with_values(scenario.overrides), clinic, scenario.gated)
    return [
        trial_counts(
            simulate_twin_trial(seed, model, protocol, patients, expansion_rules), expansion_rules
        )
        for seed in seeds
    ]


def run_trials_task(
    scenario: Scenario,
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    seeds: Sequence[int],
    patients: int | None,
    expansion_rules: bool = False,
) -> list[TrialCounts]:
    """``run_trials`` as a Dask task: a worker process is an edge that owns its process state,
    so the cyclic garbage collector is paused for the chunk (the trial's records hold no cycles;
    measured: 0.26 s of CPU a trial with it, 0.17 s without)."""
    with cyclic_gc_paused():
        return run_trials(scenario, params, clinic, protocol, seeds, patients, expansion_rules)


def local_cluster(workers: int) -> Any:
    """A local Dask cluster of ``workers`` single-threaded worker processes for sweeps.

    Processes, not threads: a trial is mostly pure Python and holds the GIL. The workers'
    statistical profiler is off: it samples every worker thread every 10 ms and costs a pure
    Python task that much CPU and GIL time (measured: 0.28 s of worker CPU a trial with it,
    0.21 s without).
    """
    import logging

    import dask
    from distributed import LocalCluster

    # The nannies hand the configuration in force when they start to their worker processes.
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def sweep(
    scenarios: Sequence[Scenario],
    params: TwinParameters,
    clinic: SimulationParameters,
    protocol: Protocol,
    trials: int,
    seed: int,
    patients: int | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    expansion_rules: bool = False,
) -> list[dict[str, Any]]:
    """Operating characteristics per scenario from ``trials`` trials each.

    ``client`` is a ``dask.distributed.Client``; without one the chunks run in this process.
    ``progress(done, total)`` is called as chunks finish. ``expansion_rules``: the expansion
    stops where the protocol's rules say, and the result says how often each rule fired.
    """
    if isinstance(trials, bool) or not isinstance(trials, int) or not 2 <= trials <= MAX_TRIALS:
        raise InputError("trials", trials, f"simulate 2..{MAX_TRIALS:,} trials per scenario")
    if not scenarios:
        raise InputError("scenarios", [], "needs at least one scenario")
    check_trial_patients(patients, expansion_rules)  # here, not first inside a Dask worker
    for s in scenarios:
        params.with_values(s.overrides)  # refuse a bad scenario before any work starts
    seeds = [trial_seed(seed, t) for t in range(trials)]
    chunks = [
        (k, start, seeds[start : start + CHUNK])
        for k in range(len(scenarios))
        for start in range(0, trials, CHUNK)
    ]
    results: dict[tuple[int, int], list[TrialCounts]] = {}
    if client is None:
        for done, (k, start, chunk) in enumerate(chunks, 1):
            results[k, start] = run_trials(
                scenarios[k], params, clinic, protocol, chunk, patients, expansion_rules
            )
            if progress:
                progress(done, len(chunks))
    else:
        from distributed import as_completed

        shared = client.scatter([params, clinic, protocol], broadcast=True)
        futures = {
            client.submit(
                run_trials_task, scenarios[k], *shared, chunk, patients, expansion_rules, pure=False
            ): (
                k,
                start,
            )
            for k, start, chunk in chunks
        }
        for done, future in enumerate(as_completed(futures), 1):
            results[futures[future]] = future.result()
            if progress:
                progress(done, len(chunks))
    out = []
    for k, scenario in enumerate(scenarios):
        counts = [c for start in range(0, trials, CHUNK) for c in results[k, start]]
        out.append(
            {"scenario": scenario.name, "gated": scenario.gated, "overrides": scenario.overrides}
            | operating_characteristics(counts)
        )
    return out
