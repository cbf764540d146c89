"""Renders the trial report: one self-contained HTML file (Jinja2, inline SVG), optional PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hyposti.analysis import analyze_trial
from hyposti.analysis.kinetics import TUMOUR
from hyposti.analysis.trial import TrialAnalysis
from hyposti.data.dataset import TrialDataset
from hyposti.errors import InputError
from hyposti.protocol import Protocol, load_protocol
from hyposti.report import figures
from hyposti.report.format import months, number, rate_and_ci
from hyposti.report.tables import (
    GRADES,
    ae_grade_table,
    ae_table,
    baseline_table,
    biopsy_text,
    bor_legend,
    dose_columns,
    dose_label,
    endpoint_table,
    expansion_stops,
    exposure_table,
    grade_table,
    kinetics_table,
    syndrome_course_table,
    syndromes_without_events,
    tumour_table,
)


def _figures(result: TrialAnalysis, ds: TrialDataset) -> dict[str, str | None]:
    eff = result.efficacy
    dose_levels = ds.subjects.set_index("subject_id")["dose_level"]
    out: dict[str, str | None] = {
        "waterfall": figures.waterfall_figure(eff.patients),
        "spider": figures.spider_figure(eff.patients),
        "swimmer": figures.swimmer_figure(eff.patients),
        "escalation": figures.escalation_figure(
            result.safety.escalation.cohorts, result.safety.dlt
        ),
    }
    for key, title, km, origin in (
        ("pfs", "PFS", eff.pfs, "CAR-T infusion"),
        ("os", "OS", eff.os, "CAR-T infusion"),
        ("dor", "DOR", eff.dor, "first confirmed response"),
    ):
        out[key] = figures.km_figure(km.fit, title, origin) if km else None
    for matrix in sorted(set(ds.kinetics["matrix"].dropna()) - {TUMOUR}):
        out[f"kinetics_{matrix}"] = figures.kinetics_figure(ds.kinetics, dose_levels, matrix)
    out["tumour_biopsies"] = figures.biopsy_figure(result.kinetics.tumour.per_patient)
    return out


def report_environment() -> Environment:
    """The Jinja2 environment of the report templates (the trial's and the twin's): HTML
    autoescaped, the report's number, rate and biopsy filters.

    A name the result does not have is an error, not an empty cell: the templates read the
    analysis records' fields, and a renamed field must fail the report's tests.
    """
    env = Environment(
        loader=PackageLoader("hyposti.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["biopsy"] = biopsy_text
    env.filters["number"] = number
    env.filters["rate_and_ci"] = rate_and_ci
    return env


def render_html(
    result: TrialAnalysis, ds: TrialDataset, generated_on: dt.date | None = None
) -> str:
    """The report as one HTML string; every figure inline, no external resource."""
    env = report_environment()
    keys = dose_columns(result)
    template = env.get_template("report.html.j2")
    return template.render(
        r=result,
        generated_on=generated_on,
        keys=keys,
        dose_labels=[dose_label(result, k) for k in keys],
        dose_label_of=lambda key: dose_label(result, key),
        baseline_rows=baseline_table(result),
        exposure_rows=exposure_table(result),
        synthetic=result.study.data_source == "synthetic",
        endpoints=endpoint_table(result),
        bor_legend=bor_legend,
        expansion_stops=expansion_stops,
        ae_rows=ae_table(result),
        ae_grade_rows=ae_grade_table(result),
        grade_rows=grade_table(result),
        syndromes_without_events=syndromes_without_events(result),
        course_rows=syndrome_course_table(result),
        grades=GRADES,
        kinetics_rows=kinetics_table(result),
        tumour_rows=tumour_table(result),
        fig=_figures(result, ds),
        months=months,
    )


def write_report(
    ds: TrialDataset,
    output: str | Path,
    protocol: Protocol | None = None,
    generated_on: dt.date | None = None,
    conf_type: str = "log-log",
) -> Path:
    """Analyse ``ds`` and write the HTML report to ``output``."""
    result = analyze_trial(ds, protocol or load_protocol(), conf_type=conf_type)
    path = Path(output)
    path.write_text(render_html(result, ds, generated_on), encoding="utf-8")
    return path


def pdf_engine() -> Callable[..., Any]:
    """weasyprint's HTML class, or InputError when there is no PDF engine.

    weasyprint (the ``pdf`` extra) needs the Pango system library as well as the Python package;
    either missing is reported as no PDF engine.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise InputError(
            "--pdf",
            True,
            "no PDF engine: install the 'pdf' extra of hyposti (weasyprint and the Pango "
            f"library), or print the HTML to PDF from a browser ({exc})",
        ) from None
    # weasyprint ships no type information: the engine is known here only as a callable
    engine: Callable[..., Any] = HTML
    return engine


def write_pdf(html_path: str | Path) -> Path:
    """Print a written HTML report to PDF (A4) next to it."""
    html = pdf_engine()
    path = Path(html_path)
    pdf = path.with_suffix(".pdf")
    html(filename=str(path)).write_pdf(str(pdf))
    return pdf
