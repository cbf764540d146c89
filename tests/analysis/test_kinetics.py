"""Kinetics summaries: geometric mean and CV% by the closed-form formulas; table errors."""

import math

import pandas as pd
import pytest

from hyposti.analysis.kinetics import geometric_summary, kinetics_analysis, nca_table
from hyposti.data.example import example_dataset
from hyposti.errors import DataError


def test_geometric_mean_and_cv():
    values = [1500.0, 400.0, 5000.0]
    logs = [math.log(v) for v in values]
    mean = sum(logs) / 3
    var = sum((x - mean) ** 2 for x in logs) / 2
    out = geometric_summary(pd.Series([*values, 0.0, None]))
    assert out["geometric_mean"] == pytest.approx(math.exp(mean), rel=1e-12)
    assert out["geometric_cv_pct"] == pytest.approx(100 * math.sqrt(math.exp(var) - 1))
    assert (out["n"], out["excluded"]) == (3, 2)


def test_example_dose_level_summary():
    ds = example_dataset()
    out = kinetics_analysis(ds.kinetics, ds.subjects.set_index("subject_id")["dose_level"])
    dl1 = next(e for e in out["by_dose_level"] if e["matrix"] == "blood" and e["dose_level"] == 1)
    assert dl1["cmax"]["geometric_mean"] == pytest.approx((1500 * 400 * 5000) ** (1 / 3))
    tumour = next(p for p in out["per_patient"] if p["matrix"] == "tumour")
    assert tumour["auc_last"] == pytest.approx((0 + 12000) * 14 / 2)  # 0 assumed at day 0


def test_negative_copies_name_table_row_and_column():
    samples = pd.DataFrame(
        {"subject_id": ["A", "A", "B"], "matrix": ["blood"] * 3, "study_day": [0, 7, 0],
         "copies_per_ug": [0, 100, -3], "lloq": [10, 10, 10]}
    )  # fmt: skip
    with pytest.raises(DataError) as err:
        nca_table(samples)
    assert (err.value.table, err.value.row, err.value.column) == ("kinetics", 3, "copies_per_ug")
