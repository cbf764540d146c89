"""Reads a CSV file that a command analyses, refusing a missing file or column by name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from hyposti.errors import DataError, InputError


def require_columns(frame: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    """DataError naming the table and the first column it lacks, with the columns it has."""
    for column in columns:
        if column not in frame.columns:
            raise DataError(table, None, column, f"no such column; have {', '.join(frame.columns)}")


def read_csv_table(file: Path, columns: Sequence[str]) -> pd.DataFrame:
    """The CSV at ``file``, which must exist and hold ``columns`` (errors name the file's name)."""
    if not file.is_file():
        raise InputError("FILE", str(file), "must be an existing CSV file")
    frame = pd.read_csv(file)
    require_columns(frame, file.name, columns)
    return frame
