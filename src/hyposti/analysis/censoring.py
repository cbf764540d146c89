"""Event and censoring rules for PFS, DOR and OS (FDA 2018 endpoints guidance; EMA/CHMP/205/95).

FDA "Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics" (2018; Table A1 of
the 2007 edition) and EMA/CHMP/205/95 Rev.5 Appendix 1: censor at the last adequate assessment
when there is no event, at new anticancer therapy, or when the event follows two or more missed
scheduled assessments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hyposti.errors import InputError
from hyposti.protocol import Protocol


@dataclass(frozen=True)
class AssessmentSchedule:
    """Scheduled tumour-assessment study days, each with its visit window (plus/minus days).

    Built from the protocol's ``schedule`` section by :meth:`from_protocol`; the analysis holds no
    schedule of its own.
    """

    days: tuple[int, ...]
    windows: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.days) != len(self.windows):
            raise InputError(
                "schedule.windows",
                self.windows,
                f"one window per assessment day ({len(self.days)} days)",
            )

    @classmethod
    def from_protocol(cls, protocol: Protocol) -> AssessmentSchedule:
        """The protocol's tumour-assessment days with the visit window of each day."""
        spec = protocol.schedule
        if spec is None:
            raise InputError(
                "protocol.schedule",
                None,
                "the missed-assessment censoring rule (FDA 2018 endpoints guidance) needs the "
                "protocol's tumour-assessment days and visit windows; add a 'schedule' section",
            )
        days = tuple(spec.tumour_assessment_days())
        return cls(days, tuple(spec.window_for(d) for d in days))

    def missed_between(self, last_day: float, event_day: float) -> int:
        """Scheduled assessments whose whole window lies strictly between two study days."""
        return sum(
            1
            for d, w in zip(self.days, self.windows, strict=True)
            if last_day < d - w and d + w < event_day
        )

    def describe(self) -> str:
        """Assessment days grouped by window, e.g. "day 28 (+/-3 d); days 56, 84 (+/-7 d)"."""
        groups: list[tuple[int, list[int]]] = []
        for d, w in zip(self.days, self.windows, strict=True):
            if groups and groups[-1][0] == w:
                groups[-1][1].append(d)
            else:
                groups.append((w, [d]))
        return "; ".join(
            f"{'day' if len(ds) == 1 else 'days'} {', '.join(map(str, ds))} (+/-{w} d)"
            for w, ds in groups
        )


@dataclass(frozen=True)
class TimeToEvent:
    """One patient's time (days) from the endpoint's origin, event flag, and the rule applied."""

    subject_id: str
    time: float
    event: bool
    reason: str


def progression_event(
    subject_id: str,
    adequate_days: Sequence[float],
    progression_day: float | None,
    death_day: float | None,
    new_therapy_day: float | None,
    schedule: AssessmentSchedule,
    origin_day: float = 0.0,
) -> TimeToEvent:
    """Progression-or-death time from ``origin_day`` (infusion for PFS, first response for DOR).

    Rules, in order (FDA 2018 endpoints guidance): (1) new anticancer therapy before any event:
    censor at the last adequate assessment on or before its start; (2) no event: censor at the last
    adequate assessment; (3) an event after two or more missed scheduled assessments: censor at the
    last adequate assessment before it; (4) otherwise the event (progression or death, the
    earlier). Without an adequate assessment after the origin, censoring falls on the origin.
    """
    # Plain floats: a patient has a handful of assessments, too few for NumPy to pay (10^4 calls).
    days = sorted(float(d) for d in adequate_days if d >= origin_day)

    def last_before(limit: float, strictly: bool = False) -> float:
        before = [d for d in days if (d < limit if strictly else d <= limit)]
        return before[-1] if before else origin_day

    candidates = [(d, name) for d, name in ((progression_day, "progression"), (death_day, "death"))
                  if d is not None]  # fmt: skip
    event_day, event_name = min(candidates) if candidates else (None, None)
    if new_therapy_day is not None and (event_day is None or new_therapy_day < event_day):
        at = last_before(new_therapy_day)
        return TimeToEvent(
            subject_id,
            at - origin_day,
            False,
            f"censored at last adequate assessment (day {at:g}) before new anticancer therapy "
            f"(day {new_therapy_day:g})",
        )
    if event_day is None:
        at = last_before(math.inf)
        where = f"last adequate assessment (day {at:g})" if days else f"day {origin_day:g}"
        return TimeToEvent(subject_id, at - origin_day, False, f"censored at {where}: no event")
    # the scan that found the progression is not "before" it: count missed scans up to the event
    last = last_before(event_day, strictly=True)
    missed = schedule.missed_between(last, event_day)
    if missed >= 2:
        return TimeToEvent(
            subject_id,
            last - origin_day,
            False,
            f"censored at last adequate assessment (day {last:g}): {event_name} on day "
            f"{event_day:g} followed {missed} missed scheduled assessments",
        )
    return TimeToEvent(
        subject_id, event_day - origin_day, True, f"{event_name} on day {event_day:g}"
    )


def survival_event(
    subject_id: str, death_day: float | None, last_known_alive_day: float
) -> TimeToEvent:
    """Overall survival from infusion: death is the event, else censored when last known alive."""
    if death_day is not None:
        return TimeToEvent(subject_id, death_day, True, f"death on day {death_day:g}")
    return TimeToEvent(
        subject_id,
        last_known_alive_day,
        False,
        f"censored when last known alive (day {last_known_alive_day:g})",
    )
