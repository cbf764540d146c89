"""Dose-finding designs (3+3, BOIN, CRM) and expansion rules (toxicity monitoring, Simon)."""

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
    design_title,
    parse_dose_levels,
    protocol_dose_levels,
)
from hyposti.design.simon_two_stage import SimonDesign, simon_characteristics, simon_designs
from hyposti.design.simulate import simulate_oc, simulate_trials
from hyposti.design.three_plus_three import ThreePlusThree
from hyposti.design.toxicity_monitoring import ToxicityMonitor, monitor_sequence

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
    "SimonDesign",
    "Step",
    "ThreePlusThree",
    "ToxicityMonitor",
    "boin_boundaries",
    "boin_lambdas",
    "build_design",
    "design_from_protocol",
    "design_title",
    "dose_paths",
    "exact_oc",
    "fit",
    "format_outcomes",
    "monitor_sequence",
    "parse_dose_levels",
    "parse_outcomes",
    "protocol_dose_levels",
    "simon_characteristics",
    "simon_designs",
    "simulate_oc",
    "simulate_trials",
]
