"""Eligibility screening: a typed record evaluated against every criterion of the protocol."""

from hyposti.eligibility.engine import RULES, evaluate_criterion, screen, screening_record_schema
from hyposti.eligibility.medications import prednisone_equivalent_mg
from hyposti.eligibility.organ_function import cockcroft_gault
from hyposti.eligibility.record import Attestation, ScreeningRecord
from hyposti.eligibility.verdict import CriterionResult, ScreeningResult, Verdict

__all__ = [
    "RULES",
    "Attestation",
    "CriterionResult",
    "ScreeningRecord",
    "ScreeningResult",
    "Verdict",
    "cockcroft_gault",
    "evaluate_criterion",
    "prednisone_equivalent_mg",
    "screen",
    "screening_record_schema",
]
