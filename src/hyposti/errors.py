"""The one exception hierarchy: every message names the field, the value and the rule broken."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pydantic loads with the first record parsed, not with every error class
    from pydantic import BaseModel, ValidationError

#: Longest value a message repeats in full; a longer one is cut and its length given instead.
#: Long enough for any real file path (a user must be able to find the file a message names),
#: short enough that a pasted document or a 10^6-character identifier does not flood the screen.
MAX_SHOWN_CHARS = 300


def shown(value: Any) -> str:
    """A value as a message prints it: plain Python, never a NumPy or pandas repr.

    NumPy scalars print as the Python number (``-6``, not ``np.int64(-6)``), NaN as ``NaN``, dates
    as ISO 8601, and a value longer than ``MAX_SHOWN_CHARS`` is cut with its length stated.
    """
    if value is None or type(value).__name__ in ("NaTType", "NAType"):
        return "empty"
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    text = repr(value)
    if len(text) > MAX_SHOWN_CHARS:
        size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters"
        text = f"{text[:MAX_SHOWN_CHARS]}... ({size})"
    return text


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
        super().__init__(f"{field} = {shown(value)}: {rule}")


class RecordError(HypostiError, ValueError):
    """A record (form, API payload, file) breaks its schema: ``problems`` has one line per field,
    each 'field = value: rule'."""

    def __init__(self, record: str, problems: list[str]) -> None:
        self.record = record
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{record}: {len(self.problems)} problem(s)\n{listing}")


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


class EngineError(HypostiError, RuntimeError):
    """An engine broke a guarantee it makes about itself, whatever the input (a design still
    running after the horizon it declares): a defect to report, naming the engine and the
    guarantee."""

    def __init__(self, engine: str, guarantee: str) -> None:
        self.engine = engine
        self.guarantee = guarantee
        super().__init__(f"{engine}: {guarantee}")


#: A DatasetError's message lists this many violations, then counts the rest.
MAX_LISTED_VIOLATIONS = 25


class DatasetError(DataError):
    """Every schema violation found in a dataset; ``violations`` holds one DataError per problem."""

    def __init__(self, violations: list[DataError]) -> None:
        self.violations = list(violations)
        tables = list(dict.fromkeys(v.table for v in self.violations))
        listing = "\n".join(f"  - {v}" for v in self.violations[:MAX_LISTED_VIOLATIONS])
        more = len(self.violations) - MAX_LISTED_VIOLATIONS
        if more > 0:
            listing += f"\n  ... and {more} more"
        super().__init__(
            ", ".join(tables), None, None, f"{len(self.violations)} violation(s)\n{listing}"
        )


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
    exc: ValidationError,
    line_of: Callable[[tuple[Any, ...]], int | None] | None = None,
    locate: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None,
) -> list[str]:
    """Each problem as 'field (line N) = value: rule', the value left out where it is a section.

    ``line_of`` maps a location to its line in the source file, where there is one. ``locate``
    maps pydantic's location to the path the user wrote, where the two differ (a command's option
    for a record's field, a file's "patients[1]" for a list's "[1]"). An InputError raised by a
    validator keeps its own field (below the location), value and rule, so neither the field nor
    pydantic's "Value error," prefix is printed twice.
    """
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = dotted_path(loc)
        given, rule = err.get("input"), str(err["msg"]).removeprefix("Value error, ")
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, InputError):
            given, rule = cause.value, cause.rule
            if where != cause.field and not where.endswith(f".{cause.field}"):
                where = f"{where}.{cause.field}" if where else cause.field
                # the line of the field the validator names, below the location it ran at
                loc += tuple(cause.field.split("."))
        if locate:
            where = dotted_path(locate(loc))
        where = where or "(input)"
        line = line_of(loc) if line_of else None
        if line:
            where += f" (line {line})"
        shown_value = err["type"] != "missing" and not isinstance(given, dict | list)
        problems.append(f"{where}{f' = {shown(given)}' if shown_value else ''}: {rule}")
    return problems


Model = TypeVar("Model", bound="BaseModel")


def parse_record(model: type[Model], data: Any, record: str | None = None) -> Model:
    """``model`` validated from ``data`` (a dict, or JSON text); a RecordError lists every problem.

    The one door through which a form, an API payload or a file becomes an engine record, so that
    no pydantic ValidationError reaches a caller.
    """
    from pydantic import ValidationError  # loaded already: ``model`` is a pydantic model

    try:
        if isinstance(data, str | bytes):
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as exc:
        raise RecordError(record or model.__name__, validation_problems(exc)) from None
