"""The service as one Django app (label ``service``)."""

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "hyposti.service"
    label = "service"
    verbose_name = "hyposti trial operations"
    default_auto_field = "django.db.models.BigAutoField"
