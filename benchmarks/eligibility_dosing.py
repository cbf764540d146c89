"""Speed of screening, dose calculation and the study calendar (median of repeats).

Run: python benchmarks/eligibility_dosing.py [--records 1000] [--repeats 5] [--json]
Screens the shipped eligible and ineligible example records alternately, then computes doses
and calendars for as many patients.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hyposti.dosing import patient_doses, study_calendar  # noqa: E402
from hyposti.eligibility import ScreeningRecord, screen  # noqa: E402
from hyposti.protocol import load_protocol  # noqa: E402
from timing import median_seconds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    protocol = load_protocol()
    examples = [
        ScreeningRecord.model_validate_json((ROOT / "examples" / "screening" / name).read_text())
        for name in ("eligible.json", "ineligible.json")
    ]
    n = args.records

    def screening() -> None:
        for i in range(n):
            record = examples[i % 2]
            screen(record, protocol, record.screening_date)

    def dosing() -> None:
        for i in range(n):
            patient_doses(
                protocol,
                weight_kg=50 + i % 60,
                height_cm=150 + i % 40,
                dose_level=1 + i % 3,
                agent_doses={"nab-paclitaxel": 150, "cyclophosphamide": 20},
            )

    def calendars() -> None:
        for i in range(n):
            study_calendar(protocol, dt.date(2026, 1, 1) + dt.timedelta(days=i % 365))

    results = {
        name: {"records": n, "median_seconds": seconds, "per_record_ms": 1000 * seconds / n}
        for name, seconds in (
            ("screen", median_seconds(screening, args.repeats)),
            ("patient_doses", median_seconds(dosing, args.repeats)),
            ("study_calendar", median_seconds(calendars, args.repeats)),
        )
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, r in results.items():
            print(
                f"{name:15s} {r['records']} records: {r['median_seconds']:.3f} s "
                f"({r['per_record_ms']:.3f} ms each)"
            )


if __name__ == "__main__":
    main()
