"""The tabular trial dataset: one table per domain, schema-checked on load, Parquet or CSV.

The names below load on first use (PEP 562), so that reading a command's input file
(`hyposti.data.input_file`) does not import pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyposti.errors import DatasetError
from hyposti.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from hyposti.data.dataset import TrialDataset, read_dataset, write_dataset
    from hyposti.data.schema import TABLES, Column, Table, dataset_schema, dataset_tables

_SOURCE = {
    "TrialDataset": "dataset",
    "read_dataset": "dataset",
    "write_dataset": "dataset",
    "TABLES": "schema",
    "Column": "schema",
    "Table": "schema",
    "dataset_schema": "schema",
    "dataset_tables": "schema",
}

__all__ = [
    "TABLES",
    "Column",
    "DatasetError",
    "Table",
    "TrialDataset",
    "dataset_schema",
    "dataset_tables",
    "read_dataset",
    "write_dataset",
]

__getattr__, __dir__ = lazy_exports(__name__, _SOURCE, globals())
