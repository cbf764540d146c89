"""The protocol's dose-limiting-toxicity definition as data, read by hyposti.safety.dlt."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.protocol.common import ProductId, Reading, Strict

#: Scales an adverse event may be graded on: CTCAE v5.0 for every term, the consensus scales for
#: the CAR-T syndromes (ASTCT: Lee 2019; CARTOX: Neelapu 2018).
AeScale = Literal["CTCAE v5.0", "ASTCT 2019 CRS", "ASTCT 2019 ICANS", "CARTOX CRES"]
#: The five-point attribution scale (NCI CTEP adverse-event reporting guidelines).
Attribution = Literal["unrelated", "unlikely", "possible", "probable", "definite"]


class DltClause(Strict):
    """One clause of the DLT definition: which events it covers and the grade that makes a DLT.

    An event belongs to the first clause whose terms, system organ classes or grading scales
    include it; a clause with ``catch_all`` covers every event no earlier clause took.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    min_grade: int = Field(ge=1, le=5)
    terms: tuple[str, ...] = Field(default=(), description="CTCAE v5.0 terms, NCI spelling.")
    socs: tuple[str, ...] = Field(default=(), description="CTCAE v5.0 system organ classes.")
    scales: tuple[AeScale, ...] = Field(
        default=(), description="Events graded on these scales belong to the clause."
    )
    catch_all: bool = False

    @model_validator(mode="after")
    def _covers_something(self) -> DltClause:
        if not (self.terms or self.socs or self.scales or self.catch_all):
            raise ValueError(
                f"clause {self.id!r} covers no event: give terms, socs, scales or catch_all"
            )
        return self


class DltSpec(Strict):
    """Dose-limiting toxicity: window, relatedness, clauses and DLT-evaluability."""

    registry_text: str = Field(description="The registry's DLT definition, verbatim.")
    window_first_day: int = Field(description="First study day of the DLT window (0 = infusion).")
    window_last_day: int = Field(ge=0, description="Last study day of the DLT window, inclusive.")
    window_reading: Reading
    related_product: ProductId = Field(
        description="Id of the product a DLT must be related to (one the protocol declares)."
    )
    related_attributions: tuple[Attribution, ...] = Field(min_length=1)
    clauses: tuple[DltClause, ...] = Field(min_length=1)
    clause_reading: Reading
    evaluable_follow_up_days: int = Field(
        ge=0, description="Follow-up, in days after infusion, that makes a patient DLT-evaluable."
    )
    evaluability_reading: Reading

    @model_validator(mode="after")
    def _well_formed(self) -> DltSpec:
        if self.window_first_day > self.window_last_day:
            raise ValueError(
                f"window_first_day {self.window_first_day} is after window_last_day "
                f"{self.window_last_day}"
            )
        ids = [c.id for c in self.clauses]
        if len(set(ids)) != len(ids):
            raise ValueError(f"clause ids must be unique; got {ids}")
        catch_alls = [c.id for c in self.clauses if c.catch_all]
        if catch_alls and catch_alls != [self.clauses[-1].id]:
            raise ValueError(f"only the last clause may be catch_all; got {catch_alls}")
        return self
