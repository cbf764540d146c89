"""Property: whatever it is given, every command ends in exit 0 or 2, never a traceback or a hang.

The commands are enumerated from the Typer app, so a new command is fuzzed without editing this
file. Each option gets values drawn by its type: numbers at and past every sane bound (0, -1,
1e308, nan, 10^12), dates far in the past and future, text with Rich markup, and paths that are
missing, folders, empty, random bytes, random JSON, or a shipped example with one value replaced.
Hypothesis runs derandomized (the same examples every run) with a bounded count and no shrinking,
so the file stays fast and a failure is reported as the first argv that broke the property.
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hyposti.cli.main import app, run
from tests.test_readme import tour_commands

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*") if p.is_file())
# Commands whose successful run simulates or analyses a whole trial: fewer examples keep the file
# under a minute; they are fuzzed all the same. The twin's commands run whole twin trials or
# thousands of twin patients (a default `twin calibrate` takes about 12 s alone).
SLOW = {"demo", "simulate-trial", "analyze", "report", "twin"}
# Commands of the trial operations service: Django is configured once per process and these write
# to its database, so each example runs in a child process with a fresh data folder of its own
# (never ./hyposti-data of the repository, never another test's database). `export sdtm|adam`
# read the database with --database.
SERVICE = {"serve", "createuser", "import", "audit", "export dataset", "export odm",
           "export sdtm", "export adam"}  # fmt: skip
# Bounds that catch a hang, not a slow machine: a whole demo (simulation, analysis, HTML and a
# PDF) takes about 10 s on the 2-core reference machine and several times that when it is shared.
SECONDS_PER_RUN = 30
SECONDS_PER_WHOLE_TRIAL_RUN = 240
MEMORY_HEADROOM = 3 * 2**30  # bytes of address space a run may add before MemoryError


def _commands() -> list[tuple[list[str], Any]]:
    found = []

    def walk(group: Any, prefix: list[str]) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, [*prefix, name])
            else:
                found.append(([*prefix, name], command))

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def _tour_lines() -> dict[str, list[list[str]]]:
    """The README tour's command lines by command: valid starting points to mutate."""
    lines: dict[str, list[list[str]]] = {}
    for command in tour_commands():
        argv = [str(ROOT / a) if a.startswith("examples/") else a for a in shlex.split(command)[1:]]
        for words, _ in COMMANDS:
            if argv[: len(words)] == words:
                lines.setdefault(" ".join(words), []).append(argv)
    return lines


TOUR = _tour_lines()


def _is_service(words: list[str]) -> bool:
    return words[0] in SERVICE or " ".join(words) in SERVICE


FAST = [c for c in COMMANDS if c[0][0] not in SLOW and not _is_service(c[0])]
HEAVY = [c for c in COMMANDS if c[0][0] in SLOW]
SERVICES = [c for c in COMMANDS if _is_service(c[0])]

INTS = st.one_of(
    st.sampled_from([0, 1, 2, 3, -1, -5, 30, 10**7, 10**12, 2**63]), st.integers(-50, 50)
)
FLOATS = st.one_of(
    st.sampled_from(["0", "-1", "nan", "inf", "-inf", "1e308", "-1e308", "5e-324", "39.2", "62"]),
    st.floats(-1e6, 1e6).map(repr),
)
WORDS = st.sampled_from(
    [
        "", " ", "-1", "0", "nan", "1e308", "9999-12-31", "0001-01-01", "2027-03-01",
        "2026-02-30", "[/x]", "[bold]", "1NNN 2NTN", "1NNN 3NNN", "0NNN", "4TTT", "1TTTTTTTTT",
        "0.05,0.15,0.3", "-0.1,2", "1e6,3e6,1e7", "-5", "182,365", "a,,b", "boin", "3+3", "crm",
        "registry-literal", "irecist", "recist11", "log", "plain", "csv", "parquet", "zero",
        "missing", "weeks", "relapse", "subject_id", "Cytokine release syndrome",
        "Platelet count decreased", "10^9/L", "mosteller", "fludarabine=30", "x=", "=",
        "low-flow", "unarousable", "prolonged-or-repetitive", "cushings-triad", "generalised",
    ]
)  # fmt: skip
TEXTS = st.one_of(WORDS, st.text(max_size=12))
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "9999-12-31", "0001-01-01", "2026-03-06", "x" * 10_000, -1, 1e308])
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    yield path


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = value.copy()
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


