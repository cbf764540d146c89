"""Dose-finding designs (3+3 family, BOIN, CRM): decisions, exact OC, dose paths, simulation."""

from hyposti.design.boin import Boin, BoinBoundaries, boin_boundaries, boin_lambdas
from hyposti.design.crm import Crm
from hyposti.design.decision import Decision, Design, Step, fit
from hyposti.design.operating import OperatingCharacteristics, exact_oc
from hyposti.design.outcomes import Cohort, format_outcomes, parse_outcomes
from hyposti.design.paths import DosePaths, dose_paths
from hyposti.design.protocol_design import (
    DoseLevels,
    build_design,
    design_from_protocol,
    parse_dose_levels,
    protocol_dose_levels,
)
from hyposti.design.simulate import simulate_oc, simulate_trials
from hyposti.design.three_plus_three import ThreePlusThree

__all__ = [
    "Boin",
    "BoinBoundaries",
    "Cohort",
    "Crm",
    "Decision",
    "Design",
    "DoseLevels",
    "DosePaths",
    "OperatingCharacteristics",
    "Step",
    "ThreePlusThree",
    "boin_boundaries",
    "boin_lambdas",
    "build_design",
    "design_from_protocol",
    "dose_paths",
    "exact_oc",
    "fit",
    "format_outcomes",
    "parse_dose_levels",
    "parse_outcomes",
    "protocol_dose_levels",
    "simulate_oc",
    "simulate_trials",
]
