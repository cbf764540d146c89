"""Cellular kinetics: NCA of blood profiles, tumour biopsy levels, per-dose-level summaries.

Geometric mean and geometric CV% = 100 sqrt(exp(s^2) - 1), s the SD of log values (Kirkwood 1979,
Biometrics 35:908); zeros and missing values cannot enter a log and are counted out, not imputed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from hyposti.analysis.baseline import MedianRange
from hyposti.analysis.missing import int_or_none
from hyposti.analysis.nca import (
    PARAMETERS,
    BlqRule,
    NcaResult,
    check_samples,
    nca_of_profiles,
)
from hyposti.errors import DataError, InputError, shown

TUMOUR = "tumour"
MIN_TUMOUR_PROFILE_SAMPLES = 3
TUMOUR_RULE = (
    "Tumour tissue is sampled by biopsy: a patient with fewer than 3 post-infusion tumour samples "
    "has point levels, reported as measured with the biopsy day (no AUC, Tmax or level assumed at "
    "day 0); with 3 or more, the tumour samples form a profile and NCA applies as in blood. Per "
    "dose level the first post-infusion biopsy of each patient is summarised."
)


@dataclass(frozen=True, slots=True)
class GeometricSummary:
    """Geometric mean and CV% over the ``n`` positive values; ``excluded`` values were 0 or
    missing (no log). CV% needs two values."""

    n: int
    excluded: int
    geometric_mean: float | None
    geometric_cv_pct: float | None


@dataclass(frozen=True)
class ProfileId:
    """Which profile: one patient's samples in one matrix (blood, or a tumour series)."""

    subject_id: str
    matrix: str


@dataclass(frozen=True)
class ProfileNca(NcaResult, ProfileId):
    """The NCA of one patient's profile in one matrix (hyposti.analysis.nca), with its dose level;
    a parameter the profile cannot give is None.

    Fields read subject, matrix, NcaResult's parameters, dose level (dataclasses take the bases'
    fields last base first), and so do the keys of ``analyze --json``'s per-patient records.
    """

    dose_level: int | None


@dataclass(frozen=True, slots=True)
class DoseLevelKinetics:
    """One matrix at one dose level: exposure as geometric summaries, times as median (range)."""

    matrix: str
    dose_level: int
    n: int
    cmax: GeometricSummary
    auc_0_28: GeometricSummary
    auc_last: GeometricSummary
    auc_all: GeometricSummary
    clast: GeometricSummary
    tmax: MedianRange
    tlast: MedianRange


@dataclass(frozen=True, slots=True)
class Biopsy:
    """One tumour sample: copies/ug, or None below the LLOQ."""

    study_day: float
    copies_per_ug: float | None
    lloq: float
    below_lloq: bool


@dataclass(frozen=True, slots=True)
class TumourPatient:
    """A patient's tumour samples; ``nca`` when they form a profile (analysed with the blood)."""

    subject_id: str
    dose_level: int | None
    nca: bool
    biopsies: tuple[Biopsy, ...]


@dataclass(frozen=True, slots=True)
class TumourDoseLevel:
    """Each patient's first post-infusion biopsy at one dose level."""

    dose_level: int
    n: int
    n_below_lloq: int
    level: GeometricSummary
    biopsy_day: MedianRange


@dataclass(frozen=True, slots=True)
class TumourBiopsies:
    rule: str
    per_patient: tuple[TumourPatient, ...]
    by_dose_level: tuple[TumourDoseLevel, ...]


@dataclass(frozen=True, slots=True)
class KineticsUnits:
    concentration: str
    time: str
    auc: str


