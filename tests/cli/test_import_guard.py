"""Start-up guard without timing: the CLI module loads no heavy library until a command needs it.

Each check runs in a fresh interpreter, since this test process has long since imported them.
"""

import json
import subprocess
import sys
from importlib.metadata import version

import pytest

from hyposti.cli.main import run

HEAVY = ("matplotlib", "scipy", "pandas", "lifelines", "weasyprint")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library():
    modules = _loaded_after("import hyposti.cli.main")
    assert [m for m in HEAVY if m in modules] == []


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        # Help is the command table in plain text: no record model, no Rich help renderer.
        (["--help"], ("pydantic", "numpy", "yaml", "typer.rich_utils", "rich.markdown")),
        # The exact interval is pure Python (analysis.beta_quantile): no numpy, no scipy.
        (["orr", "2", "30"], ("scipy", "numpy", "pandas", "lifelines", "matplotlib")),
        # A 3+3 decision is counting: no scipy at all.
        (["design", "decide", "--outcomes", "1NNN 2NTN"], ("scipy", "pandas", "matplotlib")),
        # A CRS grade is a rule table: not even numpy or the protocol model.
        (["grade", "crs", "--temperature-c", "39"], ("numpy", "yaml", "hyposti.protocol.model")),
    ],
)
def test_everyday_commands_load_only_what_they_use(argv, absent):
    code = f"from hyposti.cli.main import run\nassert run({argv!r}) == 0"
    modules = _loaded_after(code)
    assert [m for m in absent if m in modules] == []


def test_version_prints_the_installed_package_version(capsys):
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"hyposti {version('hyposti')}"