@st.composite
def mutated_example(draw: st.DrawFn) -> bytes:
    """A shipped JSON example with one value (or one whole sub-tree) replaced."""
    source = draw(st.sampled_from([p for p in EXAMPLES if p.suffix == ".json"]))
    record = json.loads(source.read_text(encoding="utf-8"))
    where = draw(st.sampled_from(list(_leaves(record))))
    return json.dumps(_replace(record, where, draw(JSON_VALUES))).encode()


@st.composite
def mutated_csv(draw: st.DrawFn) -> bytes:
    """A shipped CSV example with one cell replaced."""
    source = draw(st.sampled_from([p for p in EXAMPLES if p.suffix == ".csv"]))
    rows = [line.split(",") for line in source.read_text(encoding="utf-8").splitlines()]
    i = draw(st.integers(0, len(rows) - 1))
    j = draw(st.integers(0, len(rows[i]) - 1))
    rows[i][j] = draw(WORDS)
    return "\n".join(",".join(r) for r in rows).encode()


FILE_CONTENTS = st.one_of(
    st.binary(max_size=64),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    mutated_example(),
    mutated_csv(),
)
PATH_KINDS = st.sampled_from(
    ["missing", "folder", "empty", "content", "content", "content", "example", "dataset",
     "under_a_file", "new", "new.html", "new.pdf"]
)  # fmt: skip


@st.composite
def paths(draw: st.DrawFn, work: Path) -> str:
    """A path of one kind, made in a fresh folder under ``work``."""
    kind = draw(PATH_KINDS)
    here = Path(tempfile.mkdtemp(dir=work))
    if kind == "missing":
        return str(here / "absent" / "file.json")
    if kind == "folder":
        return str(here)
    if kind == "empty":
        (here / "empty.csv").touch()
        return str(here / "empty.csv")
    if kind == "content":
        (here / "input").write_bytes(draw(FILE_CONTENTS))
        return str(here / "input")
    if kind == "example":
        return str(draw(st.sampled_from(EXAMPLES)))
    if kind == "dataset":
        return str(work / "trial")
    if kind == "under_a_file":
        (here / "file").write_text("x", encoding="utf-8")
        return str(here / "file" / "x")
    return str(here / kind)


def _values(draw: st.DrawFn, param: Any, work: Path) -> list[str]:
    kind = param.bare_type()
    if kind == "int":
        return [str(draw(INTS))]
    if kind == "float":
        return [draw(FLOATS)]
    if kind == "Path":
        return [draw(paths(work))]
    if kind == "list[str]":
        return draw(st.lists(TEXTS, min_size=1, max_size=3))
    return [draw(st.one_of(TEXTS, paths(work)))]


def _as_words(param: Any, values: list[str]) -> list[str]:
    if getattr(param, "is_flag", False):
        return [param.opts[0]]
    if param.param_type_name == "argument":
        return values
    return [w for value in values for w in (param.opts[0], value)]


@st.composite
def argvs(draw: st.DrawFn, entry: tuple[list[str], Any], work: Path) -> list[str]:
    """A command line for one command.

    Half the time a README tour line for the command with one or two options given again with
    drawn values (the last occurrence wins), which reaches the engines behind the parsing; else
    every required parameter and some optional ones, all drawn.
    """
    words, command = entry
    tour = TOUR.get(" ".join(words))
    options = [p for p in command.params if p.param_type_name == "option"]
    if tour and options and draw(st.booleans()):
        argv = list(draw(st.sampled_from(tour)))
        for param in draw(st.lists(st.sampled_from(options), min_size=1, max_size=2)):
            argv += _as_words(param, _values(draw, param, work))
        return argv
    argv = list(words)
    for param in command.params:
        if param.required or draw(st.booleans()):
            argv += _as_words(param, _values(draw, param, work))
    return argv


