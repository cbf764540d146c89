"""The synthetic trial's parameters: one validated record read from a documented YAML file.

The shipped ``defaults.yaml`` (package data beside this module) carries the source of every value:
[lit] for a number read in the cited publication, [est] for an estimate with its reasoning.
"""

from __future__ import annotations

import datetime as dt
import itertools
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hyposti.errors import InputError
from hyposti.protocol.loader import parse_yaml_model

Probability = float


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarParameters(_Section):
    start_date: dt.date
    screenings_per_month: float = Field(gt=0)
    stress_screenings_per_month: float = Field(gt=0)
    screening_to_enrolment_days: int = Field(ge=0)
    safety_review_days: int = Field(ge=0)
    new_therapy_days_after_confirmation: int = Field(ge=0)
    screening_to_infusion_days: tuple[int, int]

    @model_validator(mode="after")
    def _infusion_after_enrolment(self) -> CalendarParameters:
        low, high = self.screening_to_infusion_days
        if not self.screening_to_enrolment_days + 5 < low <= high:
            raise ValueError(
                f"screening_to_infusion_days {low}-{high} must be ordered and leave the 5 days "
                f"of preconditioning after enrolment (day {self.screening_to_enrolment_days})"
            )
        return self


class PopulationParameters(_Section):
    age_mean_years: float = Field(gt=0)
    age_sd_years: float = Field(ge=0)
    female_fraction: Probability = Field(ge=0, le=1)
    childbearing_potential_fraction_under_50: Probability = Field(ge=0, le=1)
    weight_median_kg: float = Field(gt=0)
    weight_log_sd: float = Field(ge=0)
    height_mean_cm: float = Field(gt=0)
    height_sd_cm: float = Field(ge=0)
    height_female_offset_cm: float
    tumour_types: dict[str, float] = Field(min_length=1)


class LabDistribution(_Section):
    """A screening lab result: log-normal; ``uln`` when the record judges it against the ULN."""

    median: float = Field(gt=0)
    log_sd: float = Field(ge=0)
    uln: float | None = Field(default=None, gt=0)


