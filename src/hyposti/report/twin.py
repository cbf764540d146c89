"""Renders the in-silico twin's report: calibration against its targets, kinetics, the gated vs
conventional CAR at the protocol's doses and, given `hyposti twin run --json`'s output, whole
trials through the protocol's design (one self-contained HTML file, inline SVG)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from hyposti.data.input_file import read_json
from hyposti.errors import InputError, shown
from hyposti.protocol import Protocol
from hyposti.report import twin_figures
from hyposti.report.render import report_environment
from hyposti.twin.evidence import CURVE_DAYS
from hyposti.twin.kinetic_calibration import KineticTarget
from hyposti.twin.operating import EXPANSION_RULES
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
#: Rates per dose, null (with their SE) at a dose no trial treated (or none followed to 6 months).
RATES = tuple(key for key, _ in twin_figures.COMPARED)
RATE_KEYS = tuple(k for key in RATES for k in (key, f"{key}_se"))
#: A scenario run with --expansion-rules: P(enrolment stopped early) and P(each rule fired).
EXPANSION_KEYS = ("p_stopped", "p_stopped_se", "rules")
EXPANSION_RULE_LABELS = (
    ("toxicity_monitoring", "Toxicity monitoring (Thall, Simon & Estey 1995)"),
    ("simon_futility", "Simon's stage-1 futility (Simon 1989)"),
)


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


def _number(name: str, path: Path, where: str, value: Any, low: float, high: float) -> None:
    """``value`` a number from ``low`` to ``high``, or InputError naming the file and the key."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        bounds = f">= {low:g}" if high == math.inf else f"from {low:g} to {high:g}"
        raise InputError(name, str(path), f"{where} = {shown(value)} must be a number {bounds}")


def _share(name: str, path: Path, where: str, d: dict[str, Any], key: str) -> None:
    """A proportion and its SE: both numbers from 0 to 1 or, for a rate at a dose no trial
    treated, both null."""
    if d[key] is None and d[f"{key}_se"] is None and key in RATES:
        return
    _number(name, path, f"{where}.{key}", d[key], 0, 1)
    _number(name, path, f"{where}.{key}_se", d[f"{key}_se"], 0, 1)


def read_twin_run(name: str, path: Path) -> dict[str, Any]:
    """The JSON `hyposti twin run --json` printed, read from ``path`` and checked key by key:
    InputError (naming ``name``, the file and the missing or wrong key) for anything else."""
    run = _object(name, path, "the file", read_json(name, path), RUN_KEYS)
    levels = run["dose_levels"]
    if not isinstance(levels, list) or not levels:
        raise InputError(name, str(path), "dose_levels must be a non-empty list")
    for i, d in enumerate(levels):
        _object(name, path, f"dose_levels[{i}]", d, ("level", "cells_per_kg"))
        _number(name, path, f"dose_levels[{i}].level", d["level"], 1, math.inf)
        _number(name, path, f"dose_levels[{i}].cells_per_kg", d["cells_per_kg"], 0, math.inf)
    known = {d["level"] for d in levels}
    results = run["results"]
    if not isinstance(results, list) or not results:
        raise InputError(name, str(path), "results must be a non-empty list of scenarios")
    for i, r in enumerate(results):
        _object(name, path, f"results[{i}]", r, RESULT_KEYS)
        if not isinstance(r["scenario"], str) or not isinstance(r["gated"], bool):
            rule = f"results[{i}] needs a scenario name (text) and gated (true or false)"
            raise InputError(name, str(path), rule)
        _number(name, path, f"results[{i}].trials", r["trials"], 2, math.inf)
        _number(name, path, f"results[{i}].mean_patients", r["mean_patients"], 0, math.inf)
        _share(name, path, f"results[{i}]", r, "p_no_mtd")
        if not isinstance(r["doses"], list) or not r["doses"]:
            raise InputError(name, str(path), f"results[{i}].doses must be a non-empty list")
        for j, d in enumerate(r["doses"]):
            where = f"results[{i}].doses[{j}]"
            _object(name, path, where, d, DOSE_KEYS + RATE_KEYS)
            _number(name, path, f"{where}.dose_level", d["dose_level"], 1, math.inf)
            if d["dose_level"] not in known:
                rule = f"{where}.dose_level = {shown(d['dose_level'])} is not in dose_levels"
                raise InputError(name, str(path), rule)
            for key in ("mean_patients", "mean_patients_se"):
                _number(name, path, f"{where}.{key}", d[key], 0, math.inf)
            for key in ("p_select", *RATES):
                _share(name, path, where, d, key)
        if "expansion" in r:
            _expansion(name, path, f"results[{i}].expansion", r["expansion"])
    return run


def _expansion(name: str, path: Path, where: str, block: Any) -> None:
    """A scenario's expansion block: the share of trials whose enrolment stopped early and, for
    each rule the trials can meet (``EXPANSION_RULES``), the share in which it fired."""
    _object(name, path, where, block, EXPANSION_KEYS)
    _share(name, path, where, block, "p_stopped")
    rules = _object(name, path, f"{where}.rules", block["rules"], EXPANSION_RULES)
    for rule in EXPANSION_RULES:
        _object(name, path, f"{where}.rules.{rule}", rules[rule], ("p", "se"))
        _number(name, path, f"{where}.rules.{rule}.p", rules[rule]["p"], 0, 1)
        _number(name, path, f"{where}.rules.{rule}.se", rules[rule]["se"], 0, 1)


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
        expansion_rules=EXPANSION_RULE_LABELS,
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
