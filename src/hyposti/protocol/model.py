"""The protocol as one validated record: what the registry fixes and how ambiguities are read."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hyposti.errors import InputError
from hyposti.protocol.common import ProductId, Reading, Strict
from hyposti.protocol.design_spec import DesignSpec
from hyposti.protocol.dosing_spec import DosingSpec
from hyposti.protocol.eligibility_spec import (
    CorticosteroidEquivalence,
    EligibilitySpec,
    OrganFunctionSpec,
)
from hyposti.protocol.expansion_spec import ExpansionSpec
from hyposti.protocol.management_spec import ToxicityManagementSpec
from hyposti.protocol.response_spec import ResponseSpec
from hyposti.protocol.safety_spec import DltSpec
from hyposti.protocol.schedule_spec import ScheduleSpec


class Identifiers(Strict):
    nct_id: str = Field(pattern=r"^NCT[0-9]{8}$")
    secondary_ids: tuple[str, ...] = Field(default=())
    brief_title: str
    official_title: str
    phases: tuple[str, ...] = Field(min_length=1)
    condition: str
    sponsor: str
    responsible_party: str | None = None
    study_director: str | None = None
    study_type: str
    allocation: str
    intervention_model: str
    masking: str
    primary_purpose: str
    last_update_posted: dt.date


class Enrolment(Strict):
    escalation_min: int = Field(ge=1)
    expansion_min: int = Field(ge=0)
    expansion_max: int = Field(ge=0)
    total_estimated: int = Field(ge=1)
    registry_text: str | None = None

    @model_validator(mode="after")
    def _ranges(self) -> Enrolment:
        if self.expansion_min > self.expansion_max:
            raise ValueError(
                f"expansion_min {self.expansion_min} exceeds expansion_max {self.expansion_max}"
            )
        return self


class DoseLevel(Strict):
    level: int = Field(ge=1, description="1-based dose level, as in the outcome notation.")
    label: str
    cells_per_kg: float = Field(gt=0)


class Product(Strict):
    """A product the protocol gives: an adverse event is attributed to each (NCI CTEP)."""

    id: ProductId
    name: str
    cdisc_code: str = Field(
        pattern=r"^[A-Z][A-Z0-9]{0,2}$",
        description="Suffix of its relatedness variables in the CDISC exports (ADAE AREL<code>, "
        "SUPPAE AEREL<code>: SAS names hold 8 characters).",
    )
    cdisc_label: str = Field(
        min_length=1,
        max_length=27,
        description="Its name in CDISC variable labels ('Causality to <label>': SAS labels hold "
        "40 characters).",
    )


class InvestigationalProduct(Product):
    kind: str
    route: str
    dose_unit: Literal["cells/kg"]
    infusion_day: int
    dose_levels: tuple[DoseLevel, ...] = Field(min_length=1)
    registry_text: str | None = None

    @field_validator("dose_levels")
    @classmethod
    def _levels_numbered_and_increasing(
        cls, levels: tuple[DoseLevel, ...]
    ) -> tuple[DoseLevel, ...]:
        numbers = [d.level for d in levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(
                f"dose levels must be numbered 1..{len(numbers)} in order; got {numbers}"
            )
        for lower, upper in itertools.pairwise(levels):
            if upper.cells_per_kg <= lower.cells_per_kg:
                raise ValueError(
                    f"dose levels must increase strictly; level {upper.level} "
                    f"({upper.cells_per_kg:g}) is not above level {lower.level} "
                    f"({lower.cells_per_kg:g})"
                )
        return levels


class PreconditioningAgent(Product):
    registry_name: str | None = None
    route: str
    dose_basis: Literal["mg/m2", "mg/kg"]
    dose_min: float = Field(gt=0)
    dose_max: float = Field(gt=0)
    days: tuple[int, ...] = Field(min_length=1)
    registry_text: str | None = None

    @model_validator(mode="after")
    def _range(self) -> PreconditioningAgent:
        if self.dose_min > self.dose_max:
            raise InputError("dose_min", self.dose_min, f"exceeds dose_max {self.dose_max:g}")
        if any(day >= 0 for day in self.days):
            raise ValueError(
                f"preconditioning days must precede the infusion day 0; got {self.days}"
            )
        return self


class Endpoint(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    role: Literal["primary", "secondary", "exploratory"]
    title: str
    time_frame: str
    time_frame_days: int = Field(ge=1)
    definition: str


class Protocol(Strict):
    """A dose-finding cell-therapy protocol; NCT05681650 is the one shipped."""

    schema_version: Literal[1]
    identifiers: Identifiers
    enrolment: Enrolment
    investigational_product: InvestigationalProduct
    preconditioning: tuple[PreconditioningAgent, ...]
    design: DesignSpec
    expansion: ExpansionSpec | None = None
    endpoints: tuple[Endpoint, ...] = Field(min_length=1)
    endpoint_roles_reading: Reading | None = None
    eligibility: EligibilitySpec
    organ_function: OrganFunctionSpec | None = None
    corticosteroid_equivalence: CorticosteroidEquivalence | None = None
    dosing: DosingSpec | None = None
    schedule: ScheduleSpec | None = None
    response: ResponseSpec
    dlt: DltSpec
    toxicity_management: ToxicityManagementSpec | None = None

    @model_validator(mode="after")
    def _design_fits_doses(self) -> Protocol:
        num_doses = len(self.investigational_product.dose_levels)
        if self.design.start_dose > num_doses:
            raise ValueError(
                f"design.start_dose {self.design.start_dose} is not a dose level (1..{num_doses})"
            )
        if self.design.skeleton is not None and len(self.design.skeleton) != num_doses:
            raise ValueError(
                f"design.skeleton has {len(self.design.skeleton)} values "
                f"for {num_doses} dose levels"
            )
        expansion = self.expansion
        if expansion is not None and expansion.response_design is not None:
            simon = expansion.response_design
            if simon.n > self.enrolment.expansion_max:
                raise ValueError(
                    f"expansion.response_design.n {simon.n} exceeds "
                    f"enrolment.expansion_max {self.enrolment.expansion_max}"
                )
        ids = [e.id for e in self.endpoints]
        if len(set(ids)) != len(ids):
            raise ValueError(f"endpoint ids must be unique; got {ids}")
        products = self.product_ids
        for what, values in (
            ("id", products),
            ("cdisc_code", tuple(p.cdisc_code for p in self.products)),
        ):
            if len(set(values)) != len(values):
                raise ValueError(f"product {what}s must be unique; got {list(values)}")
        if self.dlt.related_product not in products:
            raise InputError(
                "dlt.related_product",
                self.dlt.related_product,
                f"a DLT must be related to a product the protocol gives ({', '.join(products)})",
            )
        # A criterion whose rule reads a sponsor section must find it at load, not at screening.
        needs = {
            "organ_function": "organ_function",
            "immunosuppression": "corticosteroid_equivalence",
        }
        for criterion in self.eligibility.criteria:
            rule = criterion.check.rule if criterion.check else None
            if rule in needs and getattr(self, needs[rule]) is None:
                raise ValueError(
                    f"criterion {criterion.id} (rule {rule!r}) needs the '{needs[rule]}' section"
                )
        return self

    @property
    def num_doses(self) -> int:
        return len(self.investigational_product.dose_levels)

    @property
    def products(self) -> tuple[Product, ...]:
        """The products an adverse event is attributed to: the investigational product, then
        each preconditioning agent in file order."""
        return (self.investigational_product, *self.preconditioning)

    @property
    def product_ids(self) -> tuple[str, ...]:
        """The ids of ``products``, in their order."""
        return tuple(p.id for p in self.products)

    @property
    def first_preconditioning_day(self) -> int:
        """Study day of the first preconditioning dose of any agent (day -5 for NCT05681650)."""
        return min(day for agent in self.preconditioning for day in agent.days)

    def required_schedule(self) -> ScheduleSpec:
        """The visit schedule, for whatever follows patients by it (the synthetic trial, the
        twin); a protocol without one is refused naming it."""
        if self.schedule is None:
            raise InputError("protocol", self.identifiers.nct_id, "needs a schedule section")
        return self.schedule
