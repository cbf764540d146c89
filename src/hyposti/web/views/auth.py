"""Sign in (throttled like the API's token login), sign out, and change one's password."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hyposti.service.models import LoginFailure, UserProfile
from hyposti.service.services.users import THROTTLE_MINUTES
from hyposti.web.views.common import AuthenticatedHttpRequest, now, page, show


def login_view(request: HttpRequest) -> HttpResponse:
    """A user name is refused for a quarter hour after too many failures (as the API does)."""
    error = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        since = now() - dt.timedelta(minutes=THROTTLE_MINUTES)
        failures = LoginFailure.objects.filter(username=username, at__gte=since).count()
        user = None
        if failures >= settings.LOGIN_FAILURES_ALLOWED:
            error = (
                f"Sign-in refused: {failures} failed attempts in {THROTTLE_MINUTES} minutes. "
                "Wait and try again."
            )
        else:
            user = authenticate(request, username=username, password=request.POST.get("password"))
            if user is None or not UserProfile.objects.filter(user_id=user.pk).exists():
                LoginFailure.objects.create(username=username, at=now())
                error = "Wrong user name or password."
                user = None
        if user is not None:
            login(request, user)
            target = request.POST.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "/"
            return redirect(target)
    context = {"error": error, "next": request.GET.get("next") or request.POST.get("next", "")}
    return show(request, "web/login.html", context, status=401 if error else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGIN_URL)


@page
def password_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    """Django's password form: the old password, then the new one twice, checked by the
    project's password validators."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        return show(request, "web/password.html", {"form": None, "done": True}, profile=profile)
    status = 400 if request.method == "POST" else 200
    return show(request, "web/password.html", {"form": form}, status=status, profile=profile)
