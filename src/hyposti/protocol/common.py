"""Building blocks shared by every protocol section: strict models and recorded readings."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

#: A product the protocol gives, by id: the key of an adverse event's attribution to it and, in
#: the trial dataset, of the column ``attribution_<id>``.
ProductId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class Strict(BaseModel):
    """A protocol record: unknown keys are errors (a typo must not silently drop a rule), frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # True where the registry gives no value and the section holds a commonly used default that
    # the sponsor may edit; `hyposti protocol show` labels such sections.
    sponsor_editable: ClassVar[bool] = False


class Reading(Strict):
    """How an ambiguous registry sentence is read: the literal text stays beside the choice."""

    registry_text: str = Field(description="The registry's words, verbatim.")
    reading: str = Field(description="The reading in force.")
    alternatives: list[str] = Field(description="Other readings, still selectable.")
    why: str = Field(description="Why this reading was chosen.")
