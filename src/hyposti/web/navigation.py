"""What each role sees in the navigation: a page is listed when the permission matrix allows
the action the page is for (the same matrix the service enforces on every write)."""

from __future__ import annotations

from dataclasses import dataclass

from hyposti.service.permissions import allowed


@dataclass(frozen=True)
class Link:
    url_name: str
    label: str
    action: str


LINKS = (
    Link("dashboard", "Dashboard", "read"),
    Link("participants", "Participants", "read"),
    Link("register", "Register a candidate", "participant.create"),
    Link("committee", "Safety review", "escalation.review"),
    Link("statistics", "Statistics", "dataset.export"),
)


def links_for(role: str) -> list[Link]:
    return [link for link in LINKS if allowed(role, link.action)]
