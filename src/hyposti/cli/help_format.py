"""How `--help` lists a command group: plain text, commands under the panel that groups them.

Typer draws help with Rich, which costs about 0.15 s of a 0.3 s start-up budget (issue 8) to
import its renderers and lay out boxes. Click's own formatter writes the same content as plain
text in milliseconds; this group keeps what Rich gave us, the commands listed by who reaches for
them (``rich_help_panel``), and pipes and screen readers get text without box drawing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.core import TyperGroup

if TYPE_CHECKING:  # Typer vendors Click from 0.20 on; only the annotations name its classes
    from typer._click import Context, HelpFormatter

DEFAULT_PANEL = "Commands"
#: Click cuts a command's summary to fit one line ("Screen a candidate against every..."); the
#: summaries are written as one sentence each, so they are shown whole and wrapped instead.
WHOLE_SENTENCE = 1000


class PanelGroup(TyperGroup):
    """A Typer group whose help lists its commands in sections, one per ``rich_help_panel``."""

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        visible = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if not visible:
            return
        panels: dict[str, list[tuple[str, str]]] = {}
        for name, command in visible:
            panel = getattr(command, "rich_help_panel", None) or DEFAULT_PANEL
            panels.setdefault(panel, []).append((name, command.get_short_help_str(WHOLE_SENTENCE)))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)
