"""URLs: the REST API under /api/ (OpenAPI schema at /api/openapi.json), the web pages at /."""

from django.urls import include, path

from hyposti.service.api import api

urlpatterns = [path("api/", api.urls), path("", include("hyposti.web.urls"))]
