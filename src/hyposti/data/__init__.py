"""The tabular trial dataset: one table per domain, schema-checked on load, Parquet or CSV."""

from hyposti.data.dataset import TrialDataset, read_dataset, write_dataset
from hyposti.data.schema import TABLES, Column, Table, dataset_schema
from hyposti.data.validate import DatasetError

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
