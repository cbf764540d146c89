"""`hyposti ctcae TERM`: a CTCAE v5.0 term's system organ class, grade texts and definition."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable

if TYPE_CHECKING:
    from hyposti.safety.dictionary import CtcaeTerm


def _render(entry: CtcaeTerm, console: Console) -> None:
    from hyposti.safety.dictionary import GRADES

    console.rule(f"[b]{entry.term}[/b] — {entry.soc} (MedDRA {entry.meddra_code})")
    table = FoldingTable(show_header=True)
    table.add_column("grade", justify="right")
    table.add_column("CTCAE v5.0 text")
    for grade in GRADES:
        text = entry.grade_text(grade)
        table.add_row(str(grade), "not available for this term" if text == "-" else text)
    console.print(table)
    if entry.definition != "-":
        console.print(f"[b]Definition:[/b] {entry.definition}", highlight=False)
    if entry.navigational_note:
        console.print(f"[b]Note:[/b] {entry.navigational_note}", highlight=False)


def ctcae_command(
    term: Annotated[str, typer.Argument(help="CTCAE v5.0 term, e.g. 'Platelet count decreased'.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Look up a CTCAE v5.0 term; an unknown term is refused with the closest terms."""
    from hyposti.safety.dictionary import lookup

    entry = lookup(term)
    payload = asdict(entry) | {"available_grades": list(entry.available_grades)}
    emit(payload, as_json, lambda console: _render(entry, console))
