"""Server time of every web page and live calculator at the demo trial's size and at 300
participants: Django's test client in-process (no network), median of repeats.

Goal (issue 11): pages <= 100 ms, calculator requests <= 50 ms. Run:
    python benchmarks/web.py [--json] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]


def measure(patients: int | None, repeats: int) -> dict[str, object]:
    """One fresh database per size (Django settings are per process: run in a child)."""
    import datetime as dt

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from hyposti.service.models import Participant
    from hyposti.web.demo import load_demo

    loaded = load_demo(timezone.now(), patients=patients)
    site = loaded["site"]
    subject = (
        Participant.objects.filter(site__code=site, infusion_date__isnull=False)
        .order_by("-infusion_date")
        .first()
        .subject_id
    )
    record = json.loads((ROOT / "examples" / "screening" / "eligible.json").read_text())

    def client(username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    inv, stat, src = client("investigator"), client("statistician"), client("committee")
    today = dt.date.today().isoformat()
    screening_form = {
        "screening_date": record["screening_date"],
        "demographics.date_of_birth": record["demographics"]["date_of_birth"],
        "disease.her2_percent": "60",
        "labs.anc_10e9_per_l.value": "2.1",
        "labs.anc_10e9_per_l.date": record["labs"]["anc_10e9_per_l"]["date"],
    }
    pages = {
        "dashboard": (inv, "get", "/", None),
        "participants": (inv, "get", "/participants/", None),
        "casebook": (inv, "get", f"/participants/{subject}/", None),
        "safety review": (src, "get", "/committee/", None),
        "statistics": (stat, "get", "/statistics/", None),
        "tumour assessment": (inv, "get", f"/participants/{subject}/scan/", None),
    }
    calculators = {
        "screening verdicts": (
            inv,
            "post",
            f"/participants/{subject}/screening/check",
            screening_form,
        ),
        "dosing": (
            inv,
            "post",
            f"/participants/{subject}/dosing/check",
            {"weight_kg": "62", "height_cm": "165", "dose:cyclophosphamide": "20"},
        ),
        "CRS grade": (
            inv,
            "post",
            "/calculators/grade",
            {
                "grader": "crs",
                "crs.temperature_c": "39.2",
                "crs.hypotension": "yes",
                "crs.vasopressors": "1",
            },
        ),
        "dose paths": (src, "post", "/committee/paths", {"p1": "0.2", "p2": "0.3", "p3": "0.4"}),
        "RECIST preview": (
            inv,
            "post",
            f"/participants/{subject}/scan/check",
            {"assessment_date": today, "baseline": "no", "rows": "0"},
        ),
    }

    def timing(table: dict[str, tuple]) -> dict[str, float]:
        out = {}
        for name, (c, method, url, data) in table.items():
            call = (
                (lambda c=c, url=url: c.get(url))
                if method == "get"
                else (lambda c=c, url=url, data=data: c.post(url, data))
            )
            status = call().status_code
            if status >= 500:
                raise RuntimeError(f"{name}: HTTP {status}")
            out[name] = round(1000 * median_seconds(call, repeats), 1)
        return out

    return {
        "participants": Participant.objects.count(),
        "pages_ms": timing(pages),
        "calculators_ms": timing(calculators),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="Print JSON only.")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        patients = int(args.child) or None
        print(json.dumps(measure(patients, args.repeats)))
        return
    results = {}
    for label, patients in (("demo trial", 0), ("300 participants", 300)):
        with tempfile.TemporaryDirectory() as data:
            env = {
                **os.environ,
                "HYPOSTI_DATA": data,
                "DATABASE_URL": "",
                "DJANGO_SETTINGS_MODULE": "hyposti.service.settings",
            }
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(patients),
                    "--repeats",
                    str(args.repeats),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            results[label] = json.loads(out.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for label, r in results.items():
        print(f"{label} ({r['participants']} participants), median ms")
        for group in ("pages_ms", "calculators_ms"):
            for name, ms in r[group].items():
                print(f"  {name:<20} {ms:>8.1f}")


if __name__ == "__main__":
    main()
