"""CDISC exports: SDTM and ADaM as XPT v5 or Dataset-JSON v1.1 with define.xml, and checks."""

from hyposti.standards.conformance import RULES, Finding, check_folder
from hyposti.standards.package import as_of_cutoff, build_adam, build_sdtm, write_package
from hyposti.standards.spec import Dataset, DomainSpec, Variable

__all__ = [
    "RULES",
    "Dataset",
    "DomainSpec",
    "Finding",
    "Variable",
    "as_of_cutoff",
    "build_adam",
    "build_sdtm",
    "check_folder",
    "write_package",
]
