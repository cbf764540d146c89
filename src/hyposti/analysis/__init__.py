"""Endpoint analysis: safety tables, ORR/TTR/DOR/PFS/OS, Kaplan-Meier, cellular-kinetics NCA.

The names below load on first use (PEP 562), so that `hyposti orr` reaches the binomial interval
without importing lifelines and pandas for Kaplan-Meier and the trial analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyposti.lazy_exports import lazy_exports

if TYPE_CHECKING:
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

_SOURCE = {
    "Proportion": "binomial",
    "clopper_pearson": "binomial",
    "AssessmentSchedule": "censoring",
    "TimeToEvent": "censoring",
    "progression_event": "censoring",
    "survival_event": "censoring",
    "KaplanMeier": "km",
    "MedianEstimate": "km",
    "SurvivalAt": "km",
    "fit_kaplan_meier": "km",
    "BlqRule": "nca",
    "NcaResult": "nca",
    "nca_profile": "nca",
    "analyze_trial": "trial",
}

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

__getattr__, __dir__ = lazy_exports(__name__, _SOURCE, globals())
