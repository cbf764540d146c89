"""Dosing and calendar: body surface area, regimen and cell doses, dated visits with windows."""

from hyposti.dosing.bsa import body_surface_area, dubois, mosteller
from hyposti.dosing.calendar import (
    StudyCalendar,
    Visit,
    infusion_date_from_preconditioning,
    study_calendar,
    tumour_assessment_days,
    visit_schedule,
)
from hyposti.dosing.doses import AgentDose, BodySize, CellDose, DoseRecord, body_size, patient_doses

__all__ = [
    "AgentDose",
    "BodySize",
    "CellDose",
    "DoseRecord",
    "StudyCalendar",
    "Visit",
    "body_size",
    "body_surface_area",
    "dubois",
    "infusion_date_from_preconditioning",
    "mosteller",
    "patient_doses",
    "study_calendar",
    "tumour_assessment_days",
    "visit_schedule",
]
