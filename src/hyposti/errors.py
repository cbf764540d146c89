"""The one exception hierarchy: every message names the field, the value and the rule broken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError


class HypostiError(Exception):
    """Base of every error hyposti raises on purpose; the CLI prints these without a traceback."""


class InputError(HypostiError, ValueError):
    """An input value breaks a rule: names the field, the value given and the rule.

    ``field`` is a dotted path ("patients[3].assessments[2].date") so that a form, an API payload
    or a file can point at the exact place.
    """

    def __init__(self, field: str, value: Any, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field} = {value!r}: {rule}")


class ProtocolError(HypostiError):
    """A protocol file is invalid; carries every problem found, each with its path in the file."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s)\n{listing}")


class DataError(HypostiError, ValueError):
    """A row of a trial-dataset table breaks its schema: names the table, the row and the column."""

    def __init__(self, table: str, row: int | None, column: str | None, rule: str) -> None:
        self.table = table
        self.row = row
        self.column = column
        self.rule = rule
        where = table
        if row is not None:
            where += f" row {row}"
        if column is not None:
            where += f" column {column!r}"
        super().__init__(f"{where}: {rule}")


def dotted_path(loc: tuple[Any, ...]) -> str:
    """A pydantic location as a field path: ``dose_levels[2].cells_per_kg``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith("function"):  # validator frames, not fields
            path += f".{part}" if path else str(part)
    return path


def validation_problems(
    exc: ValidationError, line_of: Callable[[tuple[Any, ...]], int | None] | None = None
) -> list[str]:
    """Each problem as 'field (line N) = value: rule', the value left out where it is a section.

    ``line_of`` maps a location to its line in the source file, where there is one.
    """
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = dotted_path(loc) or "(input)"
        line = line_of(loc) if line_of else None
        if line:
            where += f" (line {line})"
        given = err.get("input")
        shown = err["type"] != "missing" and not isinstance(given, dict | list)
        problems.append(f"{where}{f' = {given!r}' if shown else ''}: {err['msg']}")
    return problems
