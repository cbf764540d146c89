"""Server time of every web page and live calculator at the demo trial's size and at 300
participants: Django's test client in-process (no network), median of repeats; the two
whole-trial downloads (report, dataset) timed once.

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
    dm = client("datamanager")
    today = dt.date.today().isoformat()
    screening_form = {
        "screening_date": record["screening_date"],
        "demographics.date_of_birth": record["demographics"]["date_of_birth"],
        "disease.her2_percent": "60",
        "labs.anc_10e9_per_l.value": "2.1",
        "labs.anc_10e9_per_l.date": record["labs"]["anc_10e9_per_l"]["date"],
    }
    from hyposti.service.models import Lesion

    scan_form = {"assessment_date": today, "baseline": "no"}
    lesions = Lesion.objects.filter(participant__subject_id=subject).exclude(category="new")
    for i, le in enumerate(lesions.order_by("lesion_id")):
        scan_form[f"l{i}-lesion_id"] = le.lesion_id
        scan_form[f"l{i}-diameter_mm"] = "12" if le.category == "target" else ""
        scan_form[f"l{i}-state"] = "" if le.category == "target" else "present"
        if le.category == "non-target":
            scan_form["non_target_status"] = "NON-CR/NON-PD"
        scan_form["rows"] = str(i + 1)
    anonymous = Client()
    case = f"/participants/{subject}"
    pages = {
        "login": (anonymous, "get", "/login/", None),
        "dashboard": (inv, "get", "/", None),
        "participants": (inv, "get", "/participants/", None),
        "register": (inv, "get", "/participants/new/", None),
        "casebook": (inv, "get", f"{case}/", None),
        "casebook (data manager)": (dm, "get", f"{case}/", None),
        "screening form": (inv, "get", f"{case}/screening/", None),
        "dosing form": (inv, "get", f"{case}/dosing/", None),
        "AE form": (inv, "get", f"{case}/adverse-event/", None),
        "tumour assessment": (inv, "get", f"{case}/scan/", None),
        "safety review": (src, "get", "/committee/", None),
        "statistics": (stat, "get", "/statistics/", None),
        "password change": (inv, "get", "/password/", None),
    }
    calculators = {
        "screening verdicts": (inv, "post", f"{case}/screening/check", screening_form),
        "dosing": (
            inv,
            "post",
            f"{case}/dosing/check",
            {"weight_kg": "62", "height_cm": "165", "dose:cyclophosphamide": "20"},
        ),
        "AE observation fields": (inv, "get", "/calculators/fields?grader=icans", None),
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
        "ICANS grade": (
            inv,
            "post",
            "/calculators/grade",
            {"grader": "icans", "icans.ice_score": "5", "icans.consciousness": "normal"},
        ),
        "CRES grade": (
            inv,
            "post",
            "/calculators/grade",
            {"grader": "cres", "cres.cartox10": "6", "cres.seizure": "none"},
        ),
        "dose paths": (src, "post", "/committee/paths", {"p1": "0.2", "p2": "0.3", "p3": "0.4"}),
        "operating characteristics": (
            stat,
            "post",
            "/statistics/oc",
            {"p1": "0.05", "p2": "0.15", "p3": "0.3"},
        ),
        "RECIST preview": (inv, "post", f"{case}/scan/check", scan_form),
    }
    downloads = {
        "dataset zip": (stat, "get", "/statistics/dataset.zip", None),
        "trial report": (stat, "get", "/statistics/report", None),
    }

    def timing(table: dict[str, tuple], repeats: int = repeats) -> dict[str, float]:
        out = {}
        for name, (c, method, url, data) in table.items():
            call = (
                (lambda c=c, url=url: c.get(url))
                if method == "get"
                else (lambda c=c, url=url, data=data: c.post(url, data))
            )
            response = call()
            refused = method == "post" and b'role="alert"' in response.content
            if response.status_code != 200 or refused:
                raise RuntimeError(f"{name}: HTTP {response.status_code}, or a refusal shown")
            out[name] = round(1000 * median_seconds(call, repeats), 1)
        return out

    return {
        "participants": Participant.objects.count(),
        "pages_ms": timing(pages),
        "calculators_ms": timing(calculators),
        # Whole-trial analysis and export, not pages: timed once, outside the 100 ms goal.
        "downloads_ms": timing(downloads, repeats=1),
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
        for group in ("pages_ms", "calculators_ms", "downloads_ms"):
            for name, ms in r[group].items():
                print(f"  {name:<26} {ms:>8.1f}")


if __name__ == "__main__":
    main()