class TooSlow(BaseException):
    """Raised by the alarm: a BaseException, so that no handler in the CLI can swallow it."""


@contextmanager
def bounded(seconds: int, headroom: int) -> Iterator[None]:
    """At most ``seconds`` of wall time and ``headroom`` more bytes of address space."""

    def alarm(signum: int, frame: Any) -> None:
        raise TooSlow(f"still running after {seconds} s")

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm", encoding="ascii") as statm:
        in_use = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + headroom, hard))
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    assert run(["data", "example", str(folder / "trial"), "--format", "csv"]) == 0
    return folder


def _check(argv: list[str], work: Path, capsys: pytest.CaptureFixture[str], seconds: int) -> None:
    cwd = os.getcwd()
    os.chdir(work)  # defaults such as report.html and hyposti-demo/ land here
    try:
        with bounded(seconds, MEMORY_HEADROOM):
            code = run(argv)
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    assert code in (0, 2), (argv, code, err[-2000:])
    assert "Traceback" not in out + err, (argv, err[-2000:])


COMMON = {
    "deadline": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@pytest.mark.parametrize("entry", FAST, ids=lambda e: " ".join(e[0]))
def test_fast_command_ends_in_0_or_2(entry, work, capsys):
    @settings(max_examples=25, **COMMON)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        _check(data.draw(argvs(entry, work), label="argv"), work, capsys, SECONDS_PER_RUN)

    check()


@pytest.mark.parametrize("entry", HEAVY, ids=lambda e: " ".join(e[0]))
def test_whole_trial_command_ends_in_0_or_2(entry, work, capsys):
    @settings(max_examples=4, **COMMON)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        argv = data.draw(argvs(entry, work), label="argv")
        _check(argv, work, capsys, SECONDS_PER_WHOLE_TRIAL_RUN)

    check()


# `serve` would exec gunicorn and run until killed: in the child the exec is replaced by a check
# that it is reached only with the options serve validates, and a marker instead of a server.
CHILD = """
import sys
import hyposti.cli.service as service
from hyposti.cli.main import run


def exec_gunicorn(host, port, workers):
    assert 1 <= port <= 65535 and workers >= 1, (port, workers)
    print("would serve", host, port, workers)


service._exec_gunicorn = exec_gunicorn
sys.exit(run(sys.argv[1:]))
"""


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: " ".join(e[0]))
def test_service_command_ends_in_0_or_2(entry, work, tmp_path):
    @settings(max_examples=8, **COMMON)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        argv = data.draw(argvs(entry, work), label="argv")
        folder = Path(tempfile.mkdtemp(dir=tmp_path))
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        }
        env |= {"HYPOSTI_DATA": str(folder / "hyposti-data"), "HYPOSTI_SECRET_KEY": "fuzz" * 12}
        # `serve --demo` builds a whole demo trial and its database before it would serve.
        seconds = SECONDS_PER_WHOLE_TRIAL_RUN if "--demo" in argv else SECONDS_PER_RUN
        try:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, *argv],
                cwd=folder,  # a relative --data lands here
                env=env,
                input="correct horse battery staple\n" * 2,  # createuser's password, twice
                capture_output=True,
                text=True,
                timeout=seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError((argv, f"still running after {seconds} s")) from exc
        assert out.returncode in (0, 2), (argv, out.returncode, out.stderr[-2000:])
        assert "Traceback" not in out.stdout + out.stderr, (argv, out.stderr[-2000:])

    check()
