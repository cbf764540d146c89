"""Building blocks shared by every protocol section: strict models and recorded readings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

K = TypeVar("K")
V = TypeVar("V")

#: A product the protocol gives, by id: the key of an adverse event's attribution to it and, in
#: the trial dataset, of the column ``attribution_<id>``.
ProductId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class Strict(BaseModel):
    """A protocol record: unknown keys are errors (a typo must not silently drop a rule), frozen.

    Frozen all the way down: sequences are tuples and tables ``FrozenMapping``s, so a protocol
    (the shipped one is loaded once and shared) cannot be changed by whoever holds it, and it
    hashes by value, so functions can cache on it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    # True where the registry gives no value and the section holds a commonly used default that
    # the sponsor may edit; `hyposti protocol show` labels such sections.
    sponsor_editable: ClassVar[bool] = False


class Reading(Strict):
    """How an ambiguous registry sentence is read: the literal text stays beside the choice."""

    registry_text: str = Field(description="The registry's words, verbatim.")
    reading: str = Field(description="The reading in force.")
    alternatives: tuple[str, ...] = Field(description="Other readings, still selectable.")
    why: str = Field(description="Why this reading was chosen.")


class FrozenMapping(Mapping[K, V]):
    """A read-only mapping that hashes by its items: a protocol's table (``dict`` in the file)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[K, V]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return f"FrozenMapping({self._items!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # Validated, serialised and described (JSON schema) as the dict it is in the file.
        key, value = get_args(source) or (Any, Any)
        as_dict = handler.generate_schema(dict[key, value])  # type: ignore[valid-type]
        return core_schema.no_info_after_validator_function(
            cls,
            as_dict,
            serialization=core_schema.plain_serializer_function_ser_schema(
                dict, return_schema=as_dict
            ),
        )
