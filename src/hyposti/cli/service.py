"""`hyposti serve | createuser | import | audit verify | export dataset|odm`: run, load and
export the trial operations service.

Django is imported inside each command (the CLI starts without it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.inputs import parse_date
from hyposti.cli.output import emit, error_console
from hyposti.errors import InputError

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="Data folder (SQLite file, secret key); default ./hyposti-data."),
]
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)


def open_database(data: Path | None) -> str:
    """Configure Django for ``data``, migrate the database, and say where the data live (every
    command that reads or writes the operations service's database starts here)."""
    if data is not None:
        os.environ["HYPOSTI_DATA"] = str(data.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyposti.service.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def serve_command(
    data: DataOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="gunicorn worker processes.")] = 2,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Fresh database in a temporary folder with a demo trial in progress and one "
            "user per role (passwords printed).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Serve the trial operations service with gunicorn (migrating the database first)."""
    if not 1 <= port <= 65535:
        raise InputError("--port", port, "must be a TCP port 1-65535")
    if workers < 1:
        raise InputError("--workers", workers, "needs at least one worker")
    if demo:
        import tempfile

        data = Path(tempfile.mkdtemp(prefix="hyposti-demo-"))
    where = open_database(data)
    from django.conf import settings

    loaded: dict[str, Any] = {}
    if demo:
        from django.utils import timezone

        from hyposti.web.demo import load_demo

        loaded = load_demo(timezone.now())
    info = {
        "database": where,
        "data_dir": str(settings.DATA_DIR),
        "url": f"http://{host}:{port}/api/",
        "openapi": f"http://{host}:{port}/api/openapi.json",
        "web": f"http://{host}:{port}/",
        **({"demo_users": loaded["users"]} if demo else {}),
    }

    def render(c: Console) -> None:
        c.print(f"data: {where}\nserving {info['web']} (API {info['url']}) with gunicorn")
        for u in loaded.get("users", []):
            c.print(f"  {u['role']:<22} user {u['username']:<14} password {u['password']}")

    emit(info, as_json, render)
    _exec_gunicorn(host, port, workers)


def read_serve_info(stream: IO[str]) -> dict[str, Any]:
    """What `serve --json` printed, read back from its output (tests and benchmarks start servers).

    The command prints one JSON object, indented over several lines by ``emit``, and then
    gunicorn's log follows on the same stream. The stream is read a line at a time up to the
    object's last line and no further, so the log is left to the caller (a pipe must then be
    drained, or gunicorn blocks once it is full).
    """
    text = ""
    while line := stream.readline():
        text += line
        try:
            info: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError:
            continue  # the object is not closed yet
        return info
    raise InputError("hyposti serve --json output", text, "ended before its JSON object did")


#: Request threads per gunicorn worker: a thread waiting for the database (another writer's
#: lock, PostgreSQL's answer) leaves the worker's core to the other.
THREADS_PER_WORKER = 2


def _exec_gunicorn(host: str, port: int, workers: int) -> None:
    """Replace this process by gunicorn serving the service (never returns).

    Threaded workers; each connection is closed after its response (keep-alive 0), because a
    kept-alive connection stays with the worker that accepted it: with clients that reuse
    their connections, one worker served 95% of the requests while the other idled. No control
    socket: gunicorn (>= 25) opens one at the same path in the user's home for every server, so
    a second `serve` took it over and `gunicornc` would have stopped the wrong trial's server.
    """
    sys.stdout.flush()
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hyposti.service.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS_PER_WORKER),
            "--keep-alive",
            "0",
            "--no-control-socket",
            "--access-logfile",
            "-",
        ],
    )