@dataclass(frozen=True, slots=True)
class KineticsAnalysis:
    """Per-profile NCA, per-dose summaries and the tumour biopsies, with the rules applied."""

    method: str
    blq_rule: str
    units: KineticsUnits
    per_patient: tuple[ProfileNca, ...]
    by_dose_level: tuple[DoseLevelKinetics, ...]
    tumour: TumourBiopsies

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


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
    groups = frame.groupby(list(group_columns), sort=True).indices
    members = list(groups.values())
    # The sample checks over the whole table at once; only a table that fails them is checked
    # profile by profile, so the error names the first offending row as it always has.
    try:
        check_samples(days, values, limits, one_per_day=False)
        whole_table_ok = not frame.assign(_day=days).duplicated([*group_columns, "_day"]).any()
    except InputError:
        whole_table_ok = False
    if not whole_table_ok:
        for index in members:
            try:
                check_samples(days[index], values[index], limits[index])
            except InputError as exc:
                column = exc.field.split("[")[0]
                position = exc.field.split("[")[1].rstrip("]") if "[" in exc.field else None
                row = int(index[int(position)]) + 1 if position is not None else None
                raise DataError(table, row, column, f"{shown(exc.value)}: {exc.rule}") from exc
    # Rows whose group key is empty belong to no profile (groupby leaves them out).
    profile = np.full(len(frame), -1, dtype=np.int64)
    if members:
        profile[np.concatenate(members)] = np.repeat(
            np.arange(len(members)), [len(m) for m in members]
        )
    grouped = profile >= 0
    result = nca_of_profiles(
        profile[grouped], days[grouped], values[grouped], limits[grouped], len(members),
        blq or BlqRule(),
    )  # fmt: skip
    keys = [k if isinstance(k, tuple) else (k,) for k in groups]
    data: dict[str, Any] = {c: [k[i] for k in keys] for i, c in enumerate(group_columns)}
    for name in (*PARAMETERS, "n_samples", "n_blq"):
        data[name] = getattr(result, name)
    data["notes"] = [list(n) for n in result.notes]
    return pd.DataFrame(data, columns=list(data))


def geometric_summary(values: pd.Series) -> GeometricSummary:
    """n, geometric mean and geometric CV% of the positive values; count of those left out."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    positive = v[np.isfinite(v) & (v > 0)]
    n = int(positive.size)
    if n == 0:
        return GeometricSummary(0, int(v.size), None, None)
    logs = np.log(positive)
    cv = 100 * math.sqrt(math.expm1(float(np.var(logs, ddof=1)))) if n > 1 else None
    return GeometricSummary(n, int(v.size - n), float(np.exp(logs.mean())), cv)


def dose_level_summary(nca: pd.DataFrame, dose_levels: pd.Series) -> list[DoseLevelKinetics]:
    """Per matrix and dose level: geometric mean (CV%) of exposure, median (range) of times."""
    frame = nca.assign(dose_level=nca["subject_id"].map(dose_levels))
    out = []
    for (matrix, _), group in frame.groupby(["matrix", "dose_level"], sort=True):
        out.append(
            DoseLevelKinetics(
                matrix=str(matrix),
                dose_level=int(group["dose_level"].iloc[0]),
                n=len(group),
                cmax=geometric_summary(group["cmax"]),
                auc_0_28=geometric_summary(group["auc_0_28"]),
                auc_last=geometric_summary(group["auc_last"]),
                auc_all=geometric_summary(group["auc_all"]),
                clast=geometric_summary(group["clast"]),
                tmax=MedianRange.of(group["tmax"]),
                tlast=MedianRange.of(group["tlast"]),
            )
        )
    return out


def tumour_profiles(samples: pd.DataFrame) -> pd.Series:
    """Per sample: True where it belongs to a tumour series long enough for NCA.

    NCA summarises a concentration-time curve (Gabrielsson & Weiner 2016, section 2.8); three
    post-infusion samples are the fewest that can show a rise and a decline, and PKNCA's minimum
    for any terminal slope (``min.hl.points = 3``; Denney et al. 2015). One or two biopsies are
    point levels of tissue exposure and are reported as measured, while blood gives the expansion
    and persistence profile that FDA's draft guidance "Considerations for the Development of CAR T
    Cell Products" (2022, clinical pharmacology) asks to characterise.
    """
    tumour = samples["matrix"] == TUMOUR
    post = tumour & (pd.to_numeric(samples["study_day"], errors="coerce") >= 0)
    counts = samples.loc[post].groupby("subject_id")["study_day"].nunique()
    long_enough = samples["subject_id"].map(counts).fillna(0) >= MIN_TUMOUR_PROFILE_SAMPLES
    return tumour & long_enough


def tumour_biopsies(samples: pd.DataFrame, dose_levels: pd.Series) -> TumourBiopsies:
    """Tumour levels per patient (each biopsy: day, copies/ug or below LLOQ) and per dose level
    the geometric mean (CV%) of each patient's first post-infusion biopsy, n and n below LLOQ."""
    tumour = samples.loc[samples["matrix"] == TUMOUR].sort_values(["subject_id", "study_day"])
    copies = pd.to_numeric(tumour["copies_per_ug"], errors="coerce")
    blq = copies.isna() | (copies < pd.to_numeric(tumour["lloq"], errors="coerce"))
    tumour = tumour.assign(
        level=copies.where(~blq), below_lloq=blq, dose_level=tumour["subject_id"].map(dose_levels)
    )
    profiled = tumour_profiles(tumour)
    per_patient = []
    for sid, group in tumour.groupby("subject_id", sort=True):
        level = group["dose_level"].iloc[0]
        per_patient.append(
            TumourPatient(
                subject_id=str(sid),
                dose_level=int_or_none(level),
                nca=bool(profiled.loc[group.index].any()),
                biopsies=tuple(
                    Biopsy(
                        study_day=float(day),
                        copies_per_ug=None if below else float(value),
                        lloq=float(lloq),
                        below_lloq=bool(below),
                    )
                    for day, value, lloq, below in zip(
                        group["study_day"],
                        group["level"],
                        group["lloq"],
                        group["below_lloq"],
                        strict=True,
                    )
                ),
            )
        )
    first = tumour.loc[tumour["study_day"] >= 0].groupby("subject_id", sort=True).head(1)
    by_dose_level = []
    for _, group in first.dropna(subset=["dose_level"]).groupby("dose_level", sort=True):
        days = group["study_day"]
        by_dose_level.append(
            TumourDoseLevel(
                dose_level=int(group["dose_level"].iloc[0]),
                n=len(group),
                n_below_lloq=int(group["below_lloq"].sum()),
                level=geometric_summary(group["level"]),
                biopsy_day=MedianRange.of(days),
            )
        )
    return TumourBiopsies(TUMOUR_RULE, tuple(per_patient), tuple(by_dose_level))


