"""SDTM conventions shared by every domain: ISO 8601 dates, study day, --SEQ, subject ids.

Study day: SDTMIG 3.4 section 4.4.4 -- --DY = date - RFSTDTC + 1 on or after the reference
start, date - RFSTDTC before it; there is no day 0. Dates: ISO 8601 extended format (SDTMIG 3.4
section 4.4.1). --SEQ: a number unique for each record of a subject within a domain (section
4.1.9).
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from hyposti.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from hyposti.standards.spec import Dataset, DomainSpec


def as_date(value: object) -> dt.date | None:
    """A date from a pandas Timestamp, datetime or date; None for a missing value."""
    if value is None or value != value:  # NaN and NaT are unequal to themselves
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if to_pydatetime is not None:
        return to_pydatetime().date()  # type: ignore[no-any-return]
    raise InputError("date", value, "must be a date (ISO 8601 YYYY-MM-DD)")


def iso8601(value: object) -> str:
    """A date as ISO 8601 'YYYY-MM-DD' (SDTMIG 3.4 section 4.4.1); '' when missing."""
    date = as_date(value)
    return "" if date is None else date.isoformat()


def study_day(date: object, reference_start: object) -> int | None:
    """SDTM study day (SDTMIG 3.4 section 4.4.4): date - RFSTDTC + 1 on/after it, else the
    difference; None when either date is missing."""
    d, ref = as_date(date), as_date(reference_start)
    if d is None or ref is None:
        return None
    delta = (d - ref).days
    return delta + 1 if delta >= 0 else delta


def records_by(frame: pd.DataFrame, key: str) -> dict[Any, dict[str, Any]]:
    """Rows as plain dicts keyed by one column (per-row pandas look-ups are slow)."""
    return {r[key]: {str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")}


def number(value: object) -> float:
    """A cell the schema types as a number (Python or NumPy), as a float."""
    if isinstance(value, numbers.Real):
        return float(value)
    raise InputError("value", value, "must be a number")


def whole(value: object) -> int:
    """A cell the schema types as a whole number (a grade, a dose level), as an int."""
    x = number(value)
    if not x.is_integer():
        raise InputError("value", value, "must be a whole number")
    return int(x)


def usubjid(study_id: str, subject_id: object) -> str:
    """USUBJID: the study identifier and the subject identifier joined by a hyphen."""
    return f"{study_id}-{subject_id}"


def yn(flag: object) -> str:
    """'Y' / 'N' (CDISC NY codelist) for a boolean; '' for a missing value."""
    if flag is None or flag != flag:
        return ""
    return "Y" if bool(flag) else "N"


def frame(spec: DomainSpec, rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly the spec's columns: text '' when missing, numbers NaN,
    dates None. A key not in the spec is refused (it would be silently dropped)."""
    import pandas as pd

    names = spec.names
    records = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(names)
        if unknown:
            raise InputError(f"{spec.name}[{i}]", sorted(unknown), "not variables of the domain")
        records.append(row)
    out = pd.DataFrame.from_records(records, columns=list(names))
    for v in spec.variables:
        col = out[v.name]
        if v.dtype == "text":
            out[v.name] = col.map(lambda x: "" if x is None or x != x else str(x)).astype(object)
        elif v.dtype in ("integer", "float"):
            out[v.name] = pd.to_numeric(col, errors="raise").astype(float)
        else:
            out[v.name] = col.map(as_date).astype(object)
    return out


def with_sequence(dataset_frame: pd.DataFrame, seq: str, order: list[str]) -> pd.DataFrame:
    """Sort by USUBJID then ``order`` and number each subject's records 1, 2, ... in --SEQ."""
    out = dataset_frame.sort_values(["USUBJID", *order], kind="stable").reset_index(drop=True)
    out[seq] = (out.groupby("USUBJID").cumcount() + 1).astype(float)
    return out


def build(spec: DomainSpec, rows: Iterable[Mapping[str, Any]], order: list[str]) -> Dataset:
    """A Dataset from rows, sorted, with --SEQ numbered when the domain has one."""
    from hyposti.standards.spec import Dataset

    out = frame(spec, rows)
    seq = spec.seq_variable if spec.subject_level else None
    if seq is not None:
        out = with_sequence(out, seq, order)
    elif order:
        out = out.sort_values(order, kind="stable").reset_index(drop=True)
    return Dataset(spec, out)
