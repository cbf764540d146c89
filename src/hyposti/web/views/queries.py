"""Data queries from the casebook: a monitor or data manager opens one on a field, the site
answers it, the monitor or data manager closes it (hyposti.service.services.integrity)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from hyposti.errors import InputError
from hyposti.service.models import UserProfile
from hyposti.service.services import integrity
from hyposti.web.views.common import AuthenticatedHttpRequest, now, page


def _pk(raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise InputError("query", raw, "must be a query number") from exc


@require_POST
@page
def query_open_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    """``target`` is '<record>/<field>', the record 'participant' or 'adverseevent:<pk>' (the
    casebook's choices, casebook.query_targets)."""
    target = request.POST.get("target", "")
    record, sep, field = target.partition("/")
    if not sep or not field:
        raise InputError("target", target, "choose the record's field the query is about")
    model, _, pk = record.partition(":")
    integrity.query_open(
        user=request.user,
        now=now(),
        model=model,
        object_id=pk or subject_id,
        field=field,
        text=request.POST.get("text", ""),
    )
    return redirect(f"/participants/{subject_id}/#queries")


@require_POST
@page
def query_answer_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str, pk: str
) -> HttpResponse:
    integrity.query_answer(
        user=request.user, now=now(), pk=_pk(pk), answer=request.POST.get("answer", "")
    )
    return redirect(f"/participants/{subject_id}/#queries")


@require_POST
@page
def query_close_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str, pk: str
) -> HttpResponse:
    integrity.query_close(user=request.user, now=now(), pk=_pk(pk))
    return redirect(f"/participants/{subject_id}/#queries")
