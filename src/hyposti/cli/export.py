"""`hyposti export sdtm|adam|check`: CDISC SDTM and ADaM packages and the project's conformance
checks. (`export dataset` and `export odm` read the operations service: hyposti.cli.service.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.service import DataOption, open_database
from hyposti.cli.tables import FoldingTable

if TYPE_CHECKING:
    from hyposti.data import TrialDataset

app = typer.Typer(
    help="CDISC exports: SDTM and ADaM as XPT v5 or Dataset-JSON v1.1 with define.xml; checks.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
DatasetDir = Annotated[
    Path | None,
    typer.Argument(help="Folder of the trial dataset's table files (or --database)."),
]
DatabaseOption = Annotated[
    bool,
    typer.Option(
        "--database",
        help="Read the operations service's database (in --data, or DATABASE_URL) instead.",
    ),
]
OutDir = Annotated[Path, typer.Option("-o", "--output", help="Folder to write the package to.")]
FormatOption = Annotated[str, typer.Option("--format", help="xpt (SAS transport v5) or json.")]


def _written(paths: list[Path], datasets: list[Any], fmt: str) -> dict[str, Any]:
    return {
        "format": fmt,
        "folder": str(paths[0].parent),
        "datasets": [d.to_dict() | {"file": p.name} for d, p in zip(datasets, paths, strict=False)],
        "define": paths[-1].name,
    }


def _render_written(result: dict[str, Any], console: Console) -> None:
    table = FoldingTable(title=f"{result['folder']} ({result['format']}, with {result['define']})")
    for c in ("Dataset", "Label", "Records", "File"):
        table.add_column(c)
    for d in result["datasets"]:
        table.add_row(d["name"], d["label"], str(d["records"]), d["file"])
    console.print(table)


def _dataset(directory: Path | None, database: bool, data: Path | None) -> TrialDataset:
    """The trial dataset from a folder, or from the operations service's database as
    `hyposti export dataset` writes it (one export path, so both give the same package)."""
    from hyposti.data import read_dataset
    from hyposti.errors import InputError

    if database == (directory is not None):
        rule = (
            "give a dataset folder or --database, not both"
            if database
            else ("give a dataset folder, or --database to read the operations service")
        )
        raise InputError("DIRECTORY", None if directory is None else str(directory), rule)
    if directory is not None:
        if data is not None:
            raise InputError("--data", str(data), "only with --database")
        return read_dataset(directory)
    open_database(data)
    from hyposti.service.dataset_io import export_dataset

    return export_dataset()


def _export(ds: TrialDataset, output: Path, fmt: str, which: str, country: str) -> dict[str, Any]:
    from hyposti.errors import InputError
    from hyposti.protocol import load_protocol
    from hyposti.standards.package import FORMATS, build_adam, build_sdtm, write_package

    if fmt not in FORMATS:
        raise InputError("--format", fmt, f"must be one of {', '.join(FORMATS)}")
    protocol = load_protocol()
    datasets = build_sdtm(ds, protocol, country) if which == "sdtm" else build_adam(ds, protocol)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    paths = write_package(datasets, output, fmt, ds.study_id,
                          protocol.identifiers.official_title, created)  # fmt: skip
    return _written(paths, datasets, fmt)


@app.command("sdtm")
def sdtm_command(
    output: OutDir,
    directory: DatasetDir = None,
    fmt: FormatOption = "xpt",
    country: Annotated[
        str, typer.Option("--country", help="DM.COUNTRY, ISO 3166-1 alpha-3 of the sites.")
    ] = "CHN",
    database: DatabaseOption = False,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """SDTM: TS TE TA TV TI DM EX CM AE DS IE LB VS PC PP TU TR RS SUPPAE, and define.xml."""
    result = _export(_dataset(directory, database, data), output, fmt, "sdtm", country)
    emit(result, as_json, lambda console: _render_written(result, console))


@app.command("adam")
def adam_command(
    output: OutDir,
    directory: DatasetDir = None,
    fmt: FormatOption = "xpt",
    database: DatabaseOption = False,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """ADaM: ADSL ADAE ADRS ADTTE ADPC ADPP, one file each, and define.xml."""
    result = _export(_dataset(directory, database, data), output, fmt, "adam", "CHN")
    emit(result, as_json, lambda console: _render_written(result, console))


@app.command("check")
def check_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder of .xpt or .json datasets, define.xml or ODM .xml files.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Run the project's conformance rules and the CDISC XML schemas (define.xml, ODM); every
    finding with rule, dataset, variable and row (the line, for an XML file).

    Exits 2 when a finding is an error."""
    from hyposti.standards.conformance import RULES, check_folder

    findings = check_folder(directory)
    errors = sum(f.severity == "error" for f in findings)
    result = {
        "folder": str(directory),
        "rules": [r.to_dict() for r in RULES],
        "errors": errors,
        "warnings": len(findings) - errors,
        "findings": [f.to_dict() for f in findings],
    }

    def render(console: Console) -> None:
        table = FoldingTable(
            title=f"{directory}: {errors} error(s), {len(findings) - errors} warning(s)"
        )
        for c in ("Rule", "Severity", "Dataset", "Variable", "Row", "Finding"):
            table.add_column(c)
        for f in findings:
            table.add_row(f.rule_id, f.severity, f.domain, f.variable or "",
                          "" if f.row is None else str(f.row), f.message)  # fmt: skip
        console.print(table)

    emit(result, as_json, render)
    if errors:
        raise typer.Exit(code=2)
