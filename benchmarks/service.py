"""Saving an adverse event through the API under load: requests per second and p50 / p95 latency
with 20 concurrent clients against a real `hyposti serve` (gunicorn) process, on SQLite and on
PostgreSQL.

Each backend gets a fresh demo trial (`hyposti serve --demo`); the clients are threads in this
process, each with its own connection (reopened when the server closes it after a response). Three
loads run against the same server:
- ``ae_*``, the goal's load (issue 10: p95 <= 50 ms on a 2-core machine): grade-1 AEs posted
  round-robin over the investigator site's treated participants, each client posting as soon as its
  last save was answered. With 20 clients always waiting, p50 is near 20 / throughput, so the goal
  needs about 400 saves/s.
- ``floor_*``: the same clients without pause on the cheapest signed-in request, GET
  /api/permissions (token check, one small query, a constant 5 KB answer): what gunicorn, Django,
  django-ninja and the token cost before a save does anything, so the most this stack serves.
- ``ae_paced_*``: a third as many AE saves, each client pausing a random time (exponential, mean
  ``--think`` seconds, seeded) before each save, as independent users would: the latency a user
  sees when 20 people enter data at once, still far above a trial's real pace.

The clients share the machine with the server, so the figures include their cost; to keep it small
they are real HTTP/1.1 requests over TCP but built once and written to a plain socket, the answer
read by its status line and Content-Length, instead of through http.client, which parses every
header with the email package (0.3 instead of 0.5 ms of client CPU per save, measured under load).
Run:
    python benchmarks/service.py [--json] [--requests 600] [--clients 20] [--think 0.5]
PostgreSQL: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) names the server;
the benchmark creates and drops its own database there. ``*_server_cpu_ms`` is the CPU time
the gunicorn processes spent per request (PostgreSQL's own processes not included) and
``*_client_cpu_ms`` this process's (the clients and the access-log reader): on a loaded
machine they show the cost where the latencies show mostly the wait for a core.

A save is 8 statements besides BEGIN and COMMIT: the token with its user and profile; the
participant (locked) with enrolment, cohort and disposition; its AE ids (the next number);
the AE and its history row; the audit chain's head, entry and head update. On SQLite all of it
but the token runs under the one write lock (BEGIN IMMEDIATE), so the save's transaction time
bounds SQLite's throughput whatever the number of cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from hyposti.cli.service import read_serve_info

HYPOSTI = str(Path(sys.executable).with_name("hyposti"))
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "hyposti_bench_service"
TREATED = ("dlt_window", "follow_up", "infused")
#: Requests before the timed ones (connections, worker imports, query plans).
WARM_UP = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(
    conn: http.client.HTTPConnection, method: str, path: str, body: Any = None, token: str = ""
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, None if body is None else json.dumps(body), headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")


def _post(port: int, path: str, body: Any, token: str) -> bytes:
    """The bytes of a JSON POST with a bearer token (built once: the timed clients resend them)."""
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def _answer(sock: socket.socket) -> tuple[int, bytes, bool]:
    """Read one HTTP/1.1 response: status, body, and whether the server keeps the connection
    open. The body's length comes from Content-Length (Django sets it, CommonMiddleware), else
    the server closes the connection after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection before answering")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = dict(line.split(b":", 1) for line in lines[1:])
    fields = {k.strip().lower(): v.strip().lower() for k, v in headers.items()}
    keep = fields.get(b"connection") != b"close"
    if b"content-length" in fields:
        length = int(fields[b"content-length"])
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection mid-answer")
            body += chunk
        return status, body, keep
    while chunk := sock.recv(65536):
        body += chunk
    return status, body, False


