"""`export sdtm|adam --database` reads the operations service's database and writes the same
package as the dataset folder the database was loaded from (the service's import/export round
trip is identical, tests/service/test_dataset_round_trip.py). Each command runs as its own process,
as a user runs it, so that Django is configured for its own data folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyreadstat
import pytest

HYPOSTI = str(Path(sys.executable).with_name("hyposti"))


def _run(*args: str, data: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HYPOSTI_DATA")}
    return subprocess.run([HYPOSTI, *args], capture_output=True, text=True, env=env,
                          cwd=data.parent, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("from_db")
    data, example = root / "data", root / "example"
    assert _run("data", "example", str(example), data=data).returncode == 0
    done = _run("import", str(example), "--data", str(data), data=data)
    assert done.returncode == 0, done.stderr
    return root, data, example


@pytest.mark.parametrize("which", ["sdtm", "adam"])
def test_the_database_gives_the_package_its_dataset_folder_gives(loaded, which):
    root, data, example = loaded
    from_db, from_folder = root / f"{which}_db", root / f"{which}_folder"
    db = _run("export", which, "--database", "--data", str(data), "-o", str(from_db), "--json",
              data=data)  # fmt: skip
    assert db.returncode == 0, db.stderr
    folder = _run("export", which, str(example), "-o", str(from_folder), "--json", data=data)
    assert folder.returncode == 0, folder.stderr
    names = sorted(p.name for p in from_folder.glob("*.xpt"))
    assert names and names == sorted(p.name for p in from_db.glob("*.xpt"))
    for name in names:
        a, _ = pyreadstat.read_xport(from_db / name)
        b, _ = pyreadstat.read_xport(from_folder / name)
        assert a.equals(b), name
    written = json.loads(db.stdout)
    assert {d["file"] for d in written["datasets"]} == set(names)


def test_a_folder_and_database_together_or_neither_is_refused(loaded):
    root, data, example = loaded
    both = _run("export", "sdtm", str(example), "--database", "-o", str(root / "x"), data=data)
    neither = _run("export", "adam", "-o", str(root / "y"), data=data)
    assert (both.returncode, neither.returncode) == (2, 2)
    assert "DIRECTORY" in both.stderr and "not both" in both.stderr
    assert "--database to read the operations service" in neither.stderr
    assert "Traceback" not in both.stderr + neither.stderr
