"""Which database the service uses: SQLite in the data folder, or PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hyposti.errors import InputError

#: SQLite waits this long (s) for another writer instead of failing at once.
SQLITE_BUSY_TIMEOUT_S = 30
#: Database connections are reused for this long (s) by the worker that opened them: a new
#: PostgreSQL connection forks a server process, and a new SQLite connection parses the schema
#: and registers Django's SQL functions (about 5 ms, as much as the rest of a small write).
CONN_MAX_AGE_S = 60


def data_dir() -> Path:
    """The data folder: HYPOSTI_DATA, else ./hyposti-data (the SQLite file and the secret key)."""
    return Path(os.environ.get("HYPOSTI_DATA", "hyposti-data")).resolve()


def database_settings(url: str | None, folder: Path) -> dict[str, Any]:
    """Django's DATABASES['default'] for ``url`` (PostgreSQL) or SQLite in ``folder``.

    SQLite runs in WAL mode with every transaction opened as BEGIN IMMEDIATE, so writers queue
    on the database lock (up to the busy timeout) instead of failing mid-transaction; that makes
    the check-then-write of an enrolment serial, as select_for_update does on PostgreSQL.

    synchronous=FULL: a commit waits until the log is on disk. SQLite's documentation
    (https://www.sqlite.org/pragma.html#pragma_synchronous): with NORMAL in WAL mode "a
    transaction committed ... might roll back following a power loss or system crash". A system
    of record must not lose a save it acknowledged, so the service pays the disk wait (it caps
    SQLite near 100 saves per second on a shared disk, far above a trial's entry rate); a killed
    server loses nothing either way (tests/service/test_serve.py).
    """
    if url:
        import dj_database_url

        if not url.startswith(("postgres://", "postgresql://")):
            raise InputError("DATABASE_URL", url.split("@")[-1], "must be a postgresql:// URL")
        # Checked before reuse: the server may have closed it in between.
        config = dict(
            dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE_S, conn_health_checks=True)
        )
        config["TEST"] = {"NAME": f"test_{config['NAME']}"}
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(folder / "hyposti.sqlite3"),
        "CONN_MAX_AGE": CONN_MAX_AGE_S,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_S,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        },
        # A file, not Django's shared in-memory database: the concurrency tests need real locks.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"hyposti-test-{os.getpid()}.sqlite3")},
    }
