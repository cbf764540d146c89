"""The web pages as one Django app (label ``web``)."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hyposti.web"
    label = "web"
    verbose_name = "hyposti web pages"
