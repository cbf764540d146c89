"""Bearer-token authentication: tokens from POST /api/auth/token, expiring (settings)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from hyposti.service.services.users import token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_user(token, timezone.now())


def caller(request: HttpRequest) -> dict[str, Any]:
    """The authenticated user and the clock, as every service takes them ("now" is read here)."""
    return {"user": request.auth, "now": timezone.now()}  # type: ignore[attr-defined]
