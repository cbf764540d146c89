"""The compiled kernel (src/hyposti/design/_kernel.c) under AddressSanitizer and
UndefinedBehaviorSanitizer: built afresh with both (and with warnings as errors), it runs every
entry point over many designs, random states and refused inputs without one invalid read or write
or undefined operation, and gives exactly what the installed, optimised build gives.

The sanitizers (Serebryany et al. 2012, USENIX ATC; gcc's -fsanitize) are the independent judge
of memory safety here; agreement with the optimised build rules out results that depend on
undefined behaviour or on the optimiser.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

KERNEL = Path(__file__).resolve().parents[2] / "src" / "hyposti" / "design" / "_kernel.c"

#: Runs in a fresh interpreter with the sanitized build loaded as hyposti.design._kernel (when
#: given its path) or the installed one; prints a JSON digest of every result.
EXERCISE = r"""
import importlib.util, json, sys
if len(sys.argv) > 1:
    spec = importlib.util.spec_from_file_location("hyposti.design._kernel", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    sys.modules["hyposti.design._kernel"] = module
    spec.loader.exec_module(module)
import numpy as np
from hyposti.design import Boin, Crm, ThreePlusThree, dose_paths, exact_oc, simulate_oc
from hyposti.design import _kernel
from hyposti.design.isotonic import isotonic_increasing
from hyposti.errors import HypostiError
assert (_kernel.__file__ == sys.argv[1]) if len(sys.argv) > 1 else True
designs = [
    Boin(num_doses=5, target=0.3, max_n=30),
    Boin(num_doses=8, target=0.3, max_n=24),
    Boin(num_doses=4, target=0.25, max_n=20, cohort_size=2, n_earlystop=8, start_dose=2),
    Boin(num_doses=3, target=0.2, max_n=12, cohort_size=1),
    Boin(num_doses=2, target=0.3, max_n=129, cohort_size=43),
    ThreePlusThree.variant("conventional", 5),
    ThreePlusThree.variant("registry-literal", 3),
    Crm(num_doses=4, target=0.25, skeleton=(0.1, 0.2, 0.3, 0.45), max_n=12),
]
digest = {}
for i, design in enumerate(designs):
    tox = [0.05 + 0.5 * j / design.num_doses for j in range(design.num_doses)]
    oc = exact_oc(design, tox)
    digest[f"exact {i}"] = [*oc.prob_select.tolist(), oc.expected_n, oc.expected_dlt]
rng = np.random.default_rng(7)
boin = designs[0]
n = rng.integers(0, 13, size=(5000, 5))
y = np.minimum(rng.integers(0, 8, size=(5000, 5)), n)
current = rng.integers(1, 6, size=5000)
step = boin.step(n, y, current)
digest["step"] = [step.next_dose.tolist(), step.mtd.tolist(), step.code.tolist()]
first_out = boin.first_eliminated(n, y)
digest["select"] = boin.select_mtd(n, y, first_out).tolist()
values = rng.random((6, 3000))
weights = rng.random((6, 3000)) + 0.1
mask = rng.random((6, 3000)) < 0.8
fit = isotonic_increasing(values, weights, mask)
digest["isotonic"] = [np.nan_to_num(row, nan=-1.0).tolist() for row in fit]
sim = simulate_oc(boin, [0.05, 0.1, 0.2, 0.3, 0.45], trials=2000, seed=3)
digest["simulate"] = sim.prob_select.tolist()
paths = dose_paths(boin, 4, true_tox=[0.05, 0.1, 0.2, 0.3, 0.45])
digest["paths"] = [paths.num_nodes, paths.dose_distribution().tolist()]
refused = 0
for bad in (
    lambda: boin.step(n.astype(float), y, current),
    lambda: boin.step(n[:, :3], y, current),
    lambda: boin.step(n, y, current[:10]),
    lambda: boin.step(n, y, np.full(5000, 9)),
    lambda: boin.select_mtd(n, y, np.zeros(5000, dtype=np.int64)),
    lambda: boin.step(np.full((3, 5), 200), np.zeros((3, 5), dtype=np.int64), np.ones(3, int)),
):
    try:
        bad()
    except HypostiError:
        refused += 1
digest["refused"] = refused
print(json.dumps(digest))
"""


def _runtime(name: str) -> str | None:
    """The path gcc links for a sanitizer runtime, or None when it has none."""
    found = subprocess.run(
        ["gcc", f"-print-file-name={name}"], capture_output=True, text=True
    ).stdout.strip()
    return found if os.path.isabs(found) and Path(found).exists() else None


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", EXERCISE, *args], capture_output=True, text=True, env=env
    )


def test_kernel_is_clean_under_address_and_undefined_behaviour_sanitizers(tmp_path) -> None:
    asan, ubsan = _runtime("libasan.so"), _runtime("libubsan.so")
    if shutil.which("gcc") is None or asan is None or ubsan is None:
        pytest.skip("gcc with its AddressSanitizer and UBSan runtimes is not installed")
    built = tmp_path / f"_kernel{sysconfig.get_config_var('EXT_SUFFIX')}"
    compiled = subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-g", "-fno-omit-frame-pointer",
         "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
         "-ffp-contract=off", "-Wall", "-Wextra", "-Werror",
         f"-I{sysconfig.get_paths()['include']}", str(KERNEL), "-o", str(built)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert compiled.returncode == 0, compiled.stderr
    plain = os.environ | {"OPENBLAS_NUM_THREADS": "1"}
    # Python itself keeps memory to the end, so leak reports would be the interpreter's.
    sanitized = plain | {"LD_PRELOAD": f"{asan}:{ubsan}", "ASAN_OPTIONS": "detect_leaks=0"}
    checked = _run([str(built)], sanitized)
    assert checked.returncode == 0, checked.stderr[-4000:]
    assert "AddressSanitizer" not in checked.stderr and "runtime error" not in checked.stderr
    installed = _run([], plain)
    assert installed.returncode == 0, installed.stderr[-4000:]
    digest = json.loads(checked.stdout)
    assert digest == json.loads(installed.stdout)
    assert digest["refused"] == 6
