"""`hyposti simulate-trial`: a complete synthetic NCT05681650 dataset from one seed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console

from hyposti.cli.inputs import params_option, parse_date, protocol_option
from hyposti.cli.output import emit, error_console
from hyposti.cli.paths import output_folder, staged_folder
from hyposti.cli.tables import FoldingTable
from hyposti.errors import InputError


def render_summary(summary: dict[str, Any], console: Console) -> None:
    console.rule(f"Synthetic trial — seed {summary['seed']}")
    console.print(
        f"Screened {summary['screened']}, screen failures {summary['screen_failures']}, "
        f"enrolled {summary['enrolled']} ({summary['enrolled_escalation']} escalation, "
        f"{summary['enrolled_expansion']} expansion)"
    )
    if summary["failed_by_criterion"]:
        failed = ", ".join(f"{k} {v}" for k, v in summary["failed_by_criterion"].items())
        console.print(f"Failed criteria: {failed}")
    doses = FoldingTable(title="Per dose level")
    for col in ("dose level", "enrolled", "patients with DLT"):
        doses.add_column(col, justify="right")
    for level, n in summary["enrolled_by_dose"].items():
        doses.add_row(level, str(n), str(summary["dlts_by_dose"][level]))
    console.print(doses)
    path = FoldingTable(title=f"Escalation: {summary['escalation_path']}")
    for col in ("cohort", "outcome", "decision", "why"):
        path.add_column(col)
    for step in summary["escalation"]:
        why = step["reason"]
        if step["replaced"]:
            why += f" (not DLT-evaluable, replaced: {', '.join(step['replaced'])})"
        path.add_row(str(step["cohort"]), step["outcome"], step["decision"], why)
    console.print(path)
    console.print(
        f"MTD: dose {summary['mtd_dose_level'] or 'none'}, RP2D: dose "
        f"{summary['rp2d_dose_level'] or 'none'}; responders (confirmed CR/PR): "
        f"{summary['responders']} of {summary['enrolled']}; deaths {summary['deaths']}; "
        f"data cut-off {summary['data_cutoff']}"
    )
    console.print(f"Written to {summary['output']} ({summary['format']})")


def simulate_command(
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed, the same trial.")
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="New or empty folder for the tables (parent must exist)."
        ),
    ],
    params: Annotated[
        Path | None,
        typer.Option("--params", help="Parameter YAML (default: the shipped, documented one)."),
    ] = None,
    protocol: Annotated[
        Path | None, typer.Option("--protocol", help="Protocol YAML (default: NCT05681650).")
    ] = None,
    patients: Annotated[
        int | None,
        typer.Option(
            "--patients", help="Total infused patients (stress dataset); default: the protocol's."
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="Table files: parquet or csv.")
    ] = "parquet",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="<YYYY-MM-DD>",
            help="Generation date (default today): no record is dated later; fix it to "
            "reproduce a dataset exactly.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Write into a folder that holds files, replacing tables."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Simulate a whole trial through the real engines and write its dataset.

    Virtual patients are screened, escalated by the 3+3 on the DLTs that occur, expanded at the
    RP2D and followed up to 3 years. The calendar starts at the parameter file's start date and
    moves back, whole, when follow-up would end after the generation date.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from hyposti.data.dataset import stale_tables, write_dataset
    from hyposti.virtual.tables import trial_dataset
    from hyposti.virtual.trial import cyclic_gc_paused, simulate_trial

    if format not in ("parquet", "csv"):
        raise InputError("--format", format, "must be 'parquet' or 'csv'")
    fmt: Literal["parquet", "csv"] = "parquet" if format == "parquet" else "csv"
    generated_on = parse_date("--as-of", as_of) if as_of else dt.date.today()
    output_folder("--output", output, force)
    # A stress run takes tens of seconds: a status line (gone when done, never with --json)
    # counts the patients treated, then names the step under way.
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    # on stderr: stdout holds the summary alone (the finished status line left a blank line there)
    status = Progress(*columns, console=error_console, transient=True, disable=as_json)
    with cyclic_gc_paused(), status as bar:
        task = bar.add_task("screening the first candidates")

        def treated_so_far(treated: int, planned: int | None) -> None:
            of = "" if planned is None else f" of {planned}"
            bar.update(task, description=f"patients treated: {treated}{of}")

        trial = simulate_trial(
            seed,
            params=params_option(params),
            protocol=protocol_option(protocol),
            patients=patients,
            progress=treated_so_far,
        )
        bar.update(task, description="building the tables")
        ds = trial_dataset(trial, generated_on)
        bar.update(task, description=f"writing {fmt}")
        with staged_folder("--output", output, stale_tables(fmt)) as staged:
            write_dataset(ds, staged, fmt)
    summary = trial.summary() | {
        "data_cutoff": ds.data_cutoff.date(),
        "generated_on": generated_on,
        "output": str(output),
        "format": fmt,
    }
    emit(summary, as_json, lambda console: render_summary(summary, console))