def createuser_command(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="administrator, investigator, ...")],
    name: Annotated[str, typer.Option("--name", help="Printed name shown on signatures.")],
    site: Annotated[
        str | None, typer.Option("--site", help="Site code (site-bound roles).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user with one role; the password is asked for (never an argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    open_database(data)
    from django.utils import timezone

    from hyposti.service.services.users import user_create

    user = user_create(
        now=timezone.now(),
        username=username,
        password=password,
        role=role,
        printed_name=name,
        site_code=site,
        created_by="cli",
    )
    result = {"username": user.username, "role": role, "site": site}
    emit(result, as_json, lambda c: c.print(f"created {username} ({role})"))


def import_command(
    directory: Annotated[Path, typer.Argument(help="Folder of the dataset's table files.")],
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load a trial dataset into a fresh database (audited as an import)."""
    from hyposti.data import read_dataset
    from hyposti.service.trial_protocol import trial_protocol

    dataset = read_dataset(directory, trial_protocol().product_ids)
    where = open_database(data)
    from django.utils import timezone

    from hyposti.service.dataset_io import import_dataset

    counts = import_dataset(dataset, username="import", now=timezone.now())
    result: dict[str, Any] = {"database": where, "records": counts}
    emit(
        result,
        as_json,
        lambda c: c.print(
            f"imported into {where}: " + ", ".join(f"{v} {k}" for k, v in counts.items())
        ),
    )


def export_dataset_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the dataset into.")],
    data: DataOption = None,
    cutoff: Annotated[
        str | None, typer.Option("--cutoff", help="Data cut-off date (default: the stored one).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    as_json: JsonOption = False,
) -> None:
    """Write the trial dataset from the database, as `hyposti analyze` and `report` read it."""
    cut = parse_date("--cutoff", cutoff) if cutoff else None
    if fmt not in ("parquet", "csv"):
        raise InputError("--format", fmt, "must be parquet or csv")
    where = open_database(data)
    from hyposti.data import write_dataset
    from hyposti.service.dataset_io import export_dataset

    ds = export_dataset(data_cutoff=cut)
    folder = write_dataset(ds, out_dir, fmt)  # type: ignore[arg-type]
    result = {
        "database": where,
        "directory": str(folder),
        "rows": {k: len(v) for k, v in ds.tables().items()},
    }
    emit(result, as_json, lambda c: c.print(f"wrote the dataset from {where} to {folder}"))


def export_odm_command(
    file: Annotated[Path, typer.Argument(help="The ODM 1.3.2 XML file to write.")],
    data: DataOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    as_json: JsonOption = False,
) -> None:
    """CDISC ODM 1.3.2 of the database: metadata, clinical data, audit trail, signatures, users
    and sites; checked against the ODM 1.3.2 schema before it is kept."""
    from hyposti.cli.paths import output_file, staged_file

    output_file("FILE", file, force)
    where = open_database(data)
    from django.utils import timezone

    from hyposti.service.odm_source import odm_content
    from hyposti.standards.odm import write_odm
    from hyposti.standards.xml_schema import schema_problems

    content = odm_content(now=timezone.now())
    with staged_file("FILE", file) as staged:
        write_odm(content, staged)
        schema, problems = schema_problems(staged)
        if problems:
            first = problems[0]
            raise InputError("FILE", str(file), f"breaks the {schema} schema at line "
                             f"{first.line}: {first.message}")  # fmt: skip
    result = {
        "database": where,
        "file": str(file),
        "schema": schema,
        "subjects": len(content.subjects),
        "records": len(content.records),
        "audit_records": len(content.audits),
        "signatures": len(content.signatures),
    }
    emit(result, as_json, lambda c: c.print(
        f"wrote {file} from {where}: {len(content.subjects)} subjects, {len(content.records)} "
        f"records, {len(content.audits)} audit records, {len(content.signatures)} signatures "
        f"(valid against the {schema} schema)"))  # fmt: skip


@audit_app.command("verify")
def audit_verify_command(data: DataOption = None, as_json: JsonOption = False) -> None:
    """Check the audit chain; exits 1 naming the first broken link."""
    where = open_database(data)
    from hyposti.service.audit import audit_verify

    verdict = audit_verify()
    result = {"database": where, **verdict.to_dict()}

    def render(console: Console) -> None:
        colour = "green" if verdict.intact else "red"
        console.print(f"[{colour}]{verdict.problem}[/] ({where})")

    emit(result, as_json, render)
    if not verdict.intact:
        if not as_json:
            error_console.print(f"audit chain broken at entry {verdict.first_broken_seq}")
        raise typer.Exit(1)
