"""`hyposti protocol show|validate`: the protocol in force, readably; checks of protocol files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from hyposti.cli.inputs import protocol_option
from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.errors import ProtocolError

if TYPE_CHECKING:
    from hyposti.protocol import Protocol
    from hyposti.protocol.common import Reading

app = typer.Typer(
    help="Show the protocol in force or validate a protocol file.", no_args_is_help=True
)

ProtocolOption = Annotated[
    Path | None, typer.Option("--protocol", help="Protocol YAML file (default: NCT05681650).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only.")]

# Sections drawn by their own renderer below; every other section is drawn generically.
_RENDERED = {
    "schema_version",
    "identifiers",
    "enrolment",
    "investigational_product",
    "preconditioning",
    "design",
    "endpoints",
    "endpoint_roles_reading",
    "eligibility",
}


def reading_panel(title: str, reading: Reading) -> Panel:
    body = (
        f"[b]Registry text:[/b] {reading.registry_text}\n"
        f"[b]Reading in force:[/b] {reading.reading}\n"
        f"[b]Still selectable:[/b] {', '.join(reading.alternatives)}\n"
        f"[b]Why:[/b] {reading.why}"
    )
    return Panel(body, title=title, border_style="yellow")


def _setting(value: Any) -> str:
    """A scalar setting as the protocol file spells it (true, false, null, [30.0, 250.0])."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_setting(v) for v in value) + "]"
    return str(value)


def _generic(value: Any, table: FoldingTable, prefix: str = "") -> None:
    """One row per setting, named by its path in the file; a Python repr is never shown."""
    from pydantic import BaseModel  # loaded with the protocol being drawn, not with `--help`

    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _generic(getattr(value, name), table, f"{prefix}{name}.")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _generic(item, table, f"{prefix}{key}.")
    elif isinstance(value, list | tuple) and any(
        isinstance(v, BaseModel) or (isinstance(v, str) and " " in v) for v in value
    ):
        # records and phrases one row each: a phrase's own commas would blur a joined list
        for i, item in enumerate(value):
            _generic(item, table, f"{prefix[:-1]}[{i}].")
    else:
        # escaped: a list such as [vital_signs, cytokines] is text, not Rich markup
        table.add_row(escape(prefix[:-1]), escape(_setting(value)))


def render_protocol(protocol: Protocol, console: Console) -> None:
    """Draw the protocol for a reader: registry facts first, sponsor-editable defaults labelled."""
    ids = protocol.identifiers
    # The rule holds only the identifier: a rule is one line and cuts a title too long for the
    # terminal ("... HER2 Positive Advanced S…" at 80 columns), so the titles follow as text.
    console.rule(f"[b]{ids.nct_id}[/b]")
    console.print(
        f"[b]{ids.brief_title}[/b]\n{ids.official_title}\n"
        f"{', '.join(ids.phases)} · sponsor {ids.sponsor} · "
        f"also {', '.join(ids.secondary_ids)} · registry last updated {ids.last_update_posted}"
    )
    e = protocol.enrolment
    console.print(
        f"Enrolment: escalation >= {e.escalation_min}, expansion {e.expansion_min}-"
        f"{e.expansion_max} at RP2D, about {e.total_estimated} in total."
    )

    product = protocol.investigational_product
    doses = FoldingTable(title=f"{product.name} ({product.route}, day {product.infusion_day})")
    doses.add_column("level", justify="right")
    doses.add_column("label")
    doses.add_column(product.dose_unit, justify="right")
    for d in product.dose_levels:
        doses.add_row(str(d.level), d.label, f"{d.cells_per_kg:.0e}")
    console.print(doses)

    regimen = FoldingTable(title="Preconditioning")
    for col in ("agent", "route", "dose range", "days"):
        regimen.add_column(col)
    for a in protocol.preconditioning:
        regimen.add_row(
            a.name,
            a.route,
            f"{a.dose_min:g}-{a.dose_max:g} {a.dose_basis}",
            ", ".join(str(d) for d in a.days),
        )
    console.print(regimen)
    products = ", ".join(f"{p.name} ({p.id})" for p in protocol.products)
    console.print(
        f"[b]Adverse events are attributed to:[/b] {products}; a DLT must be related "
        f"({', '.join(protocol.dlt.related_attributions)}) to {protocol.dlt.related_product}."
    )

    design = protocol.design
    rule = f"variant {design.variant}" if design.variant else f"target {design.target_toxicity}"
    console.print(
        f"[b]Escalation design:[/b] {design.method}, {rule}, cohorts of {design.cohort_size}, "
        f"starting at dose {design.start_dose}."
    )
    if design.mtd_rule:
        console.print(reading_panel("MTD rule", design.mtd_rule))

    endpoints = FoldingTable(title="Endpoints")
    for col in ("role", "endpoint", "time frame"):
        endpoints.add_column(col)
    for ep in protocol.endpoints:
        endpoints.add_row(ep.role, ep.title, ep.time_frame)
    console.print(endpoints)
    if protocol.endpoint_roles_reading:
        console.print(reading_panel("Endpoint roles", protocol.endpoint_roles_reading))

    el = protocol.eligibility
    criteria = FoldingTable(
        title=f"Eligibility (age {el.age_range_years[0]}-{el.age_range_years[1]})"
    )
    criteria.add_column("id")
    criteria.add_column("registry text")
    for c in el.criteria:
        criteria.add_row(c.id, c.text)
    console.print(criteria)
    for reading in el.readings:
        console.print(reading_panel("Eligibility reading", reading))

    for name in type(protocol).model_fields:
        if name in _RENDERED:
            continue
        section = getattr(protocol, name)
        editable = getattr(type(section), "sponsor_editable", False)
        title = name + (" — sponsor-editable default, not from the registry" if editable else "")
        table = FoldingTable(title=title, title_style="bold magenta" if editable else "bold")
        table.add_column("setting")
        table.add_column("value")
        _generic(section, table)
        console.print(table)


@app.command("show")
def show(protocol: ProtocolOption = None, as_json: JsonOption = False) -> None:
    """Print the protocol in force: registry facts, readings of ambiguities, editable defaults."""
    loaded = protocol_option(protocol)
    emit(loaded.model_dump(mode="json"), as_json, lambda console: render_protocol(loaded, console))


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Protocol YAML file to check.")],
    as_json: JsonOption = False,
) -> None:
    """Check a protocol file; report every problem with its path in the file (exit 2 if any).

    Exit 2, as every other command that refuses its input, so that scripts test one code.
    """
    try:
        loaded = protocol_option(file, "FILE")
    except ProtocolError as exc:
        message = str(exc)
        emit(
            {"file": str(file), "valid": False, "problems": exc.problems},
            as_json,
            lambda console: console.print(message, markup=False, highlight=False),
        )
        raise typer.Exit(2) from None
    emit(
        {"file": str(file), "valid": True, "problems": []},
        as_json,
        lambda console: console.print(
            f"{file}: valid ({loaded.identifiers.nct_id}, {loaded.num_doses} dose levels)"
        ),
    )
