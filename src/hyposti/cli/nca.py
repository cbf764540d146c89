"""`hyposti nca FILE.csv`: non-compartmental analysis of any concentration-time table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.errors import DataError, InputError, shown

if TYPE_CHECKING:
    from hyposti.analysis.nca import BlqHandling


def _render(out: dict[str, Any], console: Console) -> None:
    from hyposti.analysis.nca import PARAMETERS
    from hyposti.report.format import number

    table = FoldingTable(title="NCA (linear-up / log-down)")
    headers = ("Cmax", "Tmax", "AUC0-28", "AUClast", "AUCall", "Clast", "Tlast")
    for c in [*out["group_columns"], *headers]:
        table.add_column(c)
    for r in out["profiles"]:
        table.add_row(
            *[str(r[c]) for c in out["group_columns"]],
            *[number(r[p]) for p in PARAMETERS],
        )
    console.print(table)
    console.print(f"[dim]{out['blq_rule']}[/dim]")
    for r in out["profiles"]:
        for note in r["notes"]:
            console.print(f"[dim]{', '.join(str(r[c]) for c in out['group_columns'])}: {note}")


def _blq(value: str, option: str) -> BlqHandling:
    if value == "zero":
        return "zero"
    if value == "missing":
        return "missing"
    raise InputError(option, value, "must be 'zero' or 'missing'")


def nca_command(
    file: Annotated[Path, typer.Argument(help="CSV file, one row per sample.")],
    time: Annotated[str, typer.Option("--time", help="Time column (days).")] = "study_day",
    conc: Annotated[str, typer.Option("--conc", help="Concentration column.")] = "copies_per_ug",
    lloq: Annotated[str, typer.Option("--lloq", help="LLOQ column or a number.")] = "lloq",
    by: Annotated[
        str | None, typer.Option("--by", help="Profile columns (default: subject_id, matrix).")
    ] = None,
    blq_leading: Annotated[str, typer.Option(help="BLQ before first quantifiable.")] = "zero",
    blq_middle: Annotated[str, typer.Option(help="BLQ between quantifiable.")] = "missing",
    blq_trailing: Annotated[str, typer.Option(help="BLQ after last quantifiable.")] = "missing",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Cmax, Tmax, AUC0-28d, AUClast, AUCall, Clast, Tlast per profile, with the BLQ rule stated."""
    import numpy as np
    import pandas as pd

    from hyposti.analysis.kinetics import nca_table
    from hyposti.analysis.nca import BlqRule, check_samples
    from hyposti.data.csv_table import read_csv_table, require_columns

    frame = read_csv_table(file, (time, conc))
    table = file.name
    if lloq in frame.columns:
        limit = pd.to_numeric(frame[lloq], errors="coerce")
        if limit.isna().any():  # quoted as written: the engine would see only NaN
            i = int(limit.isna().to_numpy().nonzero()[0][0])
            cell = frame[lloq].iloc[i]
            given = "empty" if pd.isna(cell) or not str(cell).strip() else shown(cell)
            raise DataError(table, i + 1, lloq, f"{given} is not a number")
    else:
        try:
            number = float(lloq)
        except ValueError as exc:
            raise InputError("--lloq", lloq, "must be a column name or a number") from exc
        try:  # the engine's own bounds for an LLOQ, refused as the option typed, not a row
            check_samples(np.empty(0), np.empty(0), np.array([number]), one_per_day=False)
        except InputError as exc:
            raise InputError("--lloq", lloq, exc.rule) from None
        limit = pd.Series(number, index=frame.index)
    groups = (
        [c.strip() for c in by.split(",")]
        if by
        else [c for c in ("subject_id", "matrix") if c in frame.columns]
    )
    require_columns(frame, table, groups)
    if not groups:
        frame = frame.assign(profile="all")
        groups = ["profile"]
    values = pd.to_numeric(frame[conc], errors="coerce")
    text = frame[conc].astype(str).str.strip()
    unreadable = values.isna() & frame[conc].notna() & ~text.str.upper().isin(("", "BLQ", "<LLOQ"))
    if unreadable.any():
        i = int(unreadable.to_numpy().nonzero()[0][0])
        raise DataError(table, i + 1, conc, f"{frame[conc].iloc[i]!r} is not a number (or BLQ)")
    days = pd.to_numeric(frame[time], errors="coerce")
    if days.isna().any():
        i = int(days.isna().to_numpy().nonzero()[0][0])
        raise DataError(table, i + 1, time, f"{frame[time].iloc[i]!r} is not a number")
    samples = frame[groups].assign(study_day=days, copies_per_ug=values, lloq=limit)
    rule = BlqRule(
        _blq(blq_leading, "--blq-leading"),
        _blq(blq_middle, "--blq-middle"),
        _blq(blq_trailing, "--blq-trailing"),
    )
    result = nca_table(samples, rule, tuple(groups), table=table)
    profiles = [
        {
            column: None if pd.api.types.is_scalar(v) and pd.isna(v) else v
            for column, v in row.items()
        }
        for row in result.to_dict(orient="records")
    ]
    out = {"group_columns": groups, "blq_rule": rule.describe(), "profiles": profiles}
    emit(out, as_json, lambda console: _render(out, console))
