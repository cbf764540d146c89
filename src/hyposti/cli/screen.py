"""`hyposti screen RECORD.json`: every criterion's verdict and the screening status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hyposti.cli.inputs import parse_date, protocol_option
from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.data.input_file import read_json
from hyposti.errors import InputError

if TYPE_CHECKING:
    from hyposti.eligibility import ScreeningRecord, ScreeningResult

_STYLE = {
    "eligible": "bold green",
    "ineligible": "bold red",
    "incomplete": "bold yellow",
    "pending_review": "bold cyan",
}


def read_record(path: Path) -> ScreeningRecord:
    from hyposti.eligibility.record import parse_screening_record

    return parse_screening_record(read_json("RECORD", path))


def render_screening(result: ScreeningResult, console: Console) -> None:
    from hyposti.eligibility.verdict import Verdict

    # For an exclusion, "met" means the patient is not excluded; say so in words a coordinator
    # reads.
    labels = {
        ("inclusion", Verdict.MET): "[green]met[/]",
        ("inclusion", Verdict.NOT_MET): "[red]NOT MET[/]",
        ("exclusion", Verdict.MET): "[green]not excluded[/]",
        ("exclusion", Verdict.NOT_MET): "[red]EXCLUDED[/]",
    }
    style = _STYLE[result.status]
    console.rule(f"Screening {result.participant_id} — {result.protocol_id}")
    console.print(
        f"Screened {result.screening_date}, evaluated {result.evaluated_on}: "
        f"[{style}]{result.status.replace('_', ' ').upper()}[/] — {result.summary}"
    )
    table = FoldingTable(show_lines=True)
    table.add_column("criterion", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("reason (values used)")
    for c in result.criteria:
        label = labels.get(
            (c.kind, c.verdict),
            "[yellow]missing data[/]"
            if c.verdict == Verdict.MISSING_DATA
            else "[cyan]judgement[/]",
        )
        table.add_row(c.id, label, c.reason)
    console.print(table)
    if result.missing_fields:
        console.print("[b]Fields needed:[/b] " + ", ".join(result.missing_fields))
    if result.pending_review:
        console.print(
            "[b]Awaiting investigator attestation:[/b] " + ", ".join(result.pending_review)
        )


def screen_command(
    record: Annotated[Path | None, typer.Argument(help="Screening record (JSON).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON schema of a screening record.")
    ] = False,
    today: Annotated[
        str | None,
        typer.Option("--today", help="Evaluation date YYYY-MM-DD (default: the screening date)."),
    ] = None,
    protocol: Annotated[
        Path | None, typer.Option("--protocol", help="Protocol YAML (default: NCT05681650).")
    ] = None,
) -> None:
    """Screen a candidate against every inclusion and exclusion criterion of the protocol."""
    from hyposti.eligibility import screen, screening_record_schema

    if schema:
        print(json.dumps(screening_record_schema(), indent=2))
        return
    if record is None:
        raise InputError("RECORD", None, "give a screening record JSON file, or --schema")
    loaded = read_record(record)
    on = parse_date("--today", today) if today else loaded.screening_date
    result = screen(loaded, protocol_option(protocol), on)
    emit(result.model_dump(mode="json"), as_json, lambda console: render_screening(result, console))
