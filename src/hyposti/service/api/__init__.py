"""The REST API under /api/: token authentication, one route per service, 4xx on every refusal.

Routes validate the body, call one service with the clock read here (timezone.now), and return
the record. OpenAPI schema at /api/openapi.json.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import IntegrityError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestInvalid
from ninja.openapi.schema import OpenAPISchema, get_schema
from pydantic import ValidationError

from hyposti.errors import HypostiError, InputError, validation_problems
from hyposti.service.api import integrity, participants, trial
from hyposti.service.api.auth import TokenAuth
from hyposti.service.errors import ForbiddenError, NotFoundError, RefusedError


class _SchemaOnceApi(NinjaAPI):
    """The API, its OpenAPI schema built once per path prefix and then served as built.

    django-ninja 1.7 builds the schema afresh for every GET of /api/openapi.json (about 70 ms of
    CPU, so 15 requests a second, signed in or not, kept a core busy); the schema depends only on
    the routes, which are fixed when this module is imported.
    """

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        prefix = self.get_root_path(path_params or {}) if path_prefix is None else path_prefix
        return _schema(self, prefix)


@functools.cache
def _schema(api: NinjaAPI, path_prefix: str) -> OpenAPISchema:
    return get_schema(api=api, path_prefix=path_prefix)


api = _SchemaOnceApi(
    title="hyposti trial operations",
    version="1",
    description="NCT05681650: screening, enrolment, dosing, safety, escalation, audit.",
    auth=TokenAuth(),
    urls_namespace="hyposti-api",
)


def _problem(request: HttpRequest, status: int, detail: str, **extra: object) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(HypostiError)
def _refused(request: HttpRequest, exc: HypostiError) -> HttpResponse:
    if isinstance(exc, InputError):
        status = 409 if isinstance(exc, RefusedError) else 400
        return _problem(request, status, str(exc), field=exc.field, rule=exc.rule)
    if isinstance(exc, ForbiddenError):
        return _problem(request, 403, str(exc), rule=exc.rule)
    if isinstance(exc, NotFoundError):
        return _problem(request, 404, str(exc))
    return _problem(request, 400, str(exc))


@api.exception_handler(RequestInvalid)
def _bad_request(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    """A body or parameter that fails its schema: 400 naming the first field and the rule."""
    problems = [
        (".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
         e["msg"])
        for e in exc.errors
    ]  # fmt: skip
    field, rule = problems[0] if problems else ("(request)", "invalid")
    detail = "; ".join(f"{f}: {r}" for f, r in problems)
    return _problem(request, 400, detail, field=field, rule=rule)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _problem(request, 400, "; ".join(validation_problems(exc)))


@api.exception_handler(IntegrityError)
def _constraint(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return _problem(request, 409, f"refused by a database constraint: {exc}")


@api.exception_handler(OperationalError)
def _busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    # SQLite's busy timeout expired behind other writers: the request can be retried.
    return _problem(request, 503, f"database busy, try again: {exc}")


api.add_router("/", participants.router)
api.add_router("/", trial.router)
api.add_router("/", integrity.router)
