"""The protocol's visit schedule: study days, visit windows and assessments, declared compactly."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.protocol.common import Strict

Assessment = Literal[
    "vital_signs",
    "physical_exam",
    "haematology_chemistry",
    "coagulation",
    "crs_icans_assessment",
    "car_copy_number",
    "cytokines",
    "adverse_events",
    "tumour_assessment",
    "survival_status",
]


class DayRule(Strict):
    """Study days as a list, or every ``every_days`` from ``from_day`` to ``to_day``."""

    days: tuple[int, ...] | None = None
    every_days: int | None = Field(default=None, ge=1)
    from_day: int | None = None
    to_day: int | None = None

    @model_validator(mode="after")
    def _one_form(self) -> DayRule:
        repeating = (self.every_days, self.from_day, self.to_day)
        if self.days is not None and any(v is not None for v in repeating):
            raise ValueError(
                "give either 'days' or 'every_days' with 'from_day'/'to_day', not both"
            )
        if self.days is None:
            if self.every_days is None or self.from_day is None or self.to_day is None:
                raise ValueError("a repeating rule needs 'every_days', 'from_day' and 'to_day'")
            if self.from_day > self.to_day:
                raise ValueError(f"from_day {self.from_day} is after to_day {self.to_day}")
        elif not self.days:
            raise ValueError("'days' must list at least one day")
        return self

    def expand(self) -> list[int]:
        """The study days this rule names, in order."""
        if self.days is not None:
            return sorted(self.days)
        # _one_form guarantees the three repeating fields when 'days' is absent.
        assert self.every_days is not None and self.from_day is not None and self.to_day is not None
        return list(range(self.from_day, self.to_day + 1, self.every_days))


class VisitBlock(DayRule):
    """Visits sharing a label and a list of assessments."""

    label: str = Field(min_length=1)
    assessments: tuple[Assessment, ...] = Field(min_length=1)


class WindowRule(Strict):
    """Visits up to and including ``through_day`` may happen ``plus_minus_days`` either side."""

    through_day: int = Field(ge=1)
    plus_minus_days: int = Field(ge=0)


class ScheduleSpec(Strict):
    """Visits after infusion (day 0) to the end of follow-up; the registry gives no schedule.

    Day -5 nab-paclitaxel, days -3/-2 cyclophosphamide and day 0 come from the regimen sections;
    this section holds the follow-up visits, their windows and the tumour-assessment days.
    """

    sponsor_editable = True

    screening_within_days_before_infusion: int = Field(ge=1)
    end_day: int = Field(ge=1, description="Last study day of follow-up.")
    windows: tuple[WindowRule, ...] = Field(min_length=1)
    visits: tuple[VisitBlock, ...] = Field(min_length=1)
    tumour_assessments: tuple[DayRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleSpec:
        ends = [w.through_day for w in self.windows]
        if ends != sorted(set(ends)):
            raise ValueError(f"windows must have increasing through_day; got {ends}")
        if ends[-1] < self.end_day:
            raise ValueError(f"windows stop at day {ends[-1]}, before end_day {self.end_day}")
        seen: dict[int, str] = {}
        for block in self.visits:
            for day in block.expand():
                if not 1 <= day <= self.end_day:
                    raise ValueError(
                        f"visit day {day} ({block.label}) is outside 1..{self.end_day}"
                    )
                if day in seen:
                    raise ValueError(f"day {day} is in both {seen[day]!r} and {block.label!r}")
                seen[day] = block.label
        tumour = [d for rule in self.tumour_assessments for d in rule.expand()]
        if len(set(tumour)) != len(tumour):
            raise ValueError(f"tumour-assessment days repeat: {tumour}")
        outside = [d for d in tumour if not 1 <= d <= self.end_day]
        if outside:
            raise ValueError(f"tumour-assessment days {outside} are outside 1..{self.end_day}")
        return self

    def window_for(self, day: int) -> int:
        """Plus/minus days allowed around a visit on study ``day`` (first rule reaching it)."""
        return next(w.plus_minus_days for w in self.windows if day <= w.through_day)

    def visit_days(self) -> list[int]:
        return sorted(d for block in self.visits for d in block.expand())

    def tumour_assessment_days(self) -> list[int]:
        return sorted(d for rule in self.tumour_assessments for d in rule.expand())
