"""Dataset and variable metadata as data: what define.xml, the writers and the checks all read.

Variable attributes follow SDTMIG 3.4 section 2.1 (core: Req / Exp / Perm, section 4.1.5) and
ADaMIG 1.3 section 3 (core: Req / Cond / Perm); names at most 8 characters and labels at most 40
(SDTMIG 3.4 section 4.1.2; SAS transport v5, FDA Study Data Technical Conformance Guide 3.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

DataType = Literal["text", "integer", "float", "date"]
Core = Literal["Req", "Exp", "Perm", "Cond"]
Standard = Literal["SDTMIG 3.4", "ADaMIG 1.3"]


@dataclass(frozen=True)
class Variable:
    """One variable: name, label, type, core, codelist and whether it holds an ISO 8601 date.

    ``date`` is an ADaM numeric SAS date (days since 1960-01-01 in XPT); ``iso8601`` marks an SDTM
    character --DTC variable whose values must be ISO 8601 (SDTMIG 3.4 section 4.4.1).
    """

    name: str
    label: str
    dtype: DataType = "text"
    core: Core = "Perm"
    codelist: str | None = None
    iso8601: bool = False
    origin: str = "Derived"


@dataclass(frozen=True)
class DomainSpec:
    """A dataset: name, label, class, structure, key variables and its variables in order."""

    name: str
    label: str
    dataset_class: str
    structure: str
    keys: tuple[str, ...]
    variables: tuple[Variable, ...]
    standard: Standard = "SDTMIG 3.4"
    subject_level: bool = True
    #: value-level codelists (Define-XML 2.1 section 5.3.7): (variable, when variable, when
    #: value, codelist) -- the codelist a variable takes on the rows where another has a value
    value_level: tuple[tuple[str, str, str, str], ...] = ()

    def codelist_for(self, variable: str, row: dict[str, object]) -> str | None:
        """The codelist of ``variable`` on one row: a value-level one if its condition holds."""
        for name, when, value, codelist in self.value_level:
            if name == variable and row.get(when) == value:
                return codelist
        return self.variable(variable).codelist

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    @property
    def seq_variable(self) -> str | None:
        """--SEQ of a subject-level SDTM domain (SDTMIG 3.4 section 4.1.9), if it has one."""
        name = f"{self.name}SEQ"
        return name if name in self.names else None


@dataclass(frozen=True)
class Dataset:
    """One built dataset: its metadata and its rows (columns exactly ``spec.names``, in order)."""

    spec: DomainSpec
    frame: pd.DataFrame = field(repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "label": self.spec.label, "records": len(self.frame)}
