"""`hyposti data schema|check|example`: the trial dataset's schema, checks and a worked example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hyposti.cli.output import emit
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
            table = Table(title=f"{t['name']} — {t['description']} (key: {', '.join(t['key'])})")
            for c in ("Column", "Type", "Required", "Allowed", "Description"):
                table.add_column(c)
            for c in t["columns"]:
                allowed = ", ".join(c["allowed"]) if c["allowed"] else ""
                if c["minimum"] is not None or c["maximum"] is not None:
                    allowed = f"[{c['minimum']}, {c['maximum']}]"
                table.add_row(c["name"], c["dtype"], "yes" if c["required"] else "",
                              allowed, c["description"])  # fmt: skip
            console.print(table)

    emit(schema, as_json, render)


@app.command("check")
def check_command(
    directory: Annotated[Path, typer.Argument(help="Folder of table files.")],
    as_json: JsonOption = False,
) -> None:
    """Load a dataset folder and report every schema violation (exit 2 if any)."""
    from hyposti.data.dataset import read_dataset

    ds = read_dataset(directory)
    counts = {name: len(frame) for name, frame in ds.tables().items()}
    listing = ", ".join(f"{k} {v}" for k, v in counts.items())
    emit({"valid": True, "rows": counts}, as_json, lambda c: c.print(f"valid: {listing}"))


@app.command("example")
def example_command(
    directory: Annotated[Path, typer.Argument(help="Folder to write the example dataset to.")],
    format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "csv",
    as_json: JsonOption = False,
) -> None:
    """Write the hand-built 8-subject example trial."""
    from hyposti.data.dataset import write_dataset
    from hyposti.data.example import example_dataset

    if format not in ("parquet", "csv"):
        raise InputError("--format", format, "must be parquet or csv")
    folder = write_dataset(example_dataset(), directory, format)  # type: ignore[arg-type]
    emit({"written": str(folder)}, as_json, lambda c: c.print(f"wrote {folder}"))
