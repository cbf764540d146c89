"""`hyposti data schema|check|example`: the trial dataset's schema, checks and a worked example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.paths import output_folder, staged_folder
from hyposti.cli.tables import FoldingTable
from hyposti.errors import InputError

app = typer.Typer(help="The trial dataset: schema, checks, example.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


@app.command("schema")
def schema_command(as_json: JsonOption = False) -> None:
    """Every table and column of the dataset (type, required, allowed values, meaning)."""
    from hyposti.data.schema import dataset_schema

    schema = dataset_schema()

    def render(console: Console) -> None:
        for t in schema["tables"]:
            table = FoldingTable(
                title=f"{t['name']} — {t['description']} (key: {', '.join(t['key'])})"
            )
            for c in ("Column", "Type", "Required", "Allowed", "Description"):
                table.add_column(c)
            for c in t["columns"]:
                allowed = ", ".join(c["allowed"]) if c["allowed"] else ""
                low, high = c["minimum"], c["maximum"]
                if low is not None and high is not None:
                    allowed = f"[{low}, {high}]"
                elif low is not None:  # one bound alone: no "None" standing for the other
                    allowed = f">= {low}"
                elif high is not None:
                    allowed = f"<= {high}"
                table.add_row(c["name"], c["dtype"], "yes" if c["required"] else "",
                              allowed, c["description"])  # fmt: skip
            console.print(table)

    emit(schema, as_json, render)


@app.command("check")
def check_command(
    directory: Annotated[Path, typer.Argument(help="Folder of table files.")],
    as_json: JsonOption = False,
) -> None:
    """Load a dataset folder and report every schema and cross-table violation (exit 2 if any)."""
    from hyposti.data.dataset import read_dataset

    ds = read_dataset(directory)
    counts = {name: len(frame) for name, frame in ds.tables().items()}
    listing = ", ".join(f"{k} {v}" for k, v in counts.items())
    emit({"valid": True, "rows": counts}, as_json, lambda c: c.print(f"valid: {listing}"))


@app.command("example")
def example_command(
    directory: Annotated[
        Path, typer.Argument(help="New or empty folder for the example (parent must exist).")
    ],
    format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "csv",
    force: Annotated[
        bool,
        typer.Option("--force", help="Write into a folder that holds files, replacing tables."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write the hand-built 8-subject example trial."""
    from hyposti.data.dataset import stale_tables, write_dataset
    from hyposti.data.example import example_dataset

    if format not in ("parquet", "csv"):
        raise InputError("--format", format, "must be parquet or csv")
    fmt: Literal["parquet", "csv"] = "parquet" if format == "parquet" else "csv"
    output_folder("DIRECTORY", directory, force)
    with staged_folder("DIRECTORY", directory, stale_tables(fmt)) as staged:
        write_dataset(example_dataset(), staged, fmt)
    emit({"written": str(directory)}, as_json, lambda c: c.print(f"wrote {directory}"))
