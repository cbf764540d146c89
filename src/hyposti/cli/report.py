"""`hyposti report DIR -o report.html [--pdf]`: the self-contained trial report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from hyposti.cli.output import emit
from hyposti.cli.paths import output_file, staged_file
from hyposti.errors import InputError

HTML_SUFFIXES = (".html", ".htm")


def report_command(
    directory: Annotated[Path, typer.Argument(help="Folder of the dataset's table files.")],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="HTML file to write (must end in .html; its folder must exist)."
        ),
    ] = Path("report.html"),
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Also write the PDF beside it, NAME.pdf (needs weasyprint)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the HTML (and PDF) if they already exist.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Analyse a dataset and write one HTML file with every table and figure.

    The report is always HTML; a PDF is asked for with --pdf, never by naming -o x.pdf (refused),
    so that a .pdf file always holds a PDF. Existing files are refused unless --force.
    """
    from hyposti.data.dataset import read_dataset
    from hyposti.protocol import load_protocol
    from hyposti.report import pdf_engine, write_report

    if output.suffix.lower() not in HTML_SUFFIXES:
        raise InputError(
            "--output", str(output), "must end in .html; for a PDF add --pdf (written as NAME.pdf)"
        )
    output_file("--output", output, force)
    pdf_path = output.with_suffix(".pdf")
    if pdf:
        output_file("--pdf", pdf_path, force)
        pdf_engine()  # no PDF engine: refuse before any work
    ds = read_dataset(directory)
    with staged_file("--output", output) as staged:
        write_report(ds, staged, load_protocol(), generated_on=dt.date.today())
    written = {"html": str(output)}
    if pdf:
        with staged_file("--pdf", pdf_path) as staged:
            pdf_engine()(filename=str(output)).write_pdf(str(staged))
        written["pdf"] = str(pdf_path)
    emit(written, as_json, lambda c: c.print("wrote " + ", ".join(written.values())))