class ScreeningParameters(_Section):
    failure_probability: dict[str, Probability] = Field(
        description="Per criterion id: probability that a screened patient fails it."
    )
    ecog_probabilities: list[Probability] = Field(min_length=1, max_length=6)
    life_expectancy_months: tuple[float, float]
    washout_days: tuple[int, int]
    tumour_sample_age_days: tuple[int, int]
    fresh_sample_fraction: Probability = Field(ge=0, le=1)
    her2_max_percent: float = Field(gt=0, le=100)
    labs: dict[str, LabDistribution] = Field(min_length=1)

    @model_validator(mode="after")
    def _probabilities(self) -> ScreeningParameters:
        bad = {k: v for k, v in self.failure_probability.items() if not 0.0 <= v < 1.0}
        if bad:
            raise ValueError(f"failure probabilities must lie in [0, 1); got {bad}")
        if abs(sum(self.ecog_probabilities) - 1.0) > 1e-9:
            raise ValueError(f"ecog_probabilities must sum to 1; got {self.ecog_probabilities}")
        for name in ("life_expectancy_months", "washout_days", "tumour_sample_age_days"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be 0 <= low <= high; got {low}-{high}")
        return self


class DosingParameters(_Section):
    preconditioning_doses: dict[str, float] = Field(
        min_length=1, description="Chosen dose per preconditioning agent, in its dose basis."
    )


class KineticsParameters(_Section):
    cmax_copies_per_ug: float = Field(gt=0)
    tmax_days: float = Field(gt=0)
    expansion_fold: float = Field(gt=1)
    alpha_per_day: float = Field(gt=0)
    persistent_fraction: float = Field(gt=0, lt=1)
    beta_per_day: float = Field(gt=0)
    dose_exponent: float
    reference_dose_cells_per_kg: float = Field(gt=0)
    burden_exponent: float
    reference_sld_mm: float = Field(gt=0)
    omega2: dict[Literal["cmax", "tmax", "fold", "alpha", "persistent_fraction", "beta"], float] = (
        Field(description="Between-patient variances of the log (logit for FB) parameters.")
    )
    residual_sd: float = Field(ge=0)
    lloq_copies_per_ug: float = Field(gt=0)
    pre_infusion_sample: bool
    tumour_biopsy_probability: Probability = Field(ge=0, le=1)
    tumour_biopsy_day: int = Field(ge=1)
    tumour_to_blood_median: float = Field(gt=0)
    tumour_to_blood_log_sd: float = Field(ge=0)

    @model_validator(mode="after")
    def _complete(self) -> KineticsParameters:
        missing = {"cmax", "tmax", "fold", "alpha", "persistent_fraction", "beta"} - set(
            self.omega2
        )
        if missing:
            raise ValueError(f"omega2 lacks {sorted(missing)}")
        if any(v < 0 for v in self.omega2.values()):
            raise ValueError("omega2 variances must be >= 0")
        return self


class TumourParameters(_Section):
    target_count_probabilities: list[Probability] = Field(min_length=1, max_length=5)
    non_target_mean: float = Field(ge=0)
    organs: dict[str, float] = Field(min_length=3)
    diameter_median_mm: float = Field(gt=0)
    diameter_log_sd: float = Field(ge=0)
    growth_median_per_day: float = Field(gt=0)
    growth_log_sd: float = Field(ge=0)
    kill_median_per_auc: float = Field(ge=0)
    kill_log_sd: float = Field(ge=0)
    lesion_log_sd: float = Field(ge=0)
    measurement_cv: float = Field(ge=0, lt=0.5)
    disappeared_below_mm: float = Field(ge=0)
    new_lesion_hazard_per_day: float = Field(ge=0)
    new_lesion_median_mm: float = Field(gt=0)
    new_lesion_log_sd: float = Field(ge=0)
    new_lesion_equivocal_below_mm: float = Field(ge=0)
    max_new_lesions: int = Field(ge=0, le=20)
    non_target_progression_ratio: float = Field(gt=1)
    non_target_increase_ratio: float = Field(gt=1)
    lesion_not_evaluated_probability: Probability = Field(ge=0, lt=1)
    missed_assessment_probability: Probability = Field(ge=0, lt=1)

    @model_validator(mode="after")
    def _distribution(self) -> TumourParameters:
        if abs(sum(self.target_count_probabilities) - 1.0) > 1e-9:
            raise ValueError("target_count_probabilities must sum to 1")
        return self


GradeCurve = list[float]


class LabNadir(_Section):
    """A log-normal nadir of a blood count after lymphodepletion, in the grader's unit."""

    median: float = Field(gt=0)
    log_sd: float = Field(ge=0)
    unit: str
    lln: float = Field(gt=0)


class ToxicityParameters(_Section):
    anchor_doses_cells_per_kg: list[float] = Field(min_length=1)
    crs_at_least: list[GradeCurve]
    icans_at_least: list[GradeCurve]
    neurotoxicity_scale: Literal["ASTCT 2019 ICANS", "CARTOX CRES"]
    skin_mucosal_at_least: list[GradeCurve]
    pneumonitis_at_least: list[GradeCurve]
    crs_onset_median_days: float = Field(gt=0)
    crs_duration_median_days: float = Field(gt=0)
    icans_onset_median_days: float = Field(gt=0)
    icans_duration_median_days: float = Field(gt=0)
    onset_log_sd: float = Field(ge=0)
    fever_masked_probability: Probability = Field(ge=0, le=1)
    chemotherapy: dict[str, list[float]]
    lab_nadirs: dict[str, LabNadir]

    @model_validator(mode="after")
    def _curves(self) -> ToxicityParameters:
        doses = self.anchor_doses_cells_per_kg
        if sorted(doses) != doses or len(set(doses)) != len(doses):
            raise ValueError("anchor_doses_cells_per_kg must increase strictly")
        for name in (
            "crs_at_least",
            "icans_at_least",
            "skin_mucosal_at_least",
            "pneumonitis_at_least",
        ):
            curves = getattr(self, name)
            if len(curves) != len(doses):
                raise ValueError(f"{name} needs one curve per anchor dose ({len(doses)})")
            for curve in curves:
                _check_curve(name, curve, 5)
        for term, curve in self.chemotherapy.items():
            _check_curve(f"chemotherapy[{term}]", curve, 4)
        return self


def _check_curve(name: str, curve: list[float], length: int) -> None:
    """P(grade >= k) for k = 1..length must be probabilities that never increase with k."""
    if len(curve) != length:
        raise ValueError(f"{name}: {curve} must give P(grade >= k) for k = 1..{length}")
    if any(not 0.0 <= p <= 1.0 for p in curve):
        raise ValueError(f"{name}: {curve} holds a value outside [0, 1]")
    if any(b > a for a, b in itertools.pairwise(curve)):
        raise ValueError(f"{name}: {curve} must not increase with the grade")


class SurvivalParameters(_Section):
    post_progression_median_days: float = Field(gt=0)
    pre_progression_death_hazard_per_day: float = Field(ge=0)
    dropout_hazard_per_day: float = Field(ge=0)


class SimulationParameters(_Section):
    """Everything the synthetic trial draws from; the protocol comes from the protocol file."""

    schema_version: Literal[1]
    calendar: CalendarParameters
    population: PopulationParameters
    screening: ScreeningParameters
    dosing: DosingParameters
    kinetics: KineticsParameters
    tumour: TumourParameters
    toxicity: ToxicityParameters
    survival: SurvivalParameters


def default_parameters_path() -> Path:
    """Where the shipped, documented defaults live (package data)."""
    return Path(str(resources.files("hyposti.virtual").joinpath("defaults.yaml")))


def load_parameters(path: str | Path | None = None) -> SimulationParameters:
    """Read and validate a parameter file; ``None`` gives the shipped defaults."""
    source = Path(path) if path is not None else default_parameters_path()
    if not source.is_file():
        raise InputError("params", str(source), "must be an existing YAML parameter file")
    return parse_yaml_model(source.read_text(encoding="utf-8"), str(source), SimulationParameters)
