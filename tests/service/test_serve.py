"""`hyposti serve` as a real gunicorn process on SQLite: the data folder is created and migrated
(WAL mode), and a SIGKILL in the middle of writes loses no acknowledged record, leaves no record
without its audit entry, and `hyposti audit verify` passes afterwards.

These tests start their own server on a fresh SQLite data folder whatever DATABASE_URL says.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hyposti.cli.service import read_serve_info
from tests.service.conftest import PASSWORD

HYPOSTI = [str(Path(sys.executable).with_name("hyposti"))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HYPOSTI_SECRET_KEY")}
    return env | {"HYPOSTI_DATA": str(data)}


def _cli(data: Path, *args: str, stdin: str = "") -> dict:
    out = subprocess.run(
        [*HYPOSTI, *args, "--data", str(data), "--json"],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(data),
        timeout=120,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def _request(url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


@pytest.fixture
def server(tmp_path: Path):
    """A running `hyposti serve` on a fresh data folder; yields (base URL, data folder, process)."""
    data, port, log = tmp_path / "data", _free_port(), tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([*HYPOSTI, "serve", "--data", str(data), "--port", str(port),
                                 "--json"], stdout=out, stderr=subprocess.STDOUT,
                                env=_env(data) | {"HOME": str(tmp_path / "home")},
                                start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/openapi.json", timeout=2)
                break
            except OSError:  # refused, reset or timed out while gunicorn boots
                time.sleep(0.3)
        else:
            pytest.fail("serve did not answer within 120 s")
        with log.open() as printed:
            info = read_serve_info(printed)
        yield base, data, info, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)


def test_serve_creates_and_migrates_the_data_folder_in_wal_mode(server) -> None:
    base, data, info, _ = server
    assert info["database"] == f"SQLite {data / 'hyposti.sqlite3'}"
    with sqlite3.connect(data / "hyposti.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    status, schema = _request(f"{base}/openapi.json")
    assert status == 200 and "/api/cohorts" in schema["paths"]


@pytest.mark.django_db
def test_sqlite_commits_wait_for_the_disk() -> None:
    """synchronous is set per connection: the service's own connections commit with FULL (2),
    so an acknowledged save survives a power cut as well as a killed process (SQLite pragma
    documentation); NORMAL (1) in WAL mode may roll the last commits back."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2


def test_serve_opens_no_control_socket_shared_by_every_server(server, tmp_path) -> None:
    """gunicorn's control socket would sit at one path in the user's home for every server
    (~/.gunicorn/gunicorn.ctl), so a second `serve` took it over: serve opens none."""
    *_, proc = server
    assert proc.poll() is None
    assert not (tmp_path / "home" / ".gunicorn").exists()


def test_sigkill_mid_writes_loses_no_committed_record(server) -> None:
    base, data, _, proc = server
    _cli(data, "createuser", "crc", "--role", "research_coordinator", "--site", "S1",
         "--name", "A Coordinator", "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    status, body = _request(f"{base}/auth/token", {"username": "crc", "password": PASSWORD})
    assert status == 200
    token, acknowledged, stop = body["token"], [], threading.Event()

    def writer(k: int) -> None:
        for i in range(10_000):
            if stop.is_set():
                return
            sid = f"K{k}-{i:05d}"
            try:
                code, _ = _request(
                    f"{base}/participants",
                    {"subject_id": sid, "site_code": "S1", "sex": "F", "age_years": 50},
                    token,
                )
            except (OSError, http.client.HTTPException):  # killed mid-answer: not acknowledged
                return
            if code == 201:
                acknowledged.append(sid)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    while len(acknowledged) < 40:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # gunicorn's master and workers, mid-request
    proc.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=30)

    with sqlite3.connect(data / "hyposti.sqlite3") as db:
        stored = {r[0] for r in db.execute("SELECT subject_id FROM service_participant")}
        audited = {r[0] for r in db.execute(
            "SELECT p.subject_id FROM service_participant p JOIN service_auditentry a "
            "ON a.model = 'participant' AND a.object_id = CAST(p.id AS TEXT) "
            "AND a.action = 'create'")}  # fmt: skip
    assert set(acknowledged) <= stored
    assert stored == audited  # no record committed without its audit entry
    verdict = _cli(data, "audit", "verify")
    assert verdict["intact"], verdict
