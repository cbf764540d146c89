"""Template filters the pages need: look a value up by key; a stored field, record kind or
code (a participant's state, a user's role) in words (hyposti.web.views.records)."""

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


@register.filter
def in_words(code: str) -> str:
    """A stored code as people write it: "dlt_window" -> "DLT window", "research_coordinator"
    -> "research coordinator" (the code itself stays in the page's data attributes)."""
    return records.field_label(code)
