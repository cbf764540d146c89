"""Safety: the CTCAE v5.0 dictionary and lab grading, CRS/ICANS/CRES graders, DLT adjudication.

The names below load on first use (PEP 562), so that `hyposti grade crs` reaches its grader
without the DLT, dose-history and protocol modules (and numpy) that the package also holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyposti.lazy_exports import lazy_exports

if TYPE_CHECKING:
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

_SOURCE = {
    "AdverseEvent": "adverse_event",
    "Attributions": "adverse_event",
    "CresObservation": "cres",
    "cartox10_score": "cres",
    "grade_cres": "cres",
    "CrsObservation": "crs",
    "grade_crs": "crs",
    "CtcaeTerm": "dictionary",
    "all_terms": "dictionary",
    "lookup": "dictionary",
    "system_organ_classes": "dictionary",
    "EventAdjudication": "dlt",
    "PatientAdjudication": "dlt",
    "PatientSafetyRecord": "dlt",
    "adjudicate": "dlt",
    "parse_patient": "dlt",
    "DoseFindingHistory": "dose_history",
    "dose_finding_history": "dose_history",
    "Finding": "grade_result",
    "GradeResult": "grade_result",
    "IcansObservation": "icans",
    "grade_icans": "icans",
    "ice_score": "icans",
    "LabCriterion": "lab_grading",
    "LabGrade": "lab_grading",
    "grade_lab": "lab_grading",
    "lab_criteria": "lab_grading",
}

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

__getattr__, __dir__ = lazy_exports(__name__, _SOURCE, globals())
