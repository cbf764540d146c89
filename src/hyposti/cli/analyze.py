"""`hyposti analyze DIR`: every endpoint of a trial dataset, as tables or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.errors import InputError

if TYPE_CHECKING:
    from hyposti.analysis.trial import TrialAnalysis


def _render(result: TrialAnalysis, console: Console) -> None:
    from hyposti.report.tables import (
        dose_columns,
        dose_label,
        endpoint_table,
        kinetics_table,
        tumour_table,
    )

    study, flow = result.study, result.flow
    console.print(
        f"[b]{study.study_id}[/b] — data cut-off {study.data_cutoff}; "
        f"consented {flow.consented}, screen-failed {flow.screen_failed}, enrolled "
        f"{flow.enrolled}, infused {flow.infused}, DLT-evaluable {flow.dlt_evaluable}, "
        f"response-evaluable {flow.response_evaluable}"
    )
    keys = dose_columns(result)
    table = FoldingTable(title="Endpoints", show_lines=False)
    table.add_column("Endpoint")
    for k in keys:
        table.add_column(dose_label(result, k))
    for row in endpoint_table(result):
        table.add_row(*row)
    console.print(table)
    esc = result.safety.escalation
    t = FoldingTable(title=f"Dose escalation ({esc.design})")
    for c in ("Cohort", "Dose level", "Patients", "DLTs", "Decision", "Reason", "Design rule"):
        t.add_column(c)
    for cohort in esc.cohorts:
        t.add_row(str(cohort.cohort), str(cohort.dose_level), str(cohort.n_patients),
                  str(cohort.n_dlt), cohort.decision, cohort.reason,
                  cohort.rule_recommendation or "–")  # fmt: skip
    console.print(t)
    console.print(
        f"MTD declared: {esc.mtd_declared or 'not yet'}; MTD by the design rule: "
        f"{esc.mtd_by_rule or 'not determined'}; RP2D: {esc.rp2d_declared or 'not yet'}"
        + (f" ({esc.rp2d_rationale})" if esc.rp2d_rationale else "")
    )
    for d in result.safety.deaths:
        console.print(f"Death: {d.subject_id} (DL{d.dose_level}) day {d.study_day}: {d.cause}")
    kinetics = FoldingTable(title="Cellular kinetics: geometric mean (CV%)")
    # units in the headers, as the report gives them: a number without one cannot be checked
    for c in ("Matrix", "Dose level", "n", "Cmax, copies/ug", "AUC0-28d, copies·day/ug",
              "AUClast, copies·day/ug", "Tmax, days: median (range)"):  # fmt: skip
        kinetics.add_column(c)
    for row in kinetics_table(result):
        kinetics.add_row(*row)
    console.print(kinetics)
    console.print(f"[dim]{result.kinetics.blq_rule}[/dim]")
    b = FoldingTable(title="Tumour biopsies (first post-infusion biopsy per patient)")
    for c in ("Dose level", "Patients", "Below LLOQ", "Level, copies/ug: geometric mean (CV%)",
              "Biopsy day: median (range)"):  # fmt: skip
        b.add_column(c)
    for row in tumour_table(result):
        b.add_row(*row)
    console.print(b)
    console.print(f"[dim]{result.kinetics.tumour.rule}[/dim]")
    for rule in result.efficacy.censoring_rules:
        console.print(f"[dim]{rule}[/dim]")


def analyze_command(
    directory: Annotated[Path, typer.Argument(help="Folder of the dataset's table files.")],
    conf_type: Annotated[
        str, typer.Option("--conf-type", help="KM band transform: log-log, log or plain.")
    ] = "log-log",
    criteria: Annotated[
        Literal["recist11", "irecist"] | None,
        typer.Option("--criteria", help="recist11 or irecist (default: protocol's)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Analyse a trial dataset: safety, efficacy and kinetics endpoints."""
    from hyposti.analysis.km import CONF_TYPES
    from hyposti.analysis.trial import analyze_trial
    from hyposti.data.dataset import read_dataset
    from hyposti.protocol import load_protocol

    if conf_type not in CONF_TYPES:
        raise InputError("--conf-type", conf_type, f"must be one of {', '.join(CONF_TYPES)}")
    result = analyze_trial(read_dataset(directory), load_protocol(), criteria, conf_type)
    emit(result.to_dict(), as_json, lambda console: _render(result, console))
