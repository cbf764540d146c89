"""What every page shares: the signed-in user's profile, the clock, and refusals shown as pages.

A refusal from the service (role, site, protocol rule) is shown with its message and the HTTP
status the API would give: 403 forbidden, 404 not found, 409 refused, 400 bad input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hyposti.errors import HypostiError, InputError, RecordError
from hyposti.service.access import profile_of
from hyposti.service.errors import ForbiddenError, NotFoundError, RefusedError
from hyposti.service.models import UserProfile
from hyposti.service.permissions import MATRIX, allowed
from hyposti.web.navigation import links_for

View = Callable[..., HttpResponse]


class AuthenticatedHttpRequest(HttpRequest):
    """A request ``page`` let through: its user is signed in (the type django-stubs suggests for
    views behind a login check)."""

    user: User


def status_of(exc: HypostiError) -> int:
    """The HTTP status of a refusal, as the REST API maps it."""
    if isinstance(exc, ForbiddenError):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, RefusedError):
        return 409
    return 400


def field_of(exc: HypostiError) -> str | None:
    return exc.field if isinstance(exc, InputError) else None


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def page(view: View) -> View:
    """Signed-in users with a role only; the view gets the profile; refusals become pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        try:
            profile = profile_of(request.user)
            return view(request, profile, *args, **kwargs)
        except HypostiError as exc:
            return show(
                request,
                "web/refused.html",
                {"message": str(exc)},
                status=status_of(exc),
                profile=None,
            )

    return wrapper


def show(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    profile: UserProfile | None = None,
) -> HttpResponse:
    """Render a page with the navigation for the user's role and what the role may do."""
    if profile is None and request.user.is_authenticated:
        profile = UserProfile.objects.select_related("site").filter(user_id=request.user.pk).first()
    role = profile.role if profile else ""
    base = {
        "profile": profile,
        "nav": links_for(role) if role else [],
        "can": _Can(role),
    }
    return render(request, template, {**base, **context}, status=status)


#: Refusals a form page shows above the form as typed (a role, site or missing record still
#: gets the refusal page: the form is no use to that user).
FORM_REFUSALS = (InputError, RecordError)


def form_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    problem: HypostiError | None,
    profile: UserProfile,
) -> HttpResponse:
    """A form page; after a refused POST (``problem``), the same form filled with what was
    posted (``values``) and the refusal above it, with the status the API would give, so that
    nothing typed is lost to a refusal."""
    values = request.POST if problem is not None else context.get("values", {})
    return show(
        request,
        template,
        {**context, "values": values, "problem": str(problem) if problem else ""},
        status=status_of(problem) if problem else 200,
        profile=profile,
    )


class _Can:
    """``{% if can.participant__enrol %}``: may this role do the action ("." written "__")?"""

    def __init__(self, role: str) -> None:
        self.role = role

    def __getattr__(self, name: str) -> bool:
        action = name.replace("__", ".")
        return action in MATRIX and bool(self.role) and allowed(self.role, action)
