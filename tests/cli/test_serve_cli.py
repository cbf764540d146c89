"""`hyposti serve --json`: what it prints before gunicorn's log, and ``read_serve_info`` reading it
back (the one reader the tests and benchmarks that start a server use)."""

import io
import os
import subprocess
import sys

import pytest

from hyposti.cli.service import read_serve_info
from hyposti.errors import InputError

#: Written out by hand as `serve --data /srv/trial --port 8123 --json` prints it, with the first
#: lines of gunicorn's log after it on the same stream.
PRINTED = """{
  "database": "SQLite /srv/trial/hyposti.sqlite3",
  "data_dir": "/srv/trial",
  "url": "http://127.0.0.1:8123/api/",
  "openapi": "http://127.0.0.1:8123/api/openapi.json",
  "web": "http://127.0.0.1:8123/"
}
[2026-11-29 00:10:00 +0000] [4242] [INFO] Starting gunicorn 23.0.0
[2026-11-29 00:10:00 +0000] [4242] [INFO] Listening at: http://127.0.0.1:8123 (4242)
"""


def test_reads_the_object_and_leaves_gunicorns_log_unread():
    stream = io.StringIO(PRINTED)
    assert read_serve_info(stream) == {
        "database": "SQLite /srv/trial/hyposti.sqlite3",
        "data_dir": "/srv/trial",
        "url": "http://127.0.0.1:8123/api/",
        "openapi": "http://127.0.0.1:8123/api/openapi.json",
        "web": "http://127.0.0.1:8123/",
    }
    assert stream.read().startswith("[2026-11-29 00:10:00 +0000] [4242] [INFO] Starting")


def test_output_that_ends_inside_the_object_is_named():
    cut = PRINTED[: PRINTED.index('  "web"')]
    with pytest.raises(InputError, match=r"^hyposti serve --json output = .*ended before"):
        read_serve_info(io.StringIO(cut))


# The command itself, with gunicorn's exec replaced by one log line (the server is not started).
CHILD = """
import sys
import hyposti.cli.service as service
from hyposti.cli.main import run

service._exec_gunicorn = lambda host, port, workers: print("[INFO] Starting gunicorn")
sys.exit(run(sys.argv[1:]))
"""


def test_reads_back_what_the_command_prints(tmp_path):
    data = tmp_path / "data"
    drop = ("DATABASE_URL", "HYPOSTI_DATA", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, "serve", "--data", str(data), "--port", "8123", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    stream = io.StringIO(out.stdout)
    assert read_serve_info(stream) == {
        "database": f"SQLite {data / 'hyposti.sqlite3'}",
        "data_dir": str(data),
        "url": "http://127.0.0.1:8123/api/",
        "openapi": "http://127.0.0.1:8123/api/openapi.json",
        "web": "http://127.0.0.1:8123/",
    }
    assert stream.read() == "[INFO] Starting gunicorn\n"
