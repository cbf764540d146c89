"""URLs: the REST API under /api/ (OpenAPI schema at /api/openapi.json)."""

from django.urls import path

from hyposti.service.api import api

urlpatterns = [path("api/", api.urls)]
