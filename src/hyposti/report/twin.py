"""Renders the in-silico twin's report: calibration against its targets, kinetics, the gated vs
conventional CAR at the protocol's doses and, given `hyposti twin run --json`'s output, whole
trials through the protocol's design (one self-contained HTML file, inline SVG)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hyposti.data.input_file import read_json
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.report import twin_figures
from hyposti.report.render import report_environment
from hyposti.twin.evidence import CURVE_DAYS
from hyposti.twin.kinetic_calibration import KineticTarget
from hyposti.twin.sweep import scenario_title


def _label(level: int, cells_per_kg: float) -> str:
    return f"DL{level} ({cells_per_kg:.0e}/kg)".replace("e+0", "e")


def dose_labels(protocol: Protocol) -> dict[int, str]:
    """'DL1 (1e6/kg)' per dose level, from the protocol file."""
    return {
        d.level: _label(d.level, d.cells_per_kg)
        for d in protocol.investigational_product.dose_levels
    }


#: What `hyposti twin run --json` prints and the whole-trials section reads, level by level.
RUN_KEYS = ("seed", "protocol", "dose_levels", "results")
RESULT_KEYS = ("scenario", "gated", "trials", "p_no_mtd", "p_no_mtd_se", "mean_patients", "doses")
DOSE_KEYS = ("dose_level", "p_select", "p_select_se", "mean_patients", "mean_patients_se")
#: Rates that are null at a dose no trial treated (or none followed to the landmark).
RATE_KEYS = tuple(k for key, _ in twin_figures.COMPARED for k in (key, f"{key}_se"))


def _object(name: str, path: Path, where: str, value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """``value`` as a JSON object holding ``keys``, or InputError naming the file and the key."""
    if not isinstance(value, dict):
        raise InputError(
            name,
            str(path),
            f"{where} must be a JSON object (the output of `hyposti twin run --json`)",
        )
    for key in keys:
        if key not in value:
            raise InputError(
                name,
                str(path),
                f"{where} has no key {key!r}: not the output of `hyposti twin run --json`",
            )
    return value


def _number(name: str, path: Path, where: str, value: Any, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, str(path), f"{where} = {value!r} must be a number")


def read_twin_run(name: str, path: Path) -> dict[str, Any]:
    """The JSON `hyposti twin run --json` printed, read from ``path`` and checked key by key:
    InputError (naming ``name``, the file and the missing or wrong key) for anything else."""
    run = _object(name, path, "the file", read_json(name, path), RUN_KEYS)
    for i, d in enumerate(run["dose_levels"] if isinstance(run["dose_levels"], list) else [None]):
        _object(name, path, f"dose_levels[{i}]", d, ("level", "cells_per_kg"))
        _number(name, path, f"dose_levels[{i}].level", d["level"])
        _number(name, path, f"dose_levels[{i}].cells_per_kg", d["cells_per_kg"])
    results = run["results"]
    if not isinstance(results, list) or not results:
        raise InputError(name, str(path), "results must be a non-empty list of scenarios")
    levels = {d["level"] for d in run["dose_levels"]}
    for i, r in enumerate(results):
        _object(name, path, f"results[{i}]", r, RESULT_KEYS)
        if not isinstance(r["scenario"], str) or not isinstance(r["gated"], bool):
            raise InputError(
                name,
                str(path),
                f"results[{i}] needs a scenario name (text) and gated (true or false)",
            )
        for key in RESULT_KEYS[2:-1]:
            _number(name, path, f"results[{i}].{key}", r[key])
        if not isinstance(r["doses"], list) or not r["doses"]:
            raise InputError(name, str(path), f"results[{i}].doses must be a non-empty list")
        for j, d in enumerate(r["doses"]):
            where = f"results[{i}].doses[{j}]"
            _object(name, path, where, d, DOSE_KEYS + RATE_KEYS)
            for key in DOSE_KEYS:
                _number(name, path, f"{where}.{key}", d[key])
            if d["dose_level"] not in levels:
                raise InputError(
                    name,
                    str(path),
                    f"{where}.dose_level = {d['dose_level']!r} is not in dose_levels",
                )
            for key in RATE_KEYS:
                _number(name, path, f"{where}.{key}", d[key], nullable=True)
    return run


def render_twin_html(
    evidence: dict[str, Any],
    protocol: Protocol,
    generated_on: dt.date | None = None,
    trials: dict[str, Any] | None = None,
) -> str:
    """The twin report as one HTML string from ``TwinEvidence.to_dict()``; with ``trials`` (what
    ``read_twin_run`` returns) a section on whole trials through the protocol's design."""
    env = report_environment()
    labels = dose_labels(protocol)
    rows = twin_figures.calibration_rows(evidence)
    typical = KineticTarget().typical_patient().concentration(CURVE_DAYS)[0]
    fig = {
        "calibration": twin_figures.calibration_figure(rows),
        "kinetics": twin_figures.kinetics_curves_figure(evidence["curves"], typical),
        "comparison": twin_figures.comparison_figure(evidence["comparison"], labels),
    }
    run_labels: dict[int, str] = {}
    if trials is not None:
        run_labels = {
            d["level"]: _label(d["level"], d["cells_per_kg"]) for d in trials["dose_levels"]
        }
        fig["trials"] = twin_figures.trials_figure(trials["results"], run_labels)
    return env.get_template("twin.html.j2").render(
        e=evidence,
        study_id=protocol.identifiers.nct_id,
        generated_on=generated_on,
        calibration=rows,
        dose_labels=labels,
        run=trials,
        run_labels=run_labels,
        scenario_colours=[] if trials is None else twin_figures.scenario_colours(trials["results"]),
        scenario_title=scenario_title,
        fig=fig,
    )


def write_twin_report(
    evidence: dict[str, Any],
    protocol: Protocol,
    output: str | Path,
    generated_on: dt.date | None = None,
    trials: dict[str, Any] | None = None,
) -> Path:
    """Write the twin report to ``output``."""
    path = Path(output)
    path.write_text(render_twin_html(evidence, protocol, generated_on, trials), encoding="utf-8")
    return path
