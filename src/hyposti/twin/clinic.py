"""The twin's clinic: the synthetic trial's clinic, with the twin's biology for the treated.

Candidates are drawn, recorded and screened by ``hyposti.virtual.clinic`` itself (same
per-candidate random streams, so a seed screens the same people in both trials); the eligible
are treated with the twin's course instead of the statistical one.
"""

from __future__ import annotations

from functools import partial

from hyposti.protocol import Protocol
from hyposti.twin.course import TwinModel, simulate_twin_course
from hyposti.virtual.clinic import Clinic


def twin_clinic(seed: int, model: TwinModel, protocol: Protocol) -> Clinic:
    """The synthetic trial's clinic (arrivals, screening) treating with the twin's biology."""
    return Clinic(seed, model.clinic, protocol, partial(simulate_twin_course, model))
