"""Speed of the dose-finding engine: exact OC, simulation and dose paths (median of repeats).

Run: `python benchmarks/design.py [--json] [--scaling]`. One core: BLAS threads are pinned to 1.
Scenario: 5 doses with true DLT probabilities 0.05, 0.10, 0.20, 0.30, 0.45; cohorts of 3; BOIN
target 0.30 with 30 patients (10 cohorts); 8 doses use the evenly spaced probabilities of
`--scaling` (0.05 to 0.55). For scale, the R package BOIN's `get.oc` needs about 5 s for 10^4
simulated trials of this BOIN scenario on the 2-core reference machine.

Exact OC builds a design's reachable-state graph once and reuses it for every scenario:
`exact_*_oc_s` is the time per scenario of a scan (graph cached), `*_first_s` includes the build.
Keys ending `_cpu_s` are this process's CPU time (median of repeats) for the same call: wall time
on a quiet machine, CPU time still meaningful on a busy one.

2026-11-28, reference machine (load average under 1), median of 3 runs, the code before the
compiled kernel (design/_kernel.c) run in the same minutes from a worktree of main with
PYTHONPATH: BOIN first call 3.74 -> 1.19 ms wall (3.09 -> 1.19 ms CPU), per scenario 0.315 ->
0.129 ms; 8 doses first call 6.36 -> 1.67 ms, per scenario 0.352 -> 0.185 ms; 3+3 per scenario
0.104 -> 0.047 ms; 10^5 simulated trials 140 -> 128 ms; dose paths 2.43 -> 2.07 ms.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402

from hyposti.design import Boin, ThreePlusThree, dose_paths, exact_oc, simulate_oc  # noqa: E402
from hyposti.design.operating import state_graph  # noqa: E402
from timing import median_cpu_seconds, median_seconds  # noqa: E402

TRUE_TOX = [0.05, 0.10, 0.20, 0.30, 0.45]


def headline() -> dict[str, float]:
    three = ThreePlusThree.variant("conventional", 5)
    boin = Boin(num_doses=5, target=0.3, max_n=30)
    boin_8 = Boin(num_doses=8, target=0.3, max_n=30)
    return {
        "exact_3p3_oc_s": median_seconds(lambda: exact_oc(three, TRUE_TOX), 51, warm_up=True),
        "exact_boin_oc_s": median_seconds(lambda: exact_oc(boin, TRUE_TOX), 51, warm_up=True),
        "exact_boin_oc_first_s": median_seconds(lambda: _first(boin, TRUE_TOX), 21),
        "exact_boin_8_doses_oc_s": median_seconds(
            lambda: exact_oc(boin_8, _tox(8)), 51, warm_up=True
        ),
        "exact_boin_8_doses_oc_first_s": median_seconds(lambda: _first(boin_8, _tox(8)), 11),
        "exact_boin_oc_cpu_s": median_cpu_seconds(
            lambda: exact_oc(boin, TRUE_TOX), 51, warm_up=True
        ),
        "exact_boin_oc_first_cpu_s": median_cpu_seconds(
            lambda: _first(boin, TRUE_TOX), 21, warm_up=True
        ),
        "exact_boin_8_doses_oc_cpu_s": median_cpu_seconds(
            lambda: exact_oc(boin_8, _tox(8)), 51, warm_up=True
        ),
        "exact_boin_8_doses_oc_first_cpu_s": median_cpu_seconds(
            lambda: _first(boin_8, _tox(8)), 11, warm_up=True
        ),
        "simulate_boin_1e5_s": median_seconds(
            lambda: simulate_oc(boin, TRUE_TOX, trials=100_000, seed=1), 7, warm_up=True
        ),
        "paths_8_cohorts_s": median_seconds(
            lambda: dose_paths(boin, 8, true_tox=TRUE_TOX), 11, warm_up=True
        ),
    }


def _first(design: Boin, true_tox: list[float]) -> None:
    """Exact OC of a design not scanned before: the state graph is built, then used."""
    state_graph.cache_clear()
    exact_oc(design, true_tox)


def _tox(num_doses: int) -> list[float]:
    return [round(0.05 + 0.5 * j / max(num_doses - 1, 1), 4) for j in range(num_doses)]


def scaling() -> dict[str, list[dict[str, float]]]:
    """How each measurement grows with trials, doses and cohorts."""
    boin = Boin(num_doses=5, target=0.3, max_n=30)
    out: dict[str, list[dict[str, float]]] = {"simulate_trials": [], "exact_doses": []}
    for trials in (10_000, 100_000, 1_000_000):
        seconds = median_seconds(
            lambda t=trials: simulate_oc(boin, TRUE_TOX, t, seed=1), 3, warm_up=True
        )
        out["simulate_trials"].append({"trials": trials, "seconds": seconds})
    for num_doses in (3, 4, 5, 6, 7, 8):
        tox = _tox(num_doses)
        three = ThreePlusThree.variant("conventional", num_doses)
        design = Boin(num_doses=num_doses, target=0.3, max_n=30)
        out["exact_doses"].append(
            {
                "doses": num_doses,
                "exact_3p3_s": median_seconds(
                    lambda d=three, t=tox: exact_oc(d, t), 11, warm_up=True
                ),
                "exact_boin_30_s": median_seconds(
                    lambda d=design, t=tox: exact_oc(d, t), 5, warm_up=True
                ),
            }
        )
    out["exact_boin_cohorts"] = [
        {
            "cohorts": cohorts,
            "seconds": median_seconds(
                lambda c=cohorts: exact_oc(Boin(num_doses=5, target=0.3, max_n=3 * c), TRUE_TOX),
                5,
                warm_up=True,
            ),
        }
        for cohorts in (6, 8, 10, 12, 14, 16)
    ]
    out["paths_cohorts"] = [
        {
            "cohorts": cohorts,
            "seconds": median_seconds(
                lambda c=cohorts: dose_paths(boin, c, true_tox=TRUE_TOX), 3, warm_up=True
            ),
        }
        for cohorts in (4, 6, 8, 10)
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--scaling", action="store_true", help="also measure how times scale")
    args = parser.parse_args()
    result: dict[str, object] = dict(headline())
    if args.scaling:
        result["scaling"] = scaling()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        if key == "scaling":
            for name, rows in value.items():
                print(f"\n{name}")
                for row in rows:
                    print("  " + ", ".join(f"{k} {v:.4g}" for k, v in row.items()))
        else:
            print(f"{key:24s} {value * 1000:9.2f} ms")


if __name__ == "__main__":
    main()
