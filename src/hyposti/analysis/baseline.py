"""Baseline characteristics and study-treatment exposure of the safety population, by dose level.

ICH E3 (1995) sections 11.2 (demographic and other baseline characteristics) and 12.1 (extent of
exposure): every treated patient, per dose group and overall; continuous variables as median
(range), categorical ones as n (%).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from hyposti.analysis.safety import ALL, dose_key, safety_population
from hyposti.data.dataset import TrialDataset


@dataclass(frozen=True)
class Spread:
    """Median and range of a continuous variable over the patients who have a value."""

    n: int
    median: float | None
    minimum: float | None
    maximum: float | None

    @classmethod
    def of(cls, values: pd.Series) -> Spread:
        v = pd.to_numeric(values, errors="coerce").dropna()
        if v.empty:
            return cls(0, None, None, None)
        return cls(len(v), float(v.median()), float(v.min()), float(v.max()))


@dataclass(frozen=True, slots=True)
class MedianRange:
    """Median and range of times (days): a Spread whose --json keys have always been ``min`` and
    ``max`` (kinetics Tmax, Tlast and biopsy days, time to response)."""

    n: int
    median: float | None
    min: float | None
    max: float | None

    @classmethod
    def of(cls, values: pd.Series) -> MedianRange:
        spread = Spread.of(values)
        return cls(spread.n, spread.median, spread.minimum, spread.maximum)


@dataclass(frozen=True)
class Category:
    """Patients with one value of a categorical variable; ``percent`` of the group's patients."""

    value: str
    n: int
    percent: float


def _categories(values: pd.Series, n: int, by_value: bool = False) -> tuple[Category, ...]:
    """Most frequent first, or in the variable's own order (ECOG 0, 1, 2) when ``by_value``."""
    counts = values.astype("string").fillna("not recorded").value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (kv[0],) if by_value else (-kv[1], kv[0]))
    return tuple(Category(str(v), int(c), 100.0 * int(c) / n) for v, c in ordered)


@dataclass(frozen=True)
class BaselineGroup:
    """Baseline characteristics of one dose level (or of all treated patients)."""

    dose_level: str
    n: int
    age_years: Spread
    sex: tuple[Category, ...]
    ecog: tuple[Category, ...]
    tumour_type: tuple[Category, ...]
    her2_expression_pct: Spread
    weight_kg: Spread


@dataclass(frozen=True)
class ExposureGroup:
    """What one dose level's patients actually received: cells and preconditioning doses.

    ``total_cells`` is cells/kg times the recorded body weight (the cell product is dosed per kg,
    so the total a patient received is what the manufacturing release has to cover).
    """

    dose_level: str
    n_preconditioned: int
    n_infused: int
    car_t_cells_per_kg: Spread
    car_t_total_cells: Spread
    preconditioning: dict[str, Spread]


@dataclass(frozen=True)
class BaselineAndExposure:
    """ICH E3 11.2 and 12.1 tables: one group per dose level, then all treated patients."""

    population: str
    baseline: tuple[BaselineGroup, ...]
    exposure: tuple[ExposureGroup, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _groups(pop: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    levels = sorted(int(v) for v in pop["dose_level"].unique())
    return [(dose_key(lv), pop.loc[pop["dose_level"] == lv]) for lv in levels] + [(ALL, pop)]


def baseline_and_exposure(ds: TrialDataset, car_t_product: str) -> BaselineAndExposure:
    """Baseline characteristics and exposure of the safety population (started preconditioning).

    ``car_t_product`` is the exposure table's product name of the cell product (the protocol's
    investigational product); every other product is preconditioning, summarised as the dose of
    each administration in its own unit.
    """
    pop = ds.subjects.loc[ds.subjects["subject_id"].isin(safety_population(ds)["subject_id"])]
    exposure = ds.exposure.loc[ds.exposure["subject_id"].isin(pop["subject_id"])]
    exposure = exposure.merge(pop[["subject_id", "dose_level", "weight_kg"]], on="subject_id")
    baseline, dosed = [], []
    for key, group in _groups(pop):
        n = len(group)
        baseline.append(
            BaselineGroup(
                dose_level=key,
                n=n,
                age_years=Spread.of(group["age_years"]),
                sex=_categories(group["sex"], n, by_value=True),
                ecog=_categories(group["ecog"].astype("Int64"), n, by_value=True),
                tumour_type=_categories(group["tumour_type"], n),
                her2_expression_pct=Spread.of(group["her2_expression_pct"]),
                weight_kg=Spread.of(group["weight_kg"]),
            )
        )
        rows = exposure.loc[exposure["subject_id"].isin(group["subject_id"])]
        cells = rows.loc[rows["product"] == car_t_product]
        others = rows.loc[rows["product"] != car_t_product]
        dosed.append(
            ExposureGroup(
                dose_level=key,
                n_preconditioned=n,
                n_infused=int(cells["subject_id"].nunique()),
                car_t_cells_per_kg=Spread.of(cells["dose"]),
                car_t_total_cells=Spread.of(cells["dose"] * cells["weight_kg"]),
                preconditioning={
                    f"{product} ({unit})": Spread.of(doses["dose"])
                    for (product, unit), doses in sorted(
                        others.groupby(["product", "dose_unit"]), key=lambda kv: str(kv[0])
                    )
                },
            )
        )
    return BaselineAndExposure(
        population="every patient who started preconditioning (safety population)",
        baseline=tuple(baseline),
        exposure=tuple(dosed),
    )
