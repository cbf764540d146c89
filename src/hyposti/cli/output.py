"""How every command prints: rich tables for people, plain JSON (and nothing else) with --json."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from rich.console import Console

console = Console()
error_console = Console(stderr=True)


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):  # a pydantic record; pydantic itself loads only with one
        return _finite(value.model_dump(mode="json"))
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return _finite(value.tolist())
    if hasattr(value, "item"):
        return _finite(value.item())
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(payload: Any) -> str:
    """Serialise a result for --json: dates as ISO 8601, numpy values as plain numbers, and a
    NaN or infinite number (which JSON cannot hold) as null."""
    return json.dumps(_finite(payload), default=_jsonable, indent=2, allow_nan=False)


def emit(payload: Any, as_json: bool, render: Callable[[Console], None]) -> None:
    """Print ``payload`` as JSON when asked, otherwise let ``render`` draw it for a person."""
    if as_json:
        print(to_json(payload))
    else:
        render(console)
