"""Helpers of the screening tests: load the example records, change one value, read a verdict."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hyposti.eligibility import ScreeningRecord, screen
from hyposti.eligibility.verdict import CriterionResult
from hyposti.protocol import load_protocol

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def changed(data: dict[str, Any], **paths: Any) -> dict[str, Any]:
    """A copy of ``data`` with dotted paths (``labs__anc_10e9_per_l``) set; None removes."""
    copy = json.loads(json.dumps(data))
    for dotted, value in paths.items():
        *parents, leaf = dotted.split("__")
        node = copy
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return copy


def verdict(data: dict[str, Any], criterion: str, protocol=None) -> CriterionResult:
    """The result of one criterion for a record given as JSON-like data."""
    record = ScreeningRecord.model_validate(data)
    result = screen(record, protocol or load_protocol(), record.screening_date)
    return next(c for c in result.criteria if c.id == criterion)


SCREENING = dt.date(2026, 11, 20)
ENROLMENT = dt.date(2026, 11, 27)
FIRST_DOSE = dt.date(2026, 11, 30)


def days_before(day: dt.date, n: int) -> str:
    return (day - dt.timedelta(days=n)).isoformat()
