"""The trial dataset as one typed object, read from and written to a folder of Parquet or CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from hyposti.data.csv_table import read_csv_table
from hyposti.data.schema import ATTRIBUTION_PREFIX, TABLES
from hyposti.data.validate import check_consistency, validate_frames
from hyposti.errors import DataError, InputError

Format = Literal["parquet", "csv"]


@dataclass(frozen=True)
class TrialDataset:
    """One DataFrame per domain table, typed and checked against ``hyposti.data.schema.TABLES``.

    Build it with ``TrialDataset.from_frames`` (which validates) or ``read_dataset``. Its tables
    are not to be changed in place: ``validated`` vouches for them as they were checked.
    """

    study: pd.DataFrame
    subjects: pd.DataFrame
    screening: pd.DataFrame
    exposure: pd.DataFrame
    adverse_events: pd.DataFrame
    dlt_evaluations: pd.DataFrame
    escalation: pd.DataFrame
    lesions: pd.DataFrame
    tumour_assessments: pd.DataFrame
    lesion_measurements: pd.DataFrame
    kinetics: pd.DataFrame
    disposition: pd.DataFrame
    medications: pd.DataFrame
    lab_results: pd.DataFrame
    vital_signs: pd.DataFrame

    @classmethod
    def from_frames(
        cls, *, products: Sequence[str] | None = None, **frames: pd.DataFrame
    ) -> TrialDataset:
        """Validate raw tables (any absent optional table is empty) of a dataset attributing
        adverse events to ``products`` (the protocol's ``product_ids``; default: the shipped
        protocol's) and return the dataset."""
        dataset = cls(**validate_frames(frames, products))
        # Not a field (the fields are the tables): dataclasses.replace makes a dataset without it.
        object.__setattr__(dataset, "_validated", True)
        return dataset

    @property
    def validated(self) -> bool:
        """True only on a dataset made by ``from_frames``, whose validation ran every rule; one
        made any other way (the constructor, ``dataclasses.replace``) is checked again."""
        return bool(self.__dict__.get("_validated", False))

    def require_consistent(self) -> None:
        """Refuse tables that contradict one another (``check_consistency``): the check an
        analysis runs first, skipped when ``from_frames`` has already run it on these tables."""
        if not self.validated:
            check_consistency(self.tables())

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    @property
    def attribution_columns(self) -> tuple[str, ...]:
        """The adverse_events columns of an attribution, one per product of the dataset's
        protocol, in its ``product_ids`` order."""
        return tuple(c for c in self.adverse_events.columns if c.startswith(ATTRIBUTION_PREFIX))

    @property
    def products(self) -> tuple[str, ...]:
        """The ids of the products its adverse events are attributed to (``product_ids``)."""
        return tuple(c.removeprefix(ATTRIBUTION_PREFIX) for c in self.attribution_columns)

    @property
    def data_cutoff(self) -> pd.Timestamp:
        return pd.Timestamp(self.study["data_cutoff"].iloc[0])

    @property
    def study_id(self) -> str:
        return str(self.study["study_id"].iloc[0])


def read_dataset(directory: str | Path, products: Sequence[str] | None = None) -> TrialDataset:
    """Read ``<table>.parquet`` or ``<table>.csv`` files from a folder and check them against the
    schema of a dataset attributing adverse events to ``products`` (default: the shipped
    protocol's).

    A table file is refused, naming it, when it is a folder, empty, not UTF-8 text (CSV), not
    Parquet, or names a column twice; a CSV table may hold a header only (a table with no rows).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError("directory", str(folder), "must be an existing folder of table files")
    raw: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        if parquet.exists() and csv.exists():
            raise DataError(name, None, None, f"both {parquet.name} and {csv.name} exist; keep one")
        if csv.exists():
            raw[name] = read_csv_table(
                csv, (), f"table {name}", allow_empty=True, dtype=str, keep_default_na=False
            )
        elif parquet.exists():
            raw[name] = _read_parquet(name, parquet)
    return TrialDataset.from_frames(products=products, **raw)


def _read_parquet(name: str, path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"table {name}", str(path), "is not a file")
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputError(
            f"table {name}", str(path), f"is not a readable Parquet file: {exc}"
        ) from None
    twice = frame.columns[frame.columns.duplicated()]
    if len(twice):
        raise InputError(f"table {name}", str(path), f"names the column {twice[0]!r} twice")
    return frame


def _for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column].dtype):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(out[column].dtype):
            out[column] = out[column].map({True: "true", False: "false"})
    return out


def write_dataset(dataset: TrialDataset, directory: str | Path, format: Format = "parquet") -> Path:
    """Write every table as ``<table>.<format>`` into ``directory`` (created if needed)."""
    if format not in ("parquet", "csv"):
        raise InputError("format", format, "must be 'parquet' or 'csv'")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in dataset.tables().items():
        other = folder / f"{name}.{'csv' if format == 'parquet' else 'parquet'}"
        other.unlink(missing_ok=True)
        if format == "parquet":
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            _for_csv(frame).to_csv(folder / f"{name}.csv", index=False)
    return folder


def stale_tables(format: Format) -> tuple[str, ...]:
    """The table files of the other format, which a folder rewritten in ``format`` must lose."""
    other = "csv" if format == "parquet" else "parquet"
    return tuple(f"{name}.{other}" for name in TABLES)
