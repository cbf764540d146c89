"""Virtual survival: death after progression, intercurrent death, fatal toxicity and drop-out.

Competing exponential times (constant hazards; Kalbfleisch & Prentice 2002, ch. 8): death before
progression at a constant hazard, death after progression at a post-progression hazard
ln 2 / median, a fatal adverse event on its day; drop-out (withdrawal, loss to follow-up)
censors whatever comes later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hyposti.virtual.parameters import SurvivalParameters


@dataclass(frozen=True)
class SurvivalOutcome:
    """Observed study days of death and of drop-out (None when not observed) and their causes."""

    death_day: int | None
    death_cause: str | None
    dropout_day: int | None
    dropout_reason: str | None

    @property
    def follow_up_end_day(self) -> int | None:
        """Last day the patient is followed: death or drop-out, whichever comes first."""
        days = [d for d in (self.death_day, self.dropout_day) if d is not None]
        return min(days) if days else None


def sample_survival(
    rng: np.random.Generator,
    params: SurvivalParameters,
    true_progression_day: float | None,
    fatal_event: tuple[int, str] | None,
    horizon_day: int,
) -> SurvivalOutcome:
    """Draw death and drop-out days up to ``horizon_day`` (days after infusion).

    ``fatal_event`` is (day, term) of a grade 5 adverse event, if any.
    """
    u = rng.random(3)
    candidates: list[tuple[float, str]] = []
    if params.pre_progression_death_hazard_per_day > 0:
        intercurrent = -math.log(u[0]) / params.pre_progression_death_hazard_per_day
        if true_progression_day is None or intercurrent < true_progression_day:
            candidates.append((intercurrent, "intercurrent illness"))
    if true_progression_day is not None:
        rate = math.log(2.0) / params.post_progression_median_days
        candidates.append((true_progression_day - math.log(u[1]) / rate, "progressive disease"))
    if fatal_event is not None:
        candidates.append((float(fatal_event[0]), f"adverse event: {fatal_event[1]}"))
    death_day: int | None = None
    cause: str | None = None
    if candidates:
        day, why = min(candidates)
        if day <= horizon_day:
            death_day, cause = max(1, math.ceil(day)), why
    dropout_day: int | None = None
    reason: str | None = None
    if params.dropout_hazard_per_day > 0:
        day = math.ceil(-math.log(u[2]) / params.dropout_hazard_per_day)
        if day <= horizon_day and (death_day is None or day < death_day):
            dropout_day = max(1, day)
            reason = "withdrawal of consent" if rng.random() < 0.5 else "lost to follow-up"
            # Death after drop-out is never observed.
            death_day, cause = None, None
    return SurvivalOutcome(death_day, cause, dropout_day, reason)
