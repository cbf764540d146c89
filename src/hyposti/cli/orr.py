"""`hyposti orr RESPONDERS N`: a response rate with its exact Clopper-Pearson 95% CI."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hyposti.cli.output import emit


def _refuse_leftovers(ctx: typer.Context) -> None:
    """Refuse what the parser let through unread: an unknown option is named as Click names one
    (the parser ignores unknown options so that "-1" reaches the count's rule)."""
    from difflib import get_close_matches

    from typer._click.exceptions import NoSuchOption

    if not ctx.args:
        return
    unknown = next((a for a in ctx.args if a.startswith("--")), None)
    if unknown is not None:
        known = [name for p in ctx.command.params for name in p.opts if name.startswith("--")]
        name = unknown.split("=", 1)[0]
        raise NoSuchOption(name, possibilities=get_close_matches(name, known), ctx=ctx)
    ctx.fail(f"Got unexpected extra argument(s) ({' '.join(ctx.args)})")


def orr_command(
    ctx: typer.Context,
    responders: Annotated[int, typer.Argument(help="Patients with CR or PR.")],
    n: Annotated[int, typer.Argument(help="Patients in the analysis population.")],
    level: Annotated[float, typer.Option("--level", help="Confidence level.")] = 0.95,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Objective response rate with the exact (Clopper-Pearson) confidence interval."""
    from hyposti.analysis.binomial import clopper_pearson

    _refuse_leftovers(ctx)
    p = clopper_pearson(responders, n, level)
    out = p.as_dict()

    def render(console: Console) -> None:
        if p.rate is None or p.lower is None or p.upper is None:
            console.print("0/0: no patients, rate undefined")
            return
        console.print(
            f"{p.count}/{p.n} = {100 * p.rate:.1f}% ({100 * level:g}% CI "
            f"{100 * p.lower:.1f}%–{100 * p.upper:.1f}%, {p.method})"
        )

    emit(out, as_json, render)
