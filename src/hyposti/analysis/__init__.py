"""Endpoint analysis: safety tables, ORR/TTR/DOR/PFS/OS, Kaplan-Meier, cellular-kinetics NCA."""

from hyposti.analysis.binomial import Proportion, clopper_pearson
from hyposti.analysis.censoring import (
    AssessmentSchedule,
    TimeToEvent,
    progression_event,
    survival_event,
)
from hyposti.analysis.km import KaplanMeier, MedianEstimate, SurvivalAt, fit_kaplan_meier
from hyposti.analysis.nca import BlqRule, NcaResult, nca_profile
from hyposti.analysis.trial import analyze_trial

__all__ = [
    "AssessmentSchedule",
    "BlqRule",
    "KaplanMeier",
    "MedianEstimate",
    "NcaResult",
    "Proportion",
    "SurvivalAt",
    "TimeToEvent",
    "analyze_trial",
    "clopper_pearson",
    "fit_kaplan_meier",
    "nca_profile",
    "progression_event",
    "survival_event",
]
