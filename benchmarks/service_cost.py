"""CPU cost of one API request inside one process, no HTTP server: an AE save and the cheapest
signed-in request (GET /api/permissions), through Django's test client on a fresh SQLite demo
trial (the one `hyposti serve --demo` loads).

What `benchmarks/service.py` cannot separate under load: Django, django-ninja, the token check
and the ORM per request, without gunicorn, sockets or waiting for a core. The difference between
the two requests is what saving an AE adds (its 8 statements through the ORM, the
django-simple-history row, the audit chain and the DLT engine's proposal). CPU time of this
process per request, median of batches. The saves go round-robin over the coordinator's treated
participants, as in service.py, about as many in all (600); a save costs more as its participant's
AEs add up (3.7 ms after 200 saves in all, 4.6 ms after 2,400: the next AE number reads the
participant's AE ids).
Run: python benchmarks/service_cost.py [--json] [--requests 100] [--batches 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from service import TREATED, ae_entry  # benchmarks/service.py: the same save
from timing import median_cpu_seconds

#: Loads the demo trial into the data folder argv[1] and prints its users as JSON.
LOAD_DEMO = """
import json, sys
from pathlib import Path
from hyposti.cli.service import open_database
open_database(Path(sys.argv[1]))
from django.utils import timezone
from hyposti.web.demo import load_demo
print(json.dumps(load_demo(timezone.now())["users"]))
"""


def _cpu_ms_per_call(work: Callable[[int], None], requests: int, batches: int) -> float:
    """Median over ``batches`` of the CPU milliseconds per call, after one untimed batch."""

    def batch() -> None:
        for i in range(requests):
            work(i)

    return 1000 * median_cpu_seconds(batch, batches, warm_up=True) / requests


def measure(requests: int, batches: int) -> dict[str, float]:
    from hyposti.cli.service import open_database

    with tempfile.TemporaryDirectory() as data:
        # The demo trial is loaded by another process, as `serve --demo` loads it before
        # gunicorn's workers start: its objects would otherwise stay in this process's heap
        # and make every garbage collection here slower than a worker's (4.0 against 3.2 ms).
        loaded = subprocess.run(
            [sys.executable, "-c", LOAD_DEMO, data], capture_output=True, text=True, check=True
        )
        users = json.loads(loaded.stdout)
        open_database(Path(data))
        from django.test import Client
        from django.utils import timezone

        coordinator = next(u for u in users if u["role"] == "research_coordinator")
        client = Client()
        login = {"username": coordinator["username"], "password": coordinator["password"]}
        token = client.post("/api/auth/token", login, content_type="application/json").json()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token['token']}"}
        rows = client.get("/api/participants", **auth).json()
        subjects = [r["subject_id"] for r in rows if r["state"] in TREATED]
        ae = ae_entry(timezone.now().date().isoformat())

        def save(i: int) -> None:
            path = f"/api/participants/{subjects[i % len(subjects)]}/adverse-events"
            answer = client.post(path, ae, content_type="application/json", **auth)
            if answer.status_code != 201:
                raise RuntimeError(f"AE save: HTTP {answer.status_code} {answer.content[:300]!r}")

        def floor(_: int) -> None:
            answer = client.get("/api/permissions", **auth)
            if answer.status_code != 200:
                raise RuntimeError(f"permissions: HTTP {answer.status_code}")

        return {
            "ae_save_cpu_ms": round(_cpu_ms_per_call(save, requests, batches), 2),
            "floor_cpu_ms": round(_cpu_ms_per_call(floor, requests, batches), 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="Print JSON only.")
    parser.add_argument("--requests", type=int, default=100, help="Requests per batch.")
    parser.add_argument("--batches", type=int, default=5, help="Timed batches.")
    args = parser.parse_args()
    result = measure(args.requests, args.batches)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:<16} {value}")


if __name__ == "__main__":
    main()
