"""`hyposti dlt PATIENT.json`: which adverse events are DLTs and why, and DLT-evaluability."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.inputs import parse_date, protocol_option
from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.data.input_file import read_json
from hyposti.errors import InputError, RecordError

if TYPE_CHECKING:
    from hyposti.safety.dlt import PatientAdjudication


def _in_patient(index: int, problem: str) -> str:
    """A record problem ('field = value: rule') with its path under ``patients[index]``."""
    where = f"patients[{index}]"
    if problem.startswith("(input)"):
        return where + problem.removeprefix("(input)")
    return f"{where}.{problem}"


def _render_patient(adj: PatientAdjudication, console: Console) -> None:
    window = (
        f"window {adj.window_start.isoformat()} to {adj.window_end.isoformat()}"
        if adj.window_start and adj.window_end
        else "no DLT window (not infused)"
    )
    console.rule(
        f"[b]{adj.patient_id}[/b] — dose level {adj.dose_level}, cohort {adj.cohort}, {window}"
    )
    # Six columns, each folding rather than cutting, leave the reason room at 80 columns.
    table = FoldingTable()
    for col in ("#", "term", "grade (scale)", "onset (day)", "DLT", "why"):
        table.add_column(col)
    for e in adj.events:
        day = "" if e.study_day is None else f" ({e.study_day})"
        table.add_row(
            str(e.index),
            e.term,
            f"{e.grade} ({e.scale})",
            e.onset.isoformat() + day,
            "[bold red]DLT[/]" if e.is_dlt else "no",
            "; ".join(e.reasons),
        )
    console.print(table)
    console.print(f"[b]DLT-evaluability:[/b] {adj.evaluability} — {adj.evaluability_reason}")


def dlt_command(
    patient_file: Annotated[
        Path, typer.Argument(metavar="PATIENT.json", help="One patient record, or a list of them.")
    ],
    today: Annotated[
        str | None, typer.Option(help="Today's date, YYYY-MM-DD (default: the system date).")
    ] = None,
    protocol: Annotated[
        Path | None, typer.Option("--protocol", help="Protocol YAML (default: NCT05681650).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Adjudicate DLTs by the protocol's definition; a cohort's file also gives its dose history.

    Only DLT-evaluable patients enter the dose-finding history; the others are listed for
    replacement.
    """
    from hyposti.safety.dlt import adjudicate, parse_patient
    from hyposti.safety.dose_history import dose_finding_history

    today_date = parse_date("--today", today) if today else dt.date.today()
    loaded = protocol_option(protocol)
    data = read_json("PATIENT.json", patient_file)
    records = data if isinstance(data, list) else [data]
    adjudications = []
    for i, record in enumerate(records):
        try:
            patient = parse_patient(record, loaded.product_ids)
            if patient.dose_level > loaded.num_doses:
                raise InputError(
                    "dose_level",
                    patient.dose_level,
                    f"the protocol has dose levels 1..{loaded.num_doses}",
                )
            adjudications.append(adjudicate(patient, loaded.dlt, today_date))
        except InputError as exc:
            if isinstance(data, list):
                raise InputError(f"patients[{i}].{exc.field}", exc.value, exc.rule) from None
            raise
        except RecordError as exc:
            # in a cohort's file each problem names its patient, as an InputError's field does
            if isinstance(data, list):
                raise RecordError(exc.record, [_in_patient(i, p) for p in exc.problems]) from None
            raise
    payload: dict[str, Any] = {
        "today": today_date,
        "patients": [a.model_dump(mode="json") for a in adjudications],
    }
    history = None
    if isinstance(data, list):
        history = dose_finding_history(adjudications, loaded.num_doses)
        payload["dose_finding_history"] = {
            "outcomes": history.outcomes,
            "needs_replacement": list(history.needs_replacement),
            "pending": list(history.pending),
        }

    def render(console: Console) -> None:
        for adj in adjudications:
            _render_patient(adj, console)
        if history is not None:
            console.print(f"[b]Dose-finding history:[/b] {history.outcomes or '(none yet)'}")
            if history.needs_replacement:
                console.print(f"Replace: {', '.join(history.needs_replacement)}")
            if history.pending:
                console.print(f"Pending (window open): {', '.join(history.pending)}")

    emit(payload if isinstance(data, list) else payload["patients"][0], as_json, render)
