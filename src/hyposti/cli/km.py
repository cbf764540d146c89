"""`hyposti km FILE.csv --time COL --event COL`: Kaplan-Meier median, CI and rates at given days."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.errors import DataError, InputError, shown


def _render(out: dict[str, Any], console: Console) -> None:
    from hyposti.analysis.km import limit_label

    console.print(
        f"n = {out['n']}, events = {out['n_events']}; median {limit_label(out['median'])} "
        f"(95% CI {limit_label(out['median_lower'], out['median_lower_estimable'])}–"
        f"{limit_label(out['median_upper'], out['median_upper_estimable'])}), "
        f"{out['conf_type']} transform, Brookmeyer-Crowley; NR = not reached, NE = not estimable"
    )
    if out["at"]:
        table = FoldingTable()
        for c in ("Time", "Survival", "SE", "Lower", "Upper", "At risk"):
            table.add_column(c)
        for row in out["at"]:
            table.add_row(
                f"{row['time']:g}",
                *(("NE" if row[k] is None else f"{row[k]:.4f}") for k in ("survival", "std_error",
                                                                          "lower", "upper")),
                str(row["n_at_risk"]),
            )  # fmt: skip
        console.print(table)
        console.print("[dim]SE: Greenwood standard error of S(t)[/dim]")


def parse_times(text: str | None) -> list[float]:
    if not text:
        return []
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise InputError("--at", text, "must be comma-separated numbers, e.g. 182,365,730") from exc


def km_command(
    file: Annotated[Path, typer.Argument(help="CSV file, one row per patient.")],
    time: Annotated[str, typer.Option("--time", help="Column of times.")],
    event: Annotated[str, typer.Option("--event", help="Column: 1 event, 0 censored.")],
    conf_type: Annotated[str, typer.Option("--conf-type", help="log-log, log or plain.")] = (
        "log-log"
    ),
    at: Annotated[str | None, typer.Option("--at", help="Times, e.g. 182,365,730.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Kaplan-Meier estimate of a time-to-event column (R survival conventions)."""
    import numpy as np
    import pandas as pd

    from hyposti.analysis.km import CONF_TYPES, fit_kaplan_meier
    from hyposti.data.csv_table import read_csv_table

    if conf_type not in CONF_TYPES:
        raise InputError("--conf-type", conf_type, f"must be one of {', '.join(CONF_TYPES)}")
    # read as text, so that a refusal quotes the cell as written ('-3', 'inf', an empty cell)
    frame = read_csv_table(file, (time, event), "FILE", dtype=str, keep_default_na=False)
    table = file.name
    times = pd.to_numeric(frame[time], errors="coerce")
    events = pd.to_numeric(frame[event], errors="coerce")
    for column, values in ((time, times), (event, events)):
        finite = np.isfinite(values.to_numpy(dtype=float))
        bad = ~finite | ((values < 0) if column == time else ~values.isin((0, 1)))
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            rule = "must be a finite number >= 0" if column == time else "must be 1 (event) or 0"
            cell = frame[column].iloc[i]
            raise DataError(
                table, i + 1, column, f"{shown(cell) if cell.strip() else 'empty'} {rule}"
            )
    fit = fit_kaplan_meier(times.to_numpy(), events.to_numpy().astype(bool), conf_type)
    out = fit.as_dict(at=parse_times(at))
    emit(out, as_json, lambda console: _render(out, console))
