"""Kinetics summaries: geometric mean and CV% by the closed-form formulas; table errors."""

import math

import pandas as pd
import pytest

from hyposti.analysis.kinetics import (
    Biopsy,
    ProfileNca,
    geometric_summary,
    kinetics_analysis,
    nca_table,
)
from hyposti.analysis.nca import NcaResult
from hyposti.data.example import example_dataset
from hyposti.errors import DataError


def test_geometric_mean_and_cv():
    values = [1500.0, 400.0, 5000.0]
    logs = [math.log(v) for v in values]
    mean = sum(logs) / 3
    var = sum((x - mean) ** 2 for x in logs) / 2
    out = geometric_summary(pd.Series([*values, 0.0, None]))
    assert out.geometric_mean == pytest.approx(math.exp(mean), rel=1e-12)
    assert out.geometric_cv_pct == pytest.approx(100 * math.sqrt(math.exp(var) - 1))
    assert (out.n, out.excluded) == (3, 2)


def test_example_dose_level_summary():
    ds = example_dataset()
    out = kinetics_analysis(ds.kinetics, ds.subjects.set_index("subject_id")["dose_level"])
    dl1 = next(e for e in out.by_dose_level if e.matrix == "blood" and e.dose_level == 1)
    assert dl1.cmax.geometric_mean == pytest.approx((1500 * 400 * 5000) ** (1 / 3))
    # S04's one tumour biopsy (day 14, 12,000 copies/ug) is a level, not a profile: no NCA
    assert {p.matrix for p in out.per_patient} == {"blood"}
    (s04,) = out.tumour.per_patient
    assert (s04.subject_id, s04.nca) == ("S04", False)
    assert s04.biopsies == (
        Biopsy(study_day=14.0, copies_per_ug=12000.0, lloq=10.0, below_lloq=False),
    )
    (dl2,) = out.tumour.by_dose_level
    assert (dl2.dose_level, dl2.n, dl2.n_below_lloq) == (2, 1, 0)
    assert dl2.level.geometric_mean == pytest.approx(12000)


def tumour_samples(rows):
    return pd.DataFrame(
        rows, columns=["subject_id", "matrix", "study_day", "copies_per_ug", "lloq"]
    )


def test_tumour_biopsies_by_dose_level_count_below_lloq_out_of_the_mean():
    samples = tumour_samples(
        [("A", "tumour", -20, None, 10), ("A", "tumour", 28, 100, 10),
         ("B", "tumour", 26, 1000, 10), ("B", "tumour", 56, 50, 10),
         ("C", "tumour", 30, 5, 10)]
    )  # fmt: skip
    out = kinetics_analysis(samples, pd.Series({"A": 1, "B": 1, "C": 1}))
    assert out.per_patient == ()  # nobody has 3 post-infusion tumour samples
    (dl1,) = out.tumour.by_dose_level
    # first post-infusion biopsy each: A 100 (day 28), B 1000 (day 26), C 5 < LLOQ 10 (day 30)
    assert (dl1.n, dl1.n_below_lloq, dl1.level.n) == (3, 1, 2)
    assert dl1.level.geometric_mean == pytest.approx(math.sqrt(100 * 1000))
    # two logs differing by ln 10: sample variance (ln 10)^2 / 2
    cv = 100 * math.sqrt(math.exp(math.log(10) ** 2 / 2) - 1)
    assert dl1.level.geometric_cv_pct == pytest.approx(cv)
    assert (dl1.biopsy_day.median, dl1.biopsy_day.min) == (28, 26)
    a = next(p for p in out.tumour.per_patient if p.subject_id == "A")
    assert [b.study_day for b in a.biopsies] == [-20, 28]
    assert a.biopsies[0].below_lloq and a.biopsies[0].copies_per_ug is None


def test_three_post_infusion_tumour_samples_make_a_profile():
    samples = tumour_samples(
        [("A", "tumour", 7, 400, 10), ("A", "tumour", 14, 800, 10), ("A", "tumour", 28, 200, 10),
         ("B", "tumour", -3, None, 10), ("B", "tumour", 14, 800, 10), ("B", "tumour", 28, 200, 10)]
    )  # fmt: skip
    out = kinetics_analysis(samples, pd.Series({"A": 1, "B": 1}))
    (a,) = out.per_patient
    assert (a.subject_id, a.matrix, a.cmax, a.tmax) == ("A", "tumour", 800, 14)
    nca = {p.subject_id: p.nca for p in out.tumour.per_patient}
    assert nca == {"A": True, "B": False}  # B's day -3 biopsy is before infusion


def test_a_patients_record_is_its_nca_with_who_and_which_dose_level():
    samples = pd.DataFrame(
        {"subject_id": ["A"] * 4, "matrix": ["blood"] * 4, "study_day": [0, 7, 14, 28],
         "copies_per_ug": [None, 1000, 100, 10], "lloq": [5] * 4}
    )  # fmt: skip
    (a,) = kinetics_analysis(samples, pd.Series({"A": 2})).per_patient
    # Day 0 BLQ counts as 0 (leading rule); 0 -> 1000 linear, then two tenfold falls: log-down
    # trapezoids (C1 - C2)(t2 - t1) / ln(C1 / C2) = 900 * 7 / ln 10 and 90 * 14 / ln 10.
    auc = 1000 * 7 / 2 + 900 * 7 / math.log(10) + 90 * 14 / math.log(10)
    assert isinstance(a, NcaResult)
    assert a == ProfileNca(
        subject_id="A", matrix="blood", cmax=1000, tmax=7, auc_0_28=pytest.approx(auc),
        auc_last=pytest.approx(auc), auc_all=pytest.approx(auc), clast=10, tlast=28,
        n_samples=4, n_blq=1, notes=(), dose_level=2,
    )  # fmt: skip
    # analyze --json's per-patient record: who, which matrix, the parameters, the dose level.
    record = kinetics_analysis(samples, pd.Series({"A": 2})).to_dict()["per_patient"][0]
    assert list(record) == [
        "subject_id", "matrix", "cmax", "tmax", "auc_0_28", "auc_last", "auc_all", "clast",
        "tlast", "n_samples", "n_blq", "notes", "dose_level",
    ]  # fmt: skip


def test_negative_copies_name_table_row_and_column():
    samples = pd.DataFrame(
        {"subject_id": ["A", "A", "B"], "matrix": ["blood"] * 3, "study_day": [0, 7, 0],
         "copies_per_ug": [0, 100, -3], "lloq": [10, 10, 10]}
    )  # fmt: skip
    with pytest.raises(DataError) as err:
        nca_table(samples)
    assert (err.value.table, err.value.row, err.value.column) == ("kinetics", 3, "copies_per_ug")
