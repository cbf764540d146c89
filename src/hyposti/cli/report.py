"""`hyposti report DIR -o report.html [--pdf]`: the self-contained trial report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from hyposti.cli.output import emit


def report_command(
    directory: Annotated[Path, typer.Argument(help="Folder of the dataset's table files.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write a PDF (needs weasyprint).")] = (
        False
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Analyse a dataset and write one HTML file with every table and figure."""
    from hyposti.data.dataset import read_dataset
    from hyposti.protocol import load_protocol
    from hyposti.report import pdf_engine, write_pdf, write_report

    if pdf:
        pdf_engine()  # no PDF engine: refuse before any work
    ds = read_dataset(directory)
    path = write_report(ds, output, load_protocol(), generated_on=dt.date.today())
    written = {"html": str(path)}
    if pdf:
        written["pdf"] = str(write_pdf(path))
    emit(written, as_json, lambda c: c.print("wrote " + ", ".join(written.values())))
