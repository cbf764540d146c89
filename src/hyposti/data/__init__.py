"""The tabular trial dataset: one table per domain, schema-checked on load, Parquet or CSV.

The names below load on first use (PEP 562), so that reading a command's input file
(`hyposti.data.input_file`) does not import pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hyposti.data.dataset import TrialDataset, read_dataset, write_dataset
    from hyposti.data.schema import TABLES, Column, Table, dataset_schema
    from hyposti.data.validate import DatasetError

_SOURCE = {
    "TrialDataset": "dataset",
    "read_dataset": "dataset",
    "write_dataset": "dataset",
    "TABLES": "schema",
    "Column": "schema",
    "Table": "schema",
    "dataset_schema": "schema",
    "DatasetError": "validate",
}

__all__ = [
    "TABLES",
    "Column",
    "DatasetError",
    "Table",
    "TrialDataset",
    "dataset_schema",
    "read_dataset",
    "write_dataset",
]


def __getattr__(name: str) -> Any:
    if name not in _SOURCE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_SOURCE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
