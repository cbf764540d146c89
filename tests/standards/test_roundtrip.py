"""Every file reads back with an independent reader and holds the values that were written.

XPT files are opened with pyreadstat (ReadStat, the C reader used by R haven), Dataset-JSON files
with the json module and validated against the Dataset-JSON v1.1 schema by jsonschema.
"""

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from hyposti.standards.dataset_json import read_dataset_json, schema_errors


def _same(written: pd.DataFrame, read: pd.DataFrame, spec) -> None:
    assert list(read.columns) == list(spec.names)
    assert len(read) == len(written)
    for v in spec.variables:
        a, b = written[v.name].tolist(), read[v.name].tolist()
        if v.dtype == "text":
            assert a == b, v.name
        elif v.dtype == "date":
            # a missing SAS date reads back as NaN (pyreadstat) or None (JSON)
            assert list(a) == [None if y is None or y != y else y for y in b], v.name
        else:
            # XPT stores IBM floats: 14 significant digits survive (stated tolerance 1e-12)
            np.testing.assert_allclose(
                np.asarray(b, float),
                np.asarray(a, float),
                rtol=1e-12,
                equal_nan=True,
                err_msg=v.name,
            )


@pytest.mark.parametrize("kind", ["sdtm", "adam"])
def test_xpt_reads_back_with_pyreadstat(synthetic_packages, kind):
    built, folders = synthetic_packages
    for d in built[kind]:
        frame, meta = pyreadstat.read_xport(str(folders[(kind, "xpt")] / f"{d.name.lower()}.xpt"))
        assert meta.table_name == d.name
        assert meta.file_label == d.spec.label
        assert meta.column_names_to_labels == {v.name: v.label for v in d.spec.variables}
        _same(d.frame, frame, d.spec)


@pytest.mark.parametrize("kind", ["sdtm", "adam"])
def test_dataset_json_is_schema_valid_and_reads_back(synthetic_packages, kind):
    built, folders = synthetic_packages
    for d in built[kind]:
        path = folders[(kind, "json")] / f"{d.name.lower()}.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        assert schema_errors(document) == [], d.name
        assert document["records"] == len(document["rows"]) == len(d.frame)
        frame, _meta = read_dataset_json(path)
        _same(d.frame, frame, d.spec)


def test_schema_rejects_what_v11_forbids():
    # required attributes missing, a version that is not 1.1, a row that is not an array
    errors = schema_errors({"datasetJSONVersion": "1.0.0", "rows": [{"a": 1}]})
    text = "\n".join(errors)
    for required in ("datasetJSONCreationDateTime", "itemGroupOID", "records", "columns"):
        assert required in text
    assert any(e.startswith("datasetJSONVersion") for e in errors)
    assert any(e.startswith("rows/0") for e in errors)


def test_dates_are_sas_dates_in_xpt(synthetic_packages):
    _built, folders = synthetic_packages
    _frame, meta = pyreadstat.read_xport(str(folders[("adam", "xpt")] / "adsl.xpt"))
    assert meta.original_variable_types["TRTSDT"] == "DATE9"
    assert meta.readstat_variable_types["SUBJID"] == "string"