def _start(env: dict[str, str], port: int, workers: int) -> tuple[subprocess.Popen[str], dict]:
    server = subprocess.Popen(
        [HYPOSTI, "serve", "--demo", "--port", str(port), "--workers", str(workers), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    info = read_serve_info(server.stdout)
    # Drain the access log, or gunicorn blocks once the pipe is full.
    threading.Thread(target=server.stdout.read, daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/openapi.json")
            if conn.getresponse().status == 200:
                return server, info
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("hyposti serve did not answer within 120 s")


def _server_cpu_s(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers, from
    /proc (Linux): a figure the other processes on a loaded machine do not inflate."""
    pids = [master]
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def ae_entry(today: str) -> dict[str, Any]:
    """The grade-1 AE every benchmark save posts (service_cost.py posts it too)."""
    return {
        "onset_date": today,
        "serious": False,
        "term": "Nausea",
        "grade": 1,
        "attribution": {
            "car_t": "unlikely",
            "nab_paclitaxel": "possible",
            "cyclophosphamide": "unlikely",
        },
    }


def measure(
    env: dict[str, str], requests: int, clients: int, workers: int, think_s: float
) -> dict[str, float]:
    """Start a demo server, log the coordinator in, and time three loads from ``clients``
    threads: ``requests`` AE saves without pause (``ae_*``, the goal's load), as many of the
    cheapest signed-in request without pause (``floor_*``), and a third as many AE saves with
    ``think_s`` seconds between a client's answer and its next save (``ae_paced_*``)."""
    port = _free_port()
    server, info = _start(env, port, workers)
    try:
        password = next(
            u["password"] for u in info["demo_users"] if u["role"] == "research_coordinator"
        )
        username = next(
            u["username"] for u in info["demo_users"] if u["role"] == "research_coordinator"
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, body = _call(
            conn, "POST", "/api/auth/token", {"username": username, "password": password}
        )
        if status != 200:
            raise RuntimeError(f"login: HTTP {status} {body}")
        token = body["token"]
        _, rows = _call(conn, "GET", "/api/participants", token=token)
        subjects = [r["subject_id"] for r in rows if r["state"] in TREATED]
        if not subjects:
            raise RuntimeError(
                "the demo trial has no treated participant at the coordinator's site"
            )
        today = time.strftime("%Y-%m-%d", time.gmtime())
        saves = [
            _post(port, f"/api/participants/{sid}/adverse-events", ae_entry(today), token)
            for sid in subjects
        ]
        # The permission matrix: token check, one small query, a constant answer (5 KB).
        floor = [
            f"GET /api/permissions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        ]
        figures: dict[str, float] = {}
        for name, sent, total, expected, think in (
            ("ae", saves, requests, 201, 0.0),
            ("floor", floor, requests, 200, 0.0),
            ("ae_paced", saves, max(requests // 3, clients), 201, think_s),
        ):
            figures |= {
                f"{name}_{key}": value
                for key, value in _load(
                    port, server.pid, sent, total, clients, expected, think
                ).items()
            }
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def _load(
    port: int,
    server_pid: int,
    sent: list[bytes],
    requests: int,
    clients: int,
    expected: int,
    think_s: float,
) -> dict[str, float]:
    """Send ``requests`` of the prebuilt requests round-robin from ``clients`` threads (after a
    warm-up), each client pausing a random time of mean ``think_s`` before each; latency is per
    request, requests per second over the whole timed run (pauses included)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(index: int, count: int, timed: bool) -> None:
        sock: socket.socket | None = None
        # Exponential pauses (seeded per client) so that paced clients arrive as independent
        # users would, not in bursts of all of them at once.
        pauses = random.Random(index)
        for i in range(count):
            if think_s:
                time.sleep(pauses.expovariate(1 / think_s))
            request = sent[(index + i * clients) % len(sent)]
            start = time.perf_counter()
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            sock.sendall(request)
            status, answer, open_ = _answer(sock)
            took = time.perf_counter() - start
            if not open_:
                sock.close()
                sock = None
            with lock:
                if status != expected:
                    errors.append(f"HTTP {status} {answer[:300].decode(errors='replace')}")
                elif timed:
                    latencies.append(took)
        if sock is not None:
            sock.close()

    def run(total: int, timed: bool) -> float:
        per = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
        threads = [threading.Thread(target=client, args=(i, n, timed)) for i, n in enumerate(per)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - start

    run(WARM_UP, timed=False)
    cpu, client_cpu = _server_cpu_s(server_pid), time.process_time()
    elapsed = run(requests, timed=True)
    cpu, client_cpu = _server_cpu_s(server_pid) - cpu, time.process_time() - client_cpu
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[0]}")
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * cuts[94], 1),
        "server_cpu_ms": round(1000 * cpu / len(latencies), 1),
        "client_cpu_ms": round(1000 * client_cpu / len(latencies), 1),
    }


def _postgres(url: str, action: str) -> None:
    """Create or drop the benchmark's own database on the server DATABASE_URL names."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        if action == "create":
            conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="Print JSON only.")
    parser.add_argument("--requests", type=int, default=600, help="Timed AE saves per backend.")
    parser.add_argument("--clients", type=int, default=20, help="Concurrent clients.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--think", type=float, default=0.5, help="Seconds between a paced client's saves."
    )
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HYPOSTI_DATA")}
    results: dict[str, Any] = {
        "clients": args.clients,
        "requests": args.requests,
        "workers": args.workers,
        "think_s": args.think,
    }
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as data:
            figures = measure(
                base | {"HYPOSTI_DATA": data}, args.requests, args.clients, args.workers, args.think
            )
        results |= {f"sqlite_{k}": v for k, v in figures.items()}
    if args.backend in ("postgresql", "both"):
        server_url = os.environ.get("DATABASE_URL") or PG_DEFAULT
        bench_url = server_url.rsplit("/", 1)[0] + f"/{PG_BENCH_DB}"
        _postgres(server_url, "create")
        try:
            with tempfile.TemporaryDirectory() as data:
                env = base | {"HYPOSTI_DATA": data, "DATABASE_URL": bench_url}
                figures = measure(env, args.requests, args.clients, args.workers, args.think)
            results |= {f"postgresql_{k}": v for k, v in figures.items()}
        finally:
            _postgres(server_url, "drop")
    if args.json:
        print(json.dumps(results))
        return
    for key, value in results.items():
        print(f"{key:<24} {value}")


if __name__ == "__main__":
    main()
