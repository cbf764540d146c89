"""Reads a CSV file that a command analyses, refusing a file or column it cannot use by name."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyposti.data.input_file import read_text
from hyposti.errors import DataError, InputError

if TYPE_CHECKING:
    import pandas as pd


def require_columns(frame: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    """DataError naming the table and the first column it lacks, with the columns it has."""
    for column in columns:
        if column not in frame.columns:
            raise DataError(table, None, column, f"no such column; have {', '.join(frame.columns)}")


def read_csv_table(
    file: Path,
    columns: Sequence[str],
    name: str = "FILE",
    allow_empty: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """The CSV at ``file`` as a DataFrame holding ``columns`` (``options`` go to pandas).

    Refused with an error naming ``name`` and the file: anything ``read_text`` refuses, a header
    without rows (unless ``allow_empty``), a column name given twice (pandas would silently
    rename it "x.1"), a file pandas cannot parse; a missing column names the file as the table.
    """
    import pandas as pd

    text = read_text(name, file)
    header = next(csv.reader(io.StringIO(text)), [])
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise InputError(name, str(file), f"names the column {column!r} twice")
        seen.add(column)
    try:
        frame: pd.DataFrame = pd.read_csv(io.StringIO(text), **options)
    except (ValueError, csv.Error) as exc:  # pandas' ParserError and EmptyDataError
        raise InputError(name, str(file), f"is not a readable CSV table: {exc}") from None
    if frame.empty and not allow_empty:
        raise InputError(name, str(file), "has a header but no rows")
    require_columns(frame, file.name, columns)
    return frame
