"""The adverse-event record: CTCAE v5.0 term and grade, scale, dates, seriousness, attributions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from pydantic import Field, field_validator, model_validator

from hyposti.bounds import Identifier, InputRecord, Text, TrialDate
from hyposti.errors import InputError
from hyposti.protocol.common import ProductId
from hyposti.protocol.safety_spec import AeScale, Attribution
from hyposti.safety import cres, crs, icans
from hyposti.safety.dictionary import lookup

CTCAE: AeScale = "CTCAE v5.0"
#: CTCAE terms under which an event graded on a CAR-T consensus scale is reported: CRS under its
#: own CTCAE v5.0 term; ICANS and CRES, which CTCAE v5.0 has no term for, under Encephalopathy or
#: "Nervous system disorders - Other, specify" (Lee 2019 BBMT 25:625, Discussion; CTCAE v5.0
#: instructs "Other, specify" for events without a term).
SCALE_TERMS: dict[AeScale, frozenset[str]] = {
    crs.SCALE: frozenset({"Cytokine release syndrome"}),
    icans.SCALE: frozenset({"Encephalopathy", "Nervous system disorders - Other, specify"}),
    cres.SCALE: frozenset({"Encephalopathy", "Nervous system disorders - Other, specify"}),
}
#: Attributions ordered from least to most related (NCI CTEP attribution scale).
ATTRIBUTION_ORDER: tuple[Attribution, ...] = (
    "unrelated",
    "unlikely",
    "possible",
    "probable",
    "definite",
)


#: Relatedness of an event to each product the protocol gives (by product id), on the five-point
#: scale (NCI CTEP adverse-event reporting guidelines: one attribution per study agent).
Attributions = dict[ProductId, Attribution]


def check_attributions(
    attribution: Mapping[str, object], products: Sequence[str], field: str = ""
) -> None:
    """Refuse an attribution to a product the protocol does not give, a product left without one
    (NCI CTEP attributes every adverse event to each study agent) and a value off the scale."""
    for product, value in attribution.items():
        if value not in ATTRIBUTION_ORDER:
            raise InputError(
                f"{field}attribution.{product}",
                value,
                f"must be one of {', '.join(ATTRIBUTION_ORDER)} (NCI CTEP attribution scale)",
            )
        if product not in products:
            raise InputError(
                f"{field}attribution.{product}",
                value,
                f"not a product of the protocol; its products are {', '.join(products)}",
            )
    for product in products:
        if product not in attribution:
            raise InputError(
                f"{field}attribution.{product}",
                None,
                "every product the protocol gives needs an attribution (NCI CTEP: one per study "
                "agent)",
            )


class AdverseEvent(InputRecord):
    """One adverse event at one grade (NCI CTCAE v5.0 term; grade on the stated scale).

    ``term`` is validated against CTCAE v5.0 and normalised to NCI's spelling; the system organ
    class follows from it. On the CTCAE scale the grade must be one NCI defines for the term
    ('-' grades are refused); on a consensus scale (ASTCT CRS/ICANS, CARTOX CRES) any grade 1-5.
    """

    id: Identifier | None = Field(default=None, description="The site's identifier of the event.")
    term: Text
    verbatim: Text | None = Field(default=None, description="Investigator's wording, e.g. 'ICANS'.")
    grade: int = Field(ge=1, le=5)
    scale: AeScale = CTCAE
    onset: TrialDate
    resolution: TrialDate | None = Field(default=None, description="None while ongoing.")
    serious: bool
    attribution: Attributions = Field(
        min_length=1, description="Attribution to each product the protocol gives, by its id."
    )

    @field_validator("term")
    @classmethod
    def _ctcae_term(cls, term: str) -> str:
        return lookup(term).term

    @model_validator(mode="after")
    def _consistent(self) -> AdverseEvent:
        if self.scale == CTCAE:
            lookup(self.term).check_grade(self.grade)
        elif self.term not in SCALE_TERMS[self.scale]:
            allowed = ", ".join(repr(t) for t in sorted(SCALE_TERMS[self.scale]))
            raise InputError(
                "term", self.term, f"an event graded on {self.scale} is reported as {allowed}"
            )
        if self.resolution is not None and self.resolution < self.onset:
            raise InputError(
                "resolution",
                self.resolution,
                f"resolution precedes onset {self.onset.isoformat()}",
            )
        return self

    @property
    def soc(self) -> str:
        """The CTCAE v5.0 system organ class of the term."""
        return lookup(self.term).soc

    def check_not_after(self, today: dt.date, field: str = "") -> None:
        """Refuse an onset or resolution date later than ``today``."""
        for name in ("onset", "resolution"):
            value = getattr(self, name)
            if value is not None and value > today:
                raise InputError(
                    f"{field}{name}",
                    value.isoformat(),
                    f"date is after today ({today.isoformat()})",
                )
