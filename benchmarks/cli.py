"""Start-up of the command line: whole-process wall time of everyday commands (median of runs).

Run: `python benchmarks/cli.py [--json] [--repeats 5]`. Each figure is a fresh process of the
`hyposti` installed next to this Python, so it includes interpreter start-up and every import;
`python_floor_s` (`python -c pass`) is what no command can go below. Targets (issue 8): `--help`
and `orr` at most 0.3 s; `screen`, `dose`, `grade` and `design decide` at most 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
HYPOSTI = str(Path(sys.executable).parent / "hyposti")
COMMANDS: dict[str, list[str]] = {
    "help_s": [HYPOSTI, "--help"],
    "orr_s": [HYPOSTI, "orr", "2", "30"],
    "screen_s": [HYPOSTI, "screen", "examples/screening/ineligible.json"],
    "dose_s": [
        HYPOSTI,
        "dose",
        "--weight-kg",
        "62",
        "--height-cm",
        "165",
        "--dose-level",
        "2",
        "--nab-paclitaxel-mg-m2",
        "150",
        "--cyclophosphamide-mg-kg",
        "20",
    ],
    "grade_s": [HYPOSTI, "grade", "crs", "--temperature-c", "39.2", "--vasopressors", "1"],
    "design_decide_s": [HYPOSTI, "design", "decide", "--outcomes", "1NNN 2NTN 2NNN"],
    "python_floor_s": [sys.executable, "-c", "pass"],
}


def _run(argv: list[str]) -> None:
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def measure(repeats: int) -> dict[str, float]:
    """Median seconds of ``repeats`` fresh processes per command (one untimed run first)."""
    return {
        key: median_seconds(lambda a=argv: _run(a), repeats, warm_up=True)
        for key, argv in COMMANDS.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--repeats", type=int, default=5, help="runs per command (default 5)")
    args = parser.parse_args()
    result = measure(args.repeats)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:18s} {value:6.3f} s")


if __name__ == "__main__":
    main()
