"""Speed of `simulate-trial`: the protocol-faithful trial and a stress dataset (median of repeats).

Run: python benchmarks/simulate.py [--patients 10000] [--repeats 3] [--stress-repeats 1] [--json]
Times the simulation through the engines, building the validated dataset, and writing Parquet:
wall seconds (``*_s``) and this process's CPU seconds (``*_cpu_s``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hyposti.data import write_dataset
from hyposti.virtual.tables import trial_dataset
from hyposti.virtual.trial import cyclic_gc_paused, simulate_trial


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _once(seed: int, patients: int | None) -> dict[str, float]:
    # As `hyposti simulate-trial` does: the cyclic collector paused from simulation to files.
    with cyclic_gc_paused():
        start = _clocks()
        trial = simulate_trial(seed, patients=patients)
        simulated = _clocks()
        dataset = trial_dataset(trial, dt.date.today())  # dated as the command dates it
        tabled = _clocks()
        with tempfile.TemporaryDirectory() as folder:
            write_dataset(dataset, folder)
        written = _clocks()
    # Wall time on a quiet machine; CPU time (this process) stays meaningful on a busy one.
    steps = {"simulate": (start, simulated), "tables": (simulated, tabled)}
    steps |= {"write": (tabled, written), "total": (start, written)}
    result: dict[str, float] = {"screened": len(trial.screened), "infused": len(trial.enrolled)}
    for name, (begin, end) in steps.items():
        result[f"{name}_s"] = end[0] - begin[0]
        result[f"{name}_cpu_s"] = end[1] - begin[1]
    return result


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000, help="stress dataset size")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the protocol run")
    parser.add_argument("--stress-repeats", type=int, default=1, help="repeats of the stress run")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    protocol_run = _median([_once(seed, None) for seed in range(args.repeats)])
    stress_run = _median([_once(100 + seed, args.patients) for seed in range(args.stress_repeats)])
    stress_run["ms_per_infused_patient"] = 1000 * stress_run["total_s"] / stress_run["infused"]
    result = {"protocol": protocol_run, "stress": stress_run}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, run in result.items():
        print(
            f"{name:>8}: {run['infused']:.0f} infused of {run['screened']:.0f} screened; "
            f"simulate {run['simulate_s']:.2f} s, tables {run['tables_s']:.2f} s, "
            f"write {run['write_s']:.2f} s, total {run['total_s']:.2f} s "
            f"(CPU {run['total_cpu_s']:.2f} s)"
        )


if __name__ == "__main__":
    main()
