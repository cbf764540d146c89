"""Speed of the in-silico twin: 10^5 patients' 3-year trajectories, and a sweep on Dask.

Run: python benchmarks/twin.py [--patients 100000] [--trials 1000] [--repeats 1] [--json]
``patients_1e5_s``: draw 10^5 patients (mixed doses, gated CAR), derive their biology and their
lesion sizes and blood CAR-T levels weekly over 3 years, and find their true progression day, in
one process. ``sweep_1_worker_s`` / ``sweep_2_workers_s``: ``--trials`` whole protocol trials
(``hyposti twin run``'s sweep) on a local Dask cluster of 1 and then 2 single-threaded worker
processes; the cluster's start-up (and each worker's first import of the twin) is outside the
figure. ``busy_share_*``: the workers' compute time over workers x wall time, which tells a
scheduling limit (idle workers) from a loaded machine (busy workers, slow tasks), and
``worker_cpu_s_per_trial_*`` the workers' CPU seconds a trial, which load does not inflate.
Goal: 10^5 patients <= 10 s on one core, 2 workers >= 1.7x faster than 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hyposti.protocol import load_protocol
from hyposti.twin.gate import gate_from_parameters
from hyposti.twin.parameters import load_twin_parameters
from hyposti.twin.patients import biology, sample_population, trajectories
from hyposti.twin.sweep import Scenario, local_cluster, sweep
from hyposti.twin.tumour import progression_day
from hyposti.virtual.parameters import load_parameters
from timing import median_seconds

CHUNK = 5000  # patients per block: lesions x weeks arrays stay near 60 MB


def patients_run(n: int, seed: int = 1) -> float:
    """Trajectories of ``n`` patients; returns the share progressing within 3 years."""
    params, clinic = load_twin_parameters(), load_parameters()
    gate = gate_from_parameters(params, gated=True)
    rng = np.random.default_rng(seed)
    days = np.arange(0.0, 3 * 365 + 1, 7.0)
    progressed = 0
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        doses = rng.choice([1e6, 3e6, 1e7], size=size)
        population = sample_population(rng, params, clinic, doses, 30.0)
        bio = biology(population, params, gate)
        sizes, _blood = trajectories(population, bio, days)
        pd_day = progression_day(
            sizes, population.is_target, days, clinic.tumour.non_target_progression_ratio
        )
        progressed += int(np.isfinite(pd_day).sum())
    return progressed / n


def _process_cpu_seconds() -> float:
    """CPU seconds (user + system) of the calling process: run on each Dask worker."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sweep_run(trials: int, workers: int, seed: int = 1) -> dict[str, float]:
    """``trials`` gated-CAR trials on a local cluster of ``workers`` processes: wall seconds, the
    workers' busy share (the tasks' compute time over workers x seconds: 1 = never idle; a low
    share means scheduling or serialisation limits the sweep, a share near 1 with a poor speed-up
    means the workers had no free core, as on a loaded machine) and the workers' CPU seconds a
    trial (the same with 1 and 2 workers when nothing is shared between them)."""
    from distributed import Client, get_task_stream

    params, clinic, protocol = load_twin_parameters(), load_parameters(), load_protocol()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        # Start-up stays out of the figure: every worker imports the twin on its first task.
        sweep([Scenario("gated")], params, clinic, protocol, 2 * workers, seed, 1, client)
        cpu = sum(client.run(_process_cpu_seconds).values())
        with get_task_stream(client) as stream:
            start = time.perf_counter()
            sweep([Scenario("gated")], params, clinic, protocol, trials, seed, None, client)
            seconds = time.perf_counter() - start
        cpu = sum(client.run(_process_cpu_seconds).values()) - cpu
        busy = sum(
            part["stop"] - part["start"]
            for task in stream.data
            for part in task["startstops"]
            if part["action"] == "compute"
        )
        return {"seconds": seconds, "busy": busy / (workers * seconds), "cpu": cpu / trials}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    patients_s = median_seconds(lambda: patients_run(args.patients), args.repeats, warm_up=True)
    # CPU seconds of one more run: on a shared machine the wall time counts other jobs' turns.
    cpu_start = time.process_time()
    patients_run(args.patients)
    patients_cpu_s = time.process_time() - cpu_start
    one = sweep_run(args.trials, 1)
    two = sweep_run(args.trials, 2)
    result = {
        "patients": args.patients,
        "patients_1e5_s": patients_s,
        "patients_1e5_cpu_s": patients_cpu_s,
        "trials": args.trials,
        "sweep_1_worker_s": one["seconds"],
        "sweep_2_workers_s": two["seconds"],
        "speed_up_2_workers": one["seconds"] / two["seconds"],
        "busy_share_1_worker": one["busy"],
        "busy_share_2_workers": two["busy"],
        "worker_cpu_s_per_trial_1_worker": one["cpu"],
        "worker_cpu_s_per_trial_2_workers": two["cpu"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>32}: {value:.3f}" if isinstance(value, float) else f"{key:>32}: {value}")


if __name__ == "__main__":
    main()
