"""Every command in the README's tour runs as written (bracketed options left out)."""

import re
import shlex
from pathlib import Path

from hyposti.cli.main import run

README = Path(__file__).resolve().parents[1] / "README.md"


def tour_commands() -> list[str]:
    tour = README.read_text(encoding="utf-8").split("## A tour of the command line", 1)[1]
    tour = tour.split("\n## ", 1)[0]
    commands = re.findall(r"`(hyposti [^`]+)`", tour)
    return [re.sub(r"\s*\[[^\]]*\]", "", c) for c in commands if "FILE" not in c]


def test_the_tour_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(README.parent)
    commands = tour_commands()
    assert len(commands) >= 18
    for command in commands:
        argv = [
            str(tmp_path / arg) if arg in ("trial/", "report.html") else arg
            for arg in shlex.split(command)[1:]
        ]
        assert run(argv) == 0, command
        assert capsys.readouterr().out.strip(), command
