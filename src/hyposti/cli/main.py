"""Entry point of `hyposti`: registers the command groups and turns errors into messages."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from hyposti.cli import (
    analyze,
    ctcae,
    data,
    demo,
    design,
    dlt,
    dosing,
    grade,
    km,
    nca,
    orr,
    protocol,
    recist,
    report,
    screen,
    simulate,
)
from hyposti.cli.output import error_console
from hyposti.errors import HypostiError, validation_problems

app = typer.Typer(
    name="hyposti",
    help="NCT05681650 (HypoSti.CAR-HER2) trial engine: protocol, dose finding, clinical rules.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("demo")(demo.demo_command)
app.add_typer(protocol.app, name="protocol")
app.command("screen")(screen.screen_command)
app.command("dose")(dosing.dose_command)
app.command("calendar")(dosing.calendar_command)
app.add_typer(grade.app, name="grade")
app.command("dlt")(dlt.dlt_command)
app.command("ctcae")(ctcae.ctcae_command)
app.command("analyze")(analyze.analyze_command)
app.command("km")(km.km_command)
app.command("orr")(orr.orr_command)
app.command("nca")(nca.nca_command)
app.command("recist")(recist.recist)
app.add_typer(data.app, name="data")
app.add_typer(design.app, name="design")
app.command("simulate-trial")(simulate.simulate_command)
app.command("report")(report.report_command)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; a rule broken by the input exits 2 with the message, never a traceback."""
    try:
        app(args=argv, prog_name="hyposti")
    except HypostiError as exc:
        error_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        return 2
    except ValidationError as exc:
        error_console.print("[bold red]error:[/] invalid input", markup=True)
        error_console.print("\n".join(validation_problems(exc)), markup=False, highlight=False)
        return 2
    except SystemExit as exc:  # Typer's standalone mode ends every run, and usage errors, here
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return 0


def main() -> None:
    sys.exit(run())
