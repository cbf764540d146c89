"""Renders the in-silico twin's report: calibration against its targets, kinetics, and the gated
vs conventional CAR at the protocol's doses (one self-contained HTML file, inline SVG)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hyposti.protocol import Protocol
from hyposti.report import twin_figures
from hyposti.report.render import report_environment
from hyposti.twin.evidence import CURVE_DAYS
from hyposti.twin.kinetic_calibration import KineticTarget


def dose_labels(protocol: Protocol) -> dict[int, str]:
    """'DL1 (1e+06/kg)' per dose level, from the protocol file."""
    return {
        d.level: f"DL{d.level} ({d.cells_per_kg:.0e}/kg)".replace("e+0", "e")
        for d in protocol.investigational_product.dose_levels
    }


def render_twin_html(
    evidence: dict[str, Any], protocol: Protocol, generated_on: dt.date | None = None
) -> str:
    """The twin report as one HTML string from ``TwinEvidence.to_dict()``."""
    env = report_environment()
    labels = dose_labels(protocol)
    rows = twin_figures.calibration_rows(evidence)
    typical = KineticTarget().typical_patient().concentration(CURVE_DAYS)[0]
    return env.get_template("twin.html.j2").render(
        e=evidence,
        study_id=protocol.identifiers.nct_id,
        generated_on=generated_on,
        calibration=rows,
        dose_labels=labels,
        fig={
            "calibration": twin_figures.calibration_figure(rows),
            "kinetics": twin_figures.kinetics_curves_figure(evidence["curves"], typical),
            "comparison": twin_figures.comparison_figure(evidence["comparison"], labels),
        },
    )


def write_twin_report(
    evidence: dict[str, Any],
    protocol: Protocol,
    output: str | Path,
    generated_on: dt.date | None = None,
) -> Path:
    """Write the twin report to ``output``."""
    path = Path(output)
    path.write_text(render_twin_html(evidence, protocol, generated_on), encoding="utf-8")
    return path
