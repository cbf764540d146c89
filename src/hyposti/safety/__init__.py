"""Safety: the CTCAE v5.0 dictionary and lab grading, CRS/ICANS/CRES graders, DLT adjudication."""

from hyposti.safety.adverse_event import AdverseEvent, Attributions
from hyposti.safety.cres import CresObservation, cartox10_score, grade_cres
from hyposti.safety.crs import CrsObservation, grade_crs
from hyposti.safety.dictionary import CtcaeTerm, all_terms, lookup, system_organ_classes
from hyposti.safety.dlt import (
    EventAdjudication,
    PatientAdjudication,
    PatientSafetyRecord,
    adjudicate,
    parse_patient,
)
from hyposti.safety.dose_history import DoseFindingHistory, dose_finding_history
from hyposti.safety.grade_result import Finding, GradeResult
from hyposti.safety.icans import IcansObservation, grade_icans, ice_score
from hyposti.safety.lab_grading import LabCriterion, LabGrade, grade_lab, lab_criteria

__all__ = [
    "AdverseEvent",
    "Attributions",
    "CresObservation",
    "CrsObservation",
    "CtcaeTerm",
    "DoseFindingHistory",
    "EventAdjudication",
    "Finding",
    "GradeResult",
    "IcansObservation",
    "LabCriterion",
    "LabGrade",
    "PatientAdjudication",
    "PatientSafetyRecord",
    "adjudicate",
    "all_terms",
    "cartox10_score",
    "dose_finding_history",
    "grade_cres",
    "grade_crs",
    "grade_icans",
    "grade_lab",
    "ice_score",
    "lab_criteria",
    "lookup",
    "parse_patient",
    "system_organ_classes",
]
