"""Browser-test fixtures: a real `hyposti serve` (gunicorn) on a free port against a temporary
SQLite database, and Debian's chromium driven by Playwright (it cannot download browsers here).

Every page a test visits goes through ``visit``: axe-core checks it (no serious or critical
violation) and a screenshot is saved to out/screenshots/ (not committed) for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hyposti.cli.service import read_serve_info

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "out" / "screenshots"
#: Desktop, then tablet (issue 11): axe runs at the last, the width pages are used at on a ward.
SCREEN_WIDTHS = (1280, 768)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HYPOSTI = str(Path(sys.executable).with_name("hyposti"))
#: Test users of the fresh trial (site SITE-A for the site-bound roles).
PASSWORD = "correct-horse-battery-7"
USERS = (
    ("admin", "administrator", "Alex Admin"),
    ("investigator", "investigator", "Dr Ivy Investigator"),
    ("coordinator", "research_coordinator", "Cory Coordinator"),
    ("monitor", "monitor", "Mo Monitor"),
    ("committee", "safety_committee", "Dr Sam Committee"),
    ("statistician", "statistician", "Stat Statistician"),
)
SITE = "SITE-A"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hyposti serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"hyposti serve did not answer at {url} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "HYPOSTI_DATA": str(data), "DATABASE_URL": ""}


@pytest.fixture(scope="module")
def trial_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh trial: users of every role, the study started (cohort 1 open at dose 1)."""
    data = tmp_path_factory.mktemp("hyposti-web-data")
    setup = f"""
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "hyposti.service.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from django.contrib.auth.models import User
from hyposti.service.models import Site
from hyposti.service.services.users import user_create
from hyposti.service.services.enrolment import study_start
Site.objects.create(code={SITE!r})
for username, role, name in {USERS!r}:
    site = {SITE!r} if role in ("investigator", "research_coordinator", "monitor") else None
    user_create(now=timezone.now(), username=username, password={PASSWORD!r}, role=role,
                printed_name=name, site_code=site)
study_start(user=User.objects.get(username="admin"), now=timezone.now())
"""
    subprocess.run([sys.executable, "-c", setup], env=_env(data), check=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [HYPOSTI, "serve", "--data", str(data), "--port", str(port), "--workers", "1"],
        env=_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`hyposti serve --demo --json`: the URL and the users with their printed passwords."""
    port = free_port()
    process = subprocess.Popen(
        [HYPOSTI, "serve", "--demo", "--json", "--port", str(port), "--workers", "1"],
        env={**os.environ, "DATABASE_URL": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        info = read_serve_info(process.stdout)
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, process)
        yield {**info, "url": url}
    finally:
        stop(process)
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Pages:
    """Visits pages in one browser context (one signed-in person): axe + a screenshot each."""

    def __init__(self, browser: Any, base: str, who: str) -> None:
        self.context = browser.new_context(viewport={"width": 768, "height": 1024})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base, self.who = base, who
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()

    def check(self, name: str) -> None:
        """axe-core on the page as it is now: fail on any serious or critical violation."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in SCREEN_WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 1024})
            path = SCREENSHOTS / f"{self.who}-{name}-{width}.png"
            self.page.screenshot(path=str(path), full_page=True)
        violations = self.axe.run(self.page).response["violations"]
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{self.who} {name}: " + "; ".join(bad)

    def visit(self, path: str, name: str) -> Any:
        response = self.page.goto(self.base + path.lstrip("/"))
        self.check(name)
        return response

    def login(self, username: str, password: str) -> None:
        self.page.goto(self.base + "login/")
        self.check("login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base)
        self.check("dashboard")

    def first_casebook(self, name: str) -> str:
        """Open the participant list, then the first participant's casebook: its subject id."""
        self.visit("participants/", f"participants-{name}")
        subject = self.page.locator("tbody tr td a").first.inner_text()
        self.visit(f"participants/{subject}/", name)
        return subject

    def close(self) -> None:
        self.context.close()


def demo_user(browser: Any, demo: dict[str, Any], username: str) -> Pages:
    """A demo trial user signed in with the password `serve --demo` printed."""
    password = {u["username"]: u["password"] for u in demo["demo_users"]}[username]
    pages = Pages(browser, demo["url"], username)
    pages.login(username, password)
    return pages
