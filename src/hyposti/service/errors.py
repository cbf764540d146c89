"""The service's refusals, on top of hyposti.errors: each names the field, value and rule."""

from __future__ import annotations

from hyposti.errors import HypostiError, InputError


class RefusedError(InputError):
    """A workflow step the protocol or the record's state does not allow (HTTP 409)."""


class ForbiddenError(HypostiError):
    """The user's role or site does not allow the action (HTTP 403)."""

    def __init__(self, action: str, role: str | None, rule: str) -> None:
        self.action, self.role, self.rule = action, role, rule
        super().__init__(f"{action}: role {role!r} {rule}")


class NotFoundError(HypostiError):
    """No such record, or not one the user's site may see (HTTP 404)."""

    def __init__(self, entity: str, key: object) -> None:
        self.entity, self.key = entity, key
        super().__init__(f"{entity} {key!r} not found")
