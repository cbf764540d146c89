"""CDISC Dataset-JSON v1.1: write, read back and validate against the v1.1 JSON schema.

Dataset-JSON v1.1 (CDISC, 2024): dataset-level attributes, ``columns`` (itemOID, name, label,
dataType, length, keySequence) and ``rows`` as arrays of values. Character missing values are
written as "" (as in XPT), numeric ones as null; ADaM numeric dates are ``dataType`` "date" with
``targetDataType`` "integer" and ISO 8601 values (section "Dates and times").
The schema shipped in ``data/`` is the JSON Schema of the CDISC LinkML model
cdisc-org/DataExchange-DatasetJson ``schema/dataset.yaml`` (see data/NOTICE).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyposti.errors import InputError
from hyposti.standards.spec import Dataset

if TYPE_CHECKING:
    import pandas as pd

VERSION = "1.1.0"
DATA_TYPES = {"text": "string", "integer": "integer", "float": "double", "date": "date"}


def item_oid(dataset: str, variable: str) -> str:
    """The OID a variable has in define.xml and in Dataset-JSON: 'IT.<dataset>.<variable>'."""
    return f"IT.{dataset}.{variable}"


def _value(value: Any, dtype: str) -> Any:
    if dtype == "text":
        return value
    if value is None or value != value:
        return None
    if dtype == "date":
        return value.isoformat()
    if dtype == "integer":
        return int(value)
    return float(value)


def to_dataset_json(
    dataset: Dataset, study_oid: str, metadata_version_oid: str, created: dt.datetime
) -> dict[str, Any]:
    """One dataset as a Dataset-JSON v1.1 document."""
    spec, frame = dataset.spec, dataset.frame
    columns = []
    for v in spec.variables:
        column: dict[str, Any] = {
            "itemOID": item_oid(spec.name, v.name),
            "name": v.name,
            "label": v.label,
            "dataType": DATA_TYPES[v.dtype],
        }
        if v.dtype == "date":
            column["targetDataType"] = "integer"
            column["displayFormat"] = "DATE9."
        if v.dtype == "text":
            column["length"] = max([1, *(len(s.encode("utf-8")) for s in frame[v.name])])
        if v.name in spec.keys:
            column["keySequence"] = spec.keys.index(v.name) + 1
        columns.append(column)
    dtypes = [v.dtype for v in spec.variables]
    rows = [
        [_value(x, t) for x, t in zip(record, dtypes, strict=True)]
        for record in frame.itertuples(index=False, name=None)
    ]
    return {
        "datasetJSONCreationDateTime": created.isoformat(timespec="seconds"),
        "datasetJSONVersion": VERSION,
        "fileOID": f"{study_oid}.{spec.name}",
        "originator": "hyposti",
        "sourceSystem": {"name": "hyposti", "version": _hyposti_version()},
        "studyOID": study_oid,
        "metaDataVersionOID": metadata_version_oid,
        "metaDataRef": "define.xml",
        "itemGroupOID": f"IG.{spec.name}",
        "isReferenceData": not spec.subject_level,
        "records": len(rows),
        "name": spec.name,
        "label": spec.label,
        "columns": columns,
        "rows": rows,
    }


def _hyposti_version() -> str:
    from importlib.metadata import version

    return version("hyposti")


def write_dataset_json(
    dataset: Dataset, folder: Path, study_oid: str, metadata_version_oid: str, created: dt.datetime
) -> Path:
    """Write ``<name>.json`` (lower case) into ``folder`` and return its path."""
    path = folder / f"{dataset.name.lower()}.json"
    document = to_dataset_json(dataset, study_oid, metadata_version_oid, created)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@cache
def schema() -> dict[str, Any]:
    """The Dataset-JSON v1.1 JSON schema shipped with hyposti."""
    text = resources.files("hyposti.standards").joinpath("data/dataset-json-1.1.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def schema_errors(document: Any) -> list[str]:
    """Every place a document breaks the v1.1 schema, as 'path: message' (empty when valid)."""
    try:
        from jsonschema import Draft201909Validator
    except ImportError as exc:
        raise InputError(
            "jsonschema",
            None,
            "Dataset-JSON validation needs jsonschema (pip install hyposti[dev])",
        ) from exc
    validator = Draft201909Validator(schema())
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(document)'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def read_dataset_json(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A Dataset-JSON file's rows (dates as dates, text '' when missing) and its metadata."""
    import pandas as pd

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), None, f"cannot be read as JSON: {exc}") from exc
    columns = document.get("columns", [])
    names = [c["name"] for c in columns]
    frame = pd.DataFrame(document.get("rows", []), columns=names)
    types = {}
    for c in columns:
        kind = {"string": "text", "date": "date"}.get(c["dataType"], "float")
        types[c["name"]] = kind
        if kind == "date":
            frame[c["name"]] = frame[c["name"]].map(
                lambda s: None if s is None else dt.date.fromisoformat(s)
            )
        elif kind == "float":
            frame[c["name"]] = pd.to_numeric(frame[c["name"]]).astype(float)
    return frame, {
        "name": document.get("name"),
        "label": document.get("label"),
        "labels": {c["name"]: c.get("label", "") for c in columns},
        "types": types,
        "records": document.get("records"),
        "document": document,
    }
