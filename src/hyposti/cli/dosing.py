"""`hyposti dose` and `hyposti calendar`: one patient's doses and dated study calendar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

from hyposti.cli.inputs import parse_date, protocol_option
from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.errors import InputError

if TYPE_CHECKING:
    from hyposti.dosing import DoseRecord, StudyCalendar

ProtocolOption = Annotated[
    Path | None, typer.Option("--protocol", help="Protocol YAML (default: NCT05681650).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


def _agent_doses(nab: float | None, cyclo: float | None, pairs: list[str]) -> dict[str, float]:
    doses = {}
    if nab is not None:
        doses["nab-paclitaxel"] = nab
    if cyclo is not None:
        doses["cyclophosphamide"] = cyclo
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            doses[name.strip()] = float(value)
        except ValueError:
            raise InputError(
                "--agent-dose", pair, "must be NAME=DOSE, e.g. fludarabine=30"
            ) from None
        if not sep:
            raise InputError("--agent-dose", pair, "must be NAME=DOSE, e.g. fludarabine=30")
    return doses


def render_doses(record: DoseRecord, console: Console) -> None:
    body = record.body
    console.rule(f"Doses — {record.protocol_id}")
    if body.bsa_m2_used is not None:
        cap = f" (capped at {body.bsa_cap_m2:g})" if body.capped else ""
        console.print(
            f"Weight {body.weight_kg:g} kg, height {body.height_cm:g} cm: BSA "
            f"{body.bsa_m2_exact:.4f} m2 ({body.bsa_formula}) -> dosed "
            f"{body.bsa_m2_used:.2f} m2{cap}"
        )
    else:
        console.print(f"Weight {body.weight_kg:g} kg (no height: no BSA)")
    table = FoldingTable(title="Preconditioning")
    for col in (
        "agent",
        "chosen dose",
        "allowed range",
        "x basis",
        "mg exact",
        "mg per day",
        "days",
    ):
        table.add_column(
            col, justify="right" if col.startswith("mg") else "left", no_wrap=col == "agent"
        )
    for a in record.preconditioning:
        unit = "m2" if a.dose_basis == "mg/m2" else "kg"
        table.add_row(
            a.agent,
            f"{a.dose_per_unit:g} {a.dose_basis}",
            f"{a.range_min:g}-{a.range_max:g} {a.dose_basis}",
            f"{a.basis_amount:g} {unit}",
            f"{a.mg_exact:.2f}",
            f"[b]{a.mg_per_day:g}[/b]",
            ", ".join(f"day {d}" for d in a.study_days),
        )
    console.print(table)
    for note in record.not_computed:
        console.print(f"[yellow]not computed[/yellow] {note}")
    c = record.car_t
    console.print(
        f"[b]CAR-T {c.label}[/b] (level {c.dose_level}): {c.cells_per_kg:.1e} cells/kg x "
        f"{c.weight_kg:g} kg = [b]{c.total_cells:.{c.significant_figures - 1}e}[/b] cells"
    )
    console.print("[dim]Rounding: " + "; ".join(record.rounding_rules) + "[/dim]")


def dose_command(
    weight_kg: Annotated[float, typer.Option("--weight-kg", help="Body weight, kg.")],
    dose_level: Annotated[int, typer.Option("--dose-level", help="CAR-T dose level (1-based).")],
    height_cm: Annotated[
        float | None, typer.Option("--height-cm", help="Height, cm (needed for mg/m2).")
    ] = None,
    nab_paclitaxel_mg_m2: Annotated[
        float | None, typer.Option("--nab-paclitaxel-mg-m2", help="Chosen nab-paclitaxel mg/m2.")
    ] = None,
    cyclophosphamide_mg_kg: Annotated[
        float | None,
        typer.Option("--cyclophosphamide-mg-kg", help="Chosen cyclophosphamide mg/kg."),
    ] = None,
    agent_dose: Annotated[
        list[str] | None,
        typer.Option(
            "--agent-dose",
            metavar="<NAME=DOSE>",
            help="Dose of another protocol's agent, e.g. fludarabine=30 (repeatable).",
        ),
    ] = None,
    bsa_formula: Annotated[
        Literal["mosteller", "dubois"] | None,
        typer.Option("--bsa-formula", help="mosteller or dubois (default: the protocol's)."),
    ] = None,
    protocol: ProtocolOption = None,
    as_json: JsonOption = False,
) -> None:
    """Doses for one patient: preconditioning mg per day and total CAR-T cells."""
    from hyposti.dosing import patient_doses

    record = patient_doses(
        protocol_option(protocol),
        weight_kg=weight_kg,
        height_cm=height_cm,
        dose_level=dose_level,
        agent_doses=_agent_doses(nab_paclitaxel_mg_m2, cyclophosphamide_mg_kg, agent_dose or []),
        bsa_formula=bsa_formula,
    )
    emit(record.model_dump(mode="json"), as_json, lambda console: render_doses(record, console))


def render_calendar(cal: StudyCalendar, console: Console) -> None:
    console.rule(f"Study calendar — {cal.protocol_id}, infusion (day 0) {cal.infusion_date}")
    console.print(
        f"Screening from {cal.screening_earliest} to {cal.screening_latest}; DLT window ends "
        f"day {cal.dlt_window_end_day} = [b]{cal.dlt_window_end}[/b]; follow-up to "
        f"{cal.end_of_follow_up}."
    )
    table = FoldingTable()
    for col in ("day", "date", "window", "visit", "assessments"):
        table.add_column(col, justify="right" if col == "day" else "left")
    for v in cal.visits:
        window = "fixed" if v.earliest == v.latest else f"{v.earliest} to {v.latest}"
        label = f"[b]{v.label}[/b]" if v.kind in ("preconditioning", "infusion") else v.label
        table.add_row(
            str(v.study_day),
            v.date.isoformat(),
            window,
            label,
            ", ".join(a.replace("_", " ") for a in v.assessments),
        )
    console.print(table)


def calendar_command(
    infusion_date: Annotated[
        str, typer.Option("--infusion-date", help="Planned CAR-T infusion (day 0), YYYY-MM-DD.")
    ],
    first_dose_date: Annotated[
        str | None,
        typer.Option("--first-dose-date", help="Planned first preconditioning dose, checked."),
    ] = None,
    protocol: ProtocolOption = None,
    as_json: JsonOption = False,
) -> None:
    """The dated study calendar: regimen days, DLT window end, visits with windows."""
    from hyposti.dosing import study_calendar

    cal = study_calendar(
        protocol_option(protocol),
        parse_date("--infusion-date", infusion_date),
        parse_date("--first-dose-date", first_dose_date) if first_dose_date else None,
    )
    emit(cal.model_dump(mode="json"), as_json, lambda console: render_calendar(cal, console))
