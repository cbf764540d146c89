"""The one exception hierarchy: every message names the field, the value and the rule broken."""

from __future__ import annotations

from typing import Any


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
