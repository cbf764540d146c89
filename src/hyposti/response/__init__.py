"""Tumour response by RECIST 1.1 (Eisenhauer 2009) and iRECIST (Seymour 2017)."""

from hyposti.response.baseline import validate_baseline
from hyposti.response.patient import assess_patient
from hyposti.response.records import (
    Assessment,
    BaselineLesion,
    BaselineProblem,
    LesionMeasurement,
    Method,
    NewLesion,
    NewLesionState,
    NewLesionStatus,
    NonTargetStatus,
    PatientResponse,
    PatientTumourData,
    Response,
    TargetState,
    TimePointResponse,
)
from hyposti.response.tables import patients_to_tables
from hyposti.response.trial import assess_trial, trial_time_points

__all__ = [
    "Assessment",
    "BaselineLesion",
    "BaselineProblem",
    "LesionMeasurement",
    "Method",
    "NewLesion",
    "NewLesionState",
    "NewLesionStatus",
    "NonTargetStatus",
    "PatientResponse",
    "PatientTumourData",
    "Response",
    "TargetState",
    "TimePointResponse",
    "assess_patient",
    "assess_trial",
    "patients_to_tables",
    "trial_time_points",
    "validate_baseline",
]
