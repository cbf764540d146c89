"""Entry point of `hyposti`: registers the command groups and turns errors into messages.

Only Typer and Rich load here: every command imports its engines (and pydantic, numpy, scipy,
pandas, matplotlib, lifelines) when it runs, and help is plain text (help_format), so
`hyposti --help` starts at once.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from hyposti.cli import (
    analyze,
    ctcae,
    data,
    demo,
    design,
    dlt,
    dosing,
    export,
    grade,
    km,
    nca,
    orr,
    protocol,
    recist,
    report,
    screen,
    service,
    simulate,
    twin,
)
from hyposti.cli.help_format import PanelGroup
from hyposti.cli.output import error_console
from hyposti.errors import HypostiError, shown, validation_problems

if TYPE_CHECKING:  # Typer vendors Click; only the annotation names its Context
    from typer._click import Context

# pydantic looks for plugins in the entry points of every installed distribution the first time a
# model is built: 30-90 ms of a 0.5 s start-up in a full environment, for plugins hyposti never
# uses. Off unless the user set the variable (an empty value turns plugins back on); set here,
# before any command builds a model.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class _RootGroup(PanelGroup):
    """The `hyposti` group: a value of the wrong type is quoted in the usage error.

    Typer converts typed options with pydantic and prints only pydantic's rule ("Invalid value for
    '--dose-level': Input should be a valid integer, ..."), not the value given; the value is put
    back in front of the rule here, where every command's options are parsed.
    """

    def invoke(self, ctx: Context) -> object:
        try:
            return super().invoke(ctx)
        except typer.BadParameter as exc:
            pydantic = sys.modules.get("pydantic")  # loaded already if it raised the error
            cause = exc.__cause__
            if pydantic is not None and isinstance(cause, pydantic.ValidationError):
                error = cause.errors()[0]
                rule = str(error["msg"]).removeprefix("Value error, ")
                given = shown(error["input"])
                exc.message = rule if given in rule else f"{given}: {rule}"
            raise


app = typer.Typer(
    name="hyposti",
    help="NCT05681650 (HypoSti.CAR-HER2) trial engine: protocol, dose finding, clinical rules.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain-text help in panels (help_format): Rich's help renderer alone costs half the start-up.
    cls=_RootGroup,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # costs 60 ms: only when asked

        print(f"hyposti {version('hyposti')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """NCT05681650 (HypoSti.CAR-HER2) trial engine: protocol, dose finding, clinical rules."""


# Grouped in --help by who reaches for them; the order within a panel follows a patient's course.
RULES, TRIAL, STATS = "Clinical rules", "Whole trial", "Statistics"
app.command("demo", rich_help_panel=TRIAL)(demo.demo_command)
app.add_typer(protocol.app, name="protocol", rich_help_panel=RULES, cls=PanelGroup)
app.command("screen", rich_help_panel=RULES)(screen.screen_command)
app.command("dose", rich_help_panel=RULES)(dosing.dose_command)
app.command("calendar", rich_help_panel=RULES)(dosing.calendar_command)
app.command("ctcae", rich_help_panel=RULES)(ctcae.ctcae_command)
app.add_typer(grade.app, name="grade", rich_help_panel=RULES, cls=PanelGroup)
app.command("dlt", rich_help_panel=RULES)(dlt.dlt_command)
app.add_typer(design.app, name="design", rich_help_panel=RULES, cls=PanelGroup)
app.command("recist", rich_help_panel=RULES)(recist.recist)
app.command("simulate-trial", rich_help_panel=TRIAL)(simulate.simulate_command)
app.add_typer(twin.app, name="twin", rich_help_panel=TRIAL, cls=PanelGroup)
app.add_typer(data.app, name="data", rich_help_panel=TRIAL, cls=PanelGroup)
app.command("analyze", rich_help_panel=TRIAL)(analyze.analyze_command)
app.command("report", rich_help_panel=TRIAL)(report.report_command)
app.add_typer(export.app, name="export", rich_help_panel=TRIAL, cls=PanelGroup)
app.command("km", rich_help_panel=STATS)(km.km_command)
# a negative count ("orr -1 10") reaches the rule that refuses it, not Click's option parser;
# the command itself refuses what is left over (a mistyped option, a third number)
app.command(
    "orr",
    rich_help_panel=STATS,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)(orr.orr_command)
app.command("nca", rich_help_panel=STATS)(nca.nca_command)
SERVICE = "Trial operations service"
app.command("serve", rich_help_panel=SERVICE)(service.serve_command)
app.command("createuser", rich_help_panel=SERVICE)(service.createuser_command)
app.command("import", rich_help_panel=SERVICE)(service.import_command)
app.add_typer(service.audit_app, name="audit", rich_help_panel=SERVICE, cls=PanelGroup)
# The service's dataset export joins the CDISC exports: one `export` group for every way out.
export.app.command("dataset")(service.export_dataset_command)
export.app.command("odm")(service.export_odm_command)


def _error(message: str) -> None:
    # The message quotes user input: escaped, so "[/x]" in a value is text and not Rich markup;
    # not wrapped, so a path in it can be copied whole.
    error_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; a rule broken by the input exits 2 with the message, never a traceback.

    The machine refusing a read or a write (no space left, no permission) is also exit 2, with
    the path and the system's reason; Ctrl-C is exit 130, the shell's code for SIGINT.
    """
    try:
        app(args=argv, prog_name="hyposti")
    except KeyboardInterrupt:
        error_console.print("interrupted", highlight=False)
        return 130
    except HypostiError as exc:
        _error(str(exc))
        return 2
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        _error(f"cannot access{where}: {exc.strerror or exc}")
        return 2
    except Exception as exc:
        # pydantic is looked up, not imported: `--help` and `orr` never load it, and a command
        # that did not load it cannot have raised its ValidationError.
        pydantic = sys.modules.get("pydantic")
        if pydantic is None or not isinstance(exc, pydantic.ValidationError):
            raise
        _error("invalid input\n" + "\n".join(validation_problems(exc)))
        return 2
    except SystemExit as exc:  # Typer's standalone mode ends every run, and usage errors, here
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return 0


def main() -> None:
    sys.exit(run())
