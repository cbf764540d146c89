"""The tables every command prints: at 80 columns a cell may wrap, but its text is never cut."""

from __future__ import annotations

from typing import Any

from rich.table import Table


class FoldingTable(Table):
    """A rich ``Table`` whose columns fold instead of cutting.

    Rich's default overflow ends a cell that does not fit with an ellipsis, so on an 80-column
    terminal a statistician reads "29.2%–100.0…" or "2025-0…" and loses the number. Folding
    wraps at words and breaks only a word longer than its column (a rule name, NON-CR/NON-PD).
    A column that states its own overflow (or ``no_wrap``) keeps it.
    """

    def add_column(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)
