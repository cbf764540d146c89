"""Speed of the expansion rules: Simon two-stage search, toxicity monitoring (median of repeats).

Run: `python benchmarks/expansion.py [--json]`. One core: BLAS threads are pinned to 1.
Simon: p0 0.10, p1 0.30, alpha 0.05, beta 0.20, the full (n1, r1, n, r) search up to nmax (R
clinfun `ph2simon` searches the same space in Fortran). Monitoring: Beta(0.5, 1.5) prior,
theta 0.33, cut-off 0.9, boundary table and exact P(stop) / E[N] by the forward recursion.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402

from hyposti.design import ToxicityMonitor, simon_designs  # noqa: E402
from timing import median_seconds  # noqa: E402


def headline() -> dict[str, float]:
    monitor_21 = ToxicityMonitor(0.5, 1.5, 0.33, 0.9, 21)
    monitor_1000 = ToxicityMonitor(0.5, 1.5, 0.33, 0.9, 1000)
    return {
        "simon_search_nmax100_s": median_seconds(
            lambda: simon_designs(0.1, 0.3, 0.05, 0.2, nmax=100), 5, warm_up=True
        ),
        "simon_search_nmax200_s": median_seconds(
            lambda: simon_designs(0.1, 0.3, 0.05, 0.2, nmax=200), 3, warm_up=True
        ),
        "monitor_oc_21_s": median_seconds(lambda: monitor_21.operating(0.33), 51, warm_up=True),
        "monitor_oc_1000_s": median_seconds(lambda: monitor_1000.operating(0.33), 11, warm_up=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args()
    result = headline()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:24s} {value * 1000:9.2f} ms")


if __name__ == "__main__":
    main()
