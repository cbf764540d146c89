"""Template filters the pages need: look a value up by key; a stored field or record kind in
words (hyposti.web.views.records)."""

from __future__ import annotations

from typing import Any

from django import template

from hyposti.web.views import records

register = template.Library()


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def field_label(name: str) -> str:
    return records.field_label(name)


@register.filter
def record_label(model: str) -> str:
    return records.record_label(model)
