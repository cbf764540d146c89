"""SAS transport (XPORT) version 5 files via pyreadstat: the FDA's format for submitted datasets.

FDA Study Data Technical Conformance Guide section 3.3: XPT v5, variable names at most 8
characters, labels at most 40, character values at most 200 bytes, one dataset per file named
after the dataset in lower case. ADaM numeric dates are SAS dates with the DATE9. format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyposti.errors import InputError
from hyposti.standards.spec import Dataset

if TYPE_CHECKING:
    import pandas as pd

MAX_NAME, MAX_LABEL, MAX_TEXT_BYTES = 8, 40, 200


def check_transport_limits(dataset: Dataset) -> None:
    """Refuse what XPT v5 cannot hold (a name, label or value that would be cut)."""
    spec = dataset.spec
    if len(spec.name) > MAX_NAME:
        raise InputError("dataset", spec.name, f"XPT v5 dataset names hold {MAX_NAME} characters")
    for v in spec.variables:
        if len(v.name) > MAX_NAME:
            raise InputError(f"{spec.name}.{v.name}", v.name, f"names hold {MAX_NAME} characters")
        if len(v.label) > MAX_LABEL:
            raise InputError(f"{spec.name}.{v.name}.label", v.label,
                             f"labels hold {MAX_LABEL} characters")  # fmt: skip
        if v.dtype == "text":
            sizes = dataset.frame[v.name].map(lambda s: len(s.encode("utf-8")))
            if len(sizes) and int(sizes.max()) > MAX_TEXT_BYTES:
                row = int(sizes.to_numpy().argmax())
                raise InputError(
                    f"{spec.name}[{row + 1}].{v.name}", dataset.frame[v.name].iloc[row],
                    f"XPT v5 character values hold {MAX_TEXT_BYTES} bytes",
                )  # fmt: skip


def write_xpt(dataset: Dataset, folder: Path) -> Path:
    """Write ``<name>.xpt`` (lower case) into ``folder`` and return its path."""
    import pyreadstat

    check_transport_limits(dataset)
    path = folder / f"{dataset.name.lower()}.xpt"
    spec = dataset.spec
    pyreadstat.write_xport(
        dataset.frame,
        str(path),
        file_label=spec.label,
        column_labels=[v.label for v in spec.variables],
        table_name=spec.name,
        file_format_version=5,
        variable_format={v.name: "DATE9" for v in spec.variables if v.dtype == "date"},
    )
    return path


def read_xpt(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """An XPT file's rows and its metadata (table name, file label, variable labels and types)."""
    import pyreadstat

    frame, meta = pyreadstat.read_xport(str(path))
    return frame, {
        "name": meta.table_name,
        "label": meta.file_label,
        "labels": dict(meta.column_names_to_labels),
        "types": {
            k: ("date" if meta.original_variable_types.get(k) in ("DATE", "DATE9") else
                "text" if t == "string" else "float")
            for k, t in meta.readstat_variable_types.items()
        },
    }  # fmt: skip
