"""The twin's biology: one validated record read from a documented YAML parameter file.

Every parameter carries its value, unit, between-patient log-normal CV, basis ([lit] read in the
cited source, [est] an estimate) and source; ``parameters.yaml`` ships beside this module.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hyposti.errors import InputError
from hyposti.protocol.loader import parse_yaml_model

#: Names the model reads; a file lacking one, or naming another, is refused at load.
NAMES = (
    "tumour_po2_scale",
    "lesion_po2_scale",
    "po2_log_sd_within_lesion",
    "hypoxia_threshold_mmhg",
    "lung_po2_mmhg",
    "gate_fold_change",
    "gate_threshold_mmhg",
    "gate_hill_coefficient",
    "gate_leak",
    "initial_copies_per_dose",
    "tmax_days",
    "expansion_log_fold_max",
    "engagement_ec50",
    "contraction_alpha_per_day",
    "persistent_fraction",
    "persistence_beta_per_day",
    "tumour_to_blood_ratio",
    "gompertz_rate_per_day",
    "carrying_diameter_mm",
    "kill_rate_per_day",
    "reference_diameter_mm",
    "lung_antigen_units",
    "antigen_half_engagement",
    "cytokine_susceptibility",
    "fever_engagement",
    "hypotension_engagement",
    "vasopressor_engagement",
    "oxygen_engagement",
    "lung_injury_engagement",
    "fatal_engagement",
    "icans_engagement",
    "neuro_susceptibility",
    "crs_onset_fraction_of_tmax",
    "crs_duration_days",
    "icans_delay_days",
    "icans_duration_days",
)
#: Fractions must stay below 1 for every patient, so they cannot carry log-normal variability
#: unless drawn on the logit scale (only the persisting fraction is).
FRACTIONS = ("gate_leak", "persistent_fraction")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Record):
    """One documented parameter: typical value, unit, between-patient CV and its source."""

    value: float = Field(ge=0)
    unit: str = Field(min_length=1)
    cv: float = Field(ge=0, le=5)
    basis: Literal["lit", "est"]
    source: str = Field(min_length=1)

    @property
    def log_sd(self) -> float:
        """SD of the log of a log-normal with this CV: sqrt(ln(1 + cv^2))."""
        return float(np.sqrt(np.log1p(self.cv**2)))


class TumourType(_Record):
    po2_median_mmhg: float = Field(gt=0)
    basis: Literal["lit", "est"]
    source: str = Field(min_length=1)


class Correlation(_Record):
    """Correlation of two parameters' log-scale between-patient deviations."""

    first: str
    second: str
    rho: float = Field(gt=-1, lt=1)
    basis: Literal["lit", "est"]
    source: str = Field(min_length=1)


class ReferenceCar(_Record):
    """The reference CAR whose published kinetics calibrate the twin's kinetic spreads
    (``hyposti.twin.kinetic_calibration``): its typical level just after infusion and its
    typical log fold expansion at saturating antigen engagement."""

    name: str = Field(min_length=1)
    initial_copies_per_ug: float = Field(gt=0)
    expansion_log_fold: float = Field(gt=0)
    source: str = Field(min_length=1)


class TwinParameters(_Record):
    """The biology of every twin patient; the clinic comes from the synthetic trial's file."""

    schema_version: Literal[1]
    tumour_types: dict[str, TumourType] = Field(min_length=1)
    parameters: dict[str, Parameter]
    correlations: tuple[Correlation, ...] = ()
    reference_car: ReferenceCar

    @model_validator(mode="after")
    def _consistent(self) -> TwinParameters:
        missing = sorted(set(NAMES) - set(self.parameters))
        unknown = sorted(set(self.parameters) - set(NAMES))
        if missing or unknown:
            raise ValueError(f"parameters missing {missing}, unknown {unknown}")
        for name, p in self.parameters.items():
            if name in FRACTIONS and not p.value < 1:
                raise ValueError(f"{name} is a fraction: must be < 1")
            if name != "gate_leak" and p.value <= 0:
                raise ValueError(f"{name} must be > 0 (a log-normal typical value)")
        if self.parameters["gate_fold_change"].value < 1:
            raise ValueError("gate_fold_change is maximal over basal expression: must be >= 1")
        for c in self.correlations:
            for name in (c.first, c.second):
                if name not in self.parameters:
                    raise ValueError(f"correlation names unknown parameter {name!r}")
            if c.first == c.second:
                raise ValueError(f"correlation of {c.first!r} with itself")
            if self.parameters[c.first].cv == 0 or self.parameters[c.second].cv == 0:
                raise ValueError(f"correlation {c.first}-{c.second}: both need a CV > 0")
        if np.linalg.eigvalsh(self.correlation_matrix()).min() <= 0:
            raise ValueError("the correlations do not form a positive definite matrix")
        return self

    def value(self, name: str) -> float:
        return self.parameters[name].value

    def correlation_matrix(self) -> np.ndarray:
        """Correlations of the log-scale deviations, rows and columns in ``NAMES`` order."""
        matrix = np.eye(len(NAMES))
        for c in self.correlations:
            i, j = NAMES.index(c.first), NAMES.index(c.second)
            matrix[i, j] = matrix[j, i] = c.rho
        return matrix

    def with_values(
        self, overrides: dict[str, float], field: Literal["value", "cv"] = "value"
    ) -> TwinParameters:
        """A copy with some typical values (or CVs) replaced (a scenario, a fit), validated like
        the file."""
        unknown = sorted(set(overrides) - set(NAMES))
        if unknown:
            raise InputError("scenario", unknown, f"names no twin parameter (known: {NAMES})")
        data = self.model_dump()
        for name, value in overrides.items():
            data["parameters"][name][field] = value
        return TwinParameters.model_validate(data)


def default_parameters_path() -> Path:
    """The shipped, documented parameter file (package data)."""
    return Path(str(resources.files("hyposti.twin").joinpath("parameters.yaml")))


def load_twin_parameters(path: str | Path | None = None) -> TwinParameters:
    """Read and validate a twin parameter file; ``None`` gives the shipped one."""
    source = Path(path) if path is not None else default_parameters_path()
    if not source.is_file():
        raise InputError("twin_params", str(source), "must be an existing YAML parameter file")
    return parse_yaml_model(source.read_text(encoding="utf-8"), str(source), TwinParameters)
