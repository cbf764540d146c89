"""Integrity routes: login, corrections, locks, queries, audit trail, users, export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from hyposti.service.access import authorize
from hyposti.service.api.auth import caller
from hyposti.service.api.participants import ERRORS, Json
from hyposti.service.api.schemas import (
    AnswerIn,
    CorrectionIn,
    Credentials,
    QueryIn,
    ReasonIn,
    TokenOut,
    UserIn,
)
from hyposti.service.audit import audit_verify
from hyposti.service.permissions import matrix_table
from hyposti.service.selectors import AUDIT_PAGE_MAX, audit_trail
from hyposti.service.services import integrity, users

router = Router(tags=["integrity"])


@router.post("/auth/token", auth=None, response={200: TokenOut, **ERRORS})
def token(request: HttpRequest, body: Credentials) -> Any:
    key, issued = users.token_issue(
        now=timezone.now(), username=body.username, password=body.password
    )
    return {"token": key, "expires_at": issued.expires_at}


@router.get("/permissions", response={200: list[Json], **ERRORS})
def permissions(request: HttpRequest) -> Any:
    authorize(caller(request)["user"], "read")
    return matrix_table()


@router.post("/users", response={201: Json, **ERRORS})
def create_user(request: HttpRequest, body: UserIn) -> Any:
    ctx = caller(request)
    authorize(ctx["user"], "user.manage")
    user = users.user_create(now=ctx["now"], created_by=ctx["user"].get_username(), **body.dict())
    return Status(201, {"username": user.username, "role": body.role, "site_code": body.site_code})


@router.post("/records/{model}/{object_id}/correct", response={200: Json, **ERRORS})
def correct(request: HttpRequest, model: str, object_id: str, body: CorrectionIn) -> Any:
    changes = integrity.record_correct(
        **caller(request), model=model, object_id=object_id, values=body.values, reason=body.reason
    )
    return {"changes": changes}


@router.post("/records/{model}/{object_id}/lock", response={200: Json, **ERRORS})
def lock(request: HttpRequest, model: str, object_id: str) -> Any:
    integrity.record_lock(**caller(request), model=model, object_id=object_id)
    return {"locked": True}


@router.post("/records/{model}/{object_id}/unlock", response={200: Json, **ERRORS})
def unlock(request: HttpRequest, model: str, object_id: str, body: ReasonIn) -> Any:
    integrity.record_unlock(**caller(request), model=model, object_id=object_id, reason=body.reason)
    return {"locked": False}


@router.post("/queries", response={201: Json, **ERRORS})
def open_query(request: HttpRequest, body: QueryIn) -> Any:
    query = integrity.query_open(**caller(request), **body.dict())
    return Status(201, {"id": query.pk, "status": query.status})


@router.post("/queries/{pk}/answer", response={200: Json, **ERRORS})
def answer_query(request: HttpRequest, pk: int, body: AnswerIn) -> Any:
    query = integrity.query_answer(**caller(request), pk=pk, answer=body.answer)
    return {"id": query.pk, "status": query.status}


@router.post("/queries/{pk}/close", response={200: Json, **ERRORS})
def close_query(request: HttpRequest, pk: int) -> Any:
    query = integrity.query_close(**caller(request), pk=pk)
    return {"id": query.pk, "status": query.status}


@router.get("/audit", response={200: list[Json], **ERRORS})
def audit(
    request: HttpRequest,
    model: str | None = None,
    object_id: str | None = None,
    after: int = 0,
    limit: int = AUDIT_PAGE_MAX,
) -> Any:
    """Entries numbered above ``after`` (at most ``limit``); page on with the last ``seq``."""
    profile = authorize(caller(request)["user"], "audit.read")
    return audit_trail(profile, model, object_id, after=after, limit=limit)


@router.get("/audit/verify", response={200: Json, **ERRORS})
def verify(request: HttpRequest) -> Any:
    authorize(caller(request)["user"], "audit.read")
    return audit_verify().to_dict()


@router.get("/export", response={200: Json, **ERRORS})
def export(request: HttpRequest) -> Any:
    """The trial dataset as JSON tables (statisticians and data managers)."""
    from hyposti.service.dataset_io import export_rows

    ctx = caller(request)
    authorize(ctx["user"], "dataset.export")
    return export_rows(ctx["now"].date())