def kinetics_analysis(
    samples: pd.DataFrame, dose_levels: pd.Series, blq: BlqRule | None = None
) -> KineticsAnalysis:
    """NCA of blood (and of long tumour series) per patient, tumour biopsy levels, dose-level
    summaries, with the LLOQ rule and the tumour rule stated."""
    rule = blq or BlqRule()
    profiles = samples.loc[(samples["matrix"] != TUMOUR) | tumour_profiles(samples)]
    nca = nca_table(profiles, rule)
    # Column by column, then one record per profile: no per-cell pandas call (10^4 profiles).
    columns = {name: nca[name].tolist() for name in nca.columns}
    for p in PARAMETERS:
        columns[p] = [None if v is None or v != v else float(v) for v in columns[p]]
    levels = nca["subject_id"].map(dose_levels)
    columns["dose_level"] = [int_or_none(v) for v in levels.tolist()]
    per_patient = tuple(
        ProfileNca(
            subject_id=str(r["subject_id"]),
            matrix=str(r["matrix"]),
            cmax=r["cmax"],
            tmax=r["tmax"],
            auc_0_28=r["auc_0_28"],
            auc_last=r["auc_last"],
            auc_all=r["auc_all"],
            clast=r["clast"],
            tlast=r["tlast"],
            n_samples=int(r["n_samples"]),
            n_blq=int(r["n_blq"]),
            notes=tuple(r["notes"]),
            dose_level=r["dose_level"],
        )
        for r in (
            dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)
        )
    )
    return KineticsAnalysis(
        method="AUC by linear-up/log-down trapezoids; AUC0-28 interpolated at day 28 "
        "(log-linear on a falling segment); no extrapolation",
        blq_rule=rule.describe(),
        units=KineticsUnits(concentration="copies/ug gDNA", time="days", auc="copies*day/ug"),
        per_patient=per_patient,
        by_dose_level=tuple(dose_level_summary(nca, dose_levels)),
        tumour=tumour_biopsies(samples, dose_levels),
    )
