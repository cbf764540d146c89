"""The protocol's eligibility section: every criterion with a stable id and its verbatim text."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.protocol.common import Reading, Strict


class Criterion(Strict):
    """One inclusion (I<n>) or exclusion (E<n>) criterion as the registry words it."""

    id: str = Field(pattern=r"^[IE][1-9][0-9]*$")
    kind: Literal["inclusion", "exclusion"]
    text: str = Field(min_length=1, description="Registry text, verbatim.")

    @model_validator(mode="after")
    def _id_matches_kind(self) -> Criterion:
        if self.id[0] != self.kind[0].upper():
            raise ValueError(f"criterion id {self.id!r} does not match kind {self.kind!r}")
        return self


class EligibilitySpec(Strict):
    """Who may enter the trial."""

    age_range_years: tuple[int, int]
    sexes: Literal["All", "Female", "Male"]
    accepts_healthy_volunteers: bool
    criteria: list[Criterion] = Field(min_length=1)
    readings: list[Reading] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> EligibilitySpec:
        ids = [c.id for c in self.criteria]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"criterion ids must be unique; repeated: {', '.join(duplicates)}")
        low, high = self.age_range_years
        if low > high:
            raise ValueError(f"age_range_years {low}-{high}: the lower bound exceeds the upper")
        return self
