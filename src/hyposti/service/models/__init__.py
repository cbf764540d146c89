"""The service's models, one module per area of the record."""

from hyposti.service.models.escalation import (
    Cohort,
    DltEvaluation,
    Enrolment,
    EscalationDecision,
    Study,
)
from hyposti.service.models.expansion import ExpansionAlert
from hyposti.service.models.followup import Disposition, Sample
from hyposti.service.models.integrity import (
    AuditEntry,
    ChainHead,
    DataQuery,
    RecordLock,
    Signature,
)
from hyposti.service.models.participant import Participant, Screening, ScreeningCriterion
from hyposti.service.models.safety import AdverseEvent, Medication
from hyposti.service.models.site import ApiToken, LoginFailure, Site, UserProfile
from hyposti.service.models.treatment import DosingRecord, Exposure
from hyposti.service.models.tumour import Lesion, LesionMeasurement, TumourAssessment

__all__ = [
    "AdverseEvent",
    "ApiToken",
    "AuditEntry",
    "ChainHead",
    "Cohort",
    "DataQuery",
    "Disposition",
    "DltEvaluation",
    "DosingRecord",
    "Enrolment",
    "EscalationDecision",
    "ExpansionAlert",
    "Exposure",
    "Lesion",
    "LesionMeasurement",
    "LoginFailure",
    "Medication",
    "Participant",
    "RecordLock",
    "Sample",
    "Screening",
    "ScreeningCriterion",
    "Signature",
    "Site",
    "Study",
    "TumourAssessment",
    "UserProfile",
]
