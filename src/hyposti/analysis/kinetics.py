"""Cellular kinetics: NCA per patient and matrix, and per-dose-level geometric summaries.

Geometric mean and geometric CV% = 100 sqrt(exp(s^2) - 1), s the SD of log values (Kirkwood 1979,
Biometrics 35:908); zeros and missing values cannot enter a log and are counted out, not imputed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from hyposti.analysis.nca import BlqRule, nca_profile
from hyposti.errors import DataError, InputError

PARAMETERS = ("cmax", "tmax", "auc_0_28", "auc_last", "clast", "tlast")
LOG_PARAMETERS = ("cmax", "auc_0_28", "auc_last", "clast")


def nca_table(
    samples: pd.DataFrame,
    blq: BlqRule | None = None,
    group_columns: tuple[str, ...] = ("subject_id", "matrix"),
    table: str = "kinetics",
) -> pd.DataFrame:
    """NCA of every profile in a concentration-time table (columns study_day, copies_per_ug, lloq).

    A bad value raises DataError naming the table, the 1-based row and the column.
    """
    for column in ("study_day", "copies_per_ug", "lloq", *group_columns):
        if column not in samples.columns:
            raise DataError(table, None, column, "required column is missing")
    frame = samples.reset_index(drop=True)
    copies = pd.to_numeric(frame["copies_per_ug"], errors="coerce")
    negative = np.flatnonzero((copies < 0).to_numpy())
    if negative.size:
        i = int(negative[0])
        raise DataError(table, i + 1, "copies_per_ug", f"{copies[i]:g} copies cannot be negative")
    days = pd.to_numeric(frame["study_day"], errors="coerce").to_numpy(dtype=float)
    limits = pd.to_numeric(frame["lloq"], errors="coerce").to_numpy(dtype=float)
    values = copies.to_numpy(dtype=float)
    rows = []
    for key, index in frame.groupby(list(group_columns), sort=True).indices.items():
        keys = key if isinstance(key, tuple) else (key,)
        try:
            result = nca_profile(days[index], values[index], limits[index], blq=blq)
        except InputError as exc:
            column = exc.field.split("[")[0]
            position = exc.field.split("[")[1].rstrip("]") if "[" in exc.field else None
            row = int(index[int(position)]) + 1 if position is not None else None
            raise DataError(table, row, column, f"{exc.value!r}: {exc.rule}") from exc
        rows.append(dict(zip(group_columns, keys, strict=True)) | result.as_dict())
    columns = [*group_columns, *PARAMETERS, "n_samples", "n_blq", "notes"]
    return pd.DataFrame(rows, columns=columns)


def geometric_summary(values: pd.Series) -> dict[str, Any]:
    """n, geometric mean and geometric CV% of the positive values; count of those left out."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    positive = v[np.isfinite(v) & (v > 0)]
    n = int(positive.size)
    if n == 0:
        return {"n": 0, "excluded": int(v.size), "geometric_mean": None, "geometric_cv_pct": None}
    logs = np.log(positive)
    cv = 100 * math.sqrt(math.expm1(float(np.var(logs, ddof=1)))) if n > 1 else None
    return {
        "n": n,
        "excluded": int(v.size - n),
        "geometric_mean": float(np.exp(logs.mean())),
        "geometric_cv_pct": cv,
    }


def _median_range(values: pd.Series) -> dict[str, Any]:
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {"n": int(v.size), "median": float(v.median()), "min": float(v.min()),
            "max": float(v.max())}  # fmt: skip


def dose_level_summary(nca: pd.DataFrame, dose_levels: pd.Series) -> list[dict[str, Any]]:
    """Per matrix and dose level: geometric mean (CV%) of exposure, median (range) of times."""
    frame = nca.assign(dose_level=nca["subject_id"].map(dose_levels))
    out = []
    for (matrix, level), group in frame.groupby(["matrix", "dose_level"], sort=True):
        entry: dict[str, Any] = {"matrix": matrix, "dose_level": int(level), "n": len(group)}
        for p in LOG_PARAMETERS:
            entry[p] = geometric_summary(group[p])
        for p in ("tmax", "tlast"):
            entry[p] = _median_range(group[p])
        out.append(entry)
    return out


def kinetics_analysis(
    samples: pd.DataFrame, dose_levels: pd.Series, blq: BlqRule | None = None
) -> dict[str, Any]:
    """NCA per patient and matrix plus dose-level summaries, with the LLOQ rule stated."""
    rule = blq or BlqRule()
    nca = nca_table(samples, rule)
    records = nca.assign(dose_level=nca["subject_id"].map(dose_levels)).to_dict(orient="records")
    for r in records:
        r["dose_level"] = None if pd.isna(r["dose_level"]) else int(r["dose_level"])
        for p in PARAMETERS:
            r[p] = None if r[p] is None or pd.isna(r[p]) else float(r[p])
    return {
        "method": "AUC by linear-up/log-down trapezoids; AUC0-28 interpolated at day 28 "
        "(log-linear on a falling segment); no extrapolation",
        "blq_rule": rule.describe(),
        "units": {"concentration": "copies/ug gDNA", "time": "days", "auc": "copies*day/ug"},
        "per_patient": records,
        "by_dose_level": dose_level_summary(nca, dose_levels),
    }
