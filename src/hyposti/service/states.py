"""A participant's course through the trial as a state machine: the moves allowed and why not.

Screening -> consented -> enrolled -> preconditioned -> infused -> in DLT window -> follow-up ->
off study, plus screen failure (NCT05681650 registry: preconditioning days -5 to -2, infusion on
day 0, DLT window days 0-28, follow-up to 3 years).
"""

from __future__ import annotations

from typing import Literal, get_args

from hyposti.service.errors import RefusedError

State = Literal[
    "screening",
    "consented",
    "screen_failure",
    "enrolled",
    "preconditioned",
    "infused",
    "dlt_window",
    "follow_up",
    "off_study",
]
STATES: tuple[str, ...] = get_args(State)

#: Every move allowed; off study can be reached from every state but the terminal ones.
TRANSITIONS: dict[str, frozenset[str]] = {
    "screening": frozenset({"consented", "screen_failure", "off_study"}),
    "consented": frozenset({"enrolled", "screen_failure", "off_study"}),
    "enrolled": frozenset({"preconditioned", "off_study"}),
    "preconditioned": frozenset({"infused", "off_study"}),
    "infused": frozenset({"dlt_window", "follow_up", "off_study"}),
    "dlt_window": frozenset({"follow_up", "off_study"}),
    "follow_up": frozenset({"off_study"}),
    "screen_failure": frozenset(),
    "off_study": frozenset(),
}

#: Why a move is refused, for the moves people attempt by mistake.
WHY_NOT: dict[str, str] = {
    "enrolled": "enrolment needs a consented participant whose screening is eligible",
    "preconditioned": "preconditioning needs an enrolled participant",
    "infused": "infusion needs preconditioning first (day -5 to -2), and only one infusion",
    "off_study": "the participant is already off study or a screen failure",
}


def check_move(current: str, target: str) -> None:
    """Refuse a move the state machine does not allow, saying what the target state needs."""
    if target not in TRANSITIONS[current]:
        need = WHY_NOT.get(target, f"allowed from {current}: {sorted(TRANSITIONS[current])}")
        raise RefusedError("state", current, f"cannot move to {target}: {need}")
