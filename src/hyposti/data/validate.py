"""Checks a trial dataset against its schema: types, required values, ranges, keys, cross-table.

Every violation is collected (not just the first) and named by table, 1-based data row (CSV line =
row + 1) and column, so a data manager can fix a whole file in one pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from hyposti.bounds import (
    DATE_RULE,
    EARLIEST_DATE,
    ID_PATTERN,
    ID_RULE,
    LATEST_DATE,
    MAX_ID_CHARS,
)
from hyposti.data.by_subject import BySubject
from hyposti.data.integrity import integrity_errors
from hyposti.data.schema import Column, Table, dataset_tables
from hyposti.errors import DataError, DatasetError, shown

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


class _Cells:
    """A column's cells as positions in its list of distinct present values (-1: null), so that
    a rule on a cell's text runs once per distinct value, not once per row."""

    def __init__(self, codes: np.ndarray, distinct: list[object]) -> None:
        self.codes = codes
        self.distinct = distinct

    @classmethod
    def of(cls, raw: pd.Series) -> _Cells:
        """The cells of ``raw``. Only text and booleans are merged by equality: 1, 1.0 and True
        are equal in Python but read as different text, so a column holding anything else keeps
        every cell apart."""
        cells = raw.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "boolean", "empty"):
            codes, distinct = pd.factorize(cells)
            return cls(codes, list(distinct))
        present = ~pd.isna(cells)
        codes = np.full(len(cells), -1, dtype=np.intp)
        codes[present] = np.arange(int(present.sum()))
        return cls(codes, cells[present].tolist())

    def each(
        self, rule: Callable[[object], object], null: object, dtype: type = object
    ) -> np.ndarray:
        """``rule`` of every cell (``null`` for a null cell), computed once per distinct value."""
        out: np.ndarray = np.empty(len(self.distinct) + 1, dtype=dtype)
        out[:-1] = [rule(v) for v in self.distinct]
        out[-1] = null  # position -1: the null cells'
        picked: np.ndarray = out[self.codes]
        return picked

    def derive(self, rule: Callable[[object], object]) -> _Cells:
        """The cells ``rule`` makes of these, a cell null where it gives None."""
        made = [rule(v) for v in self.distinct]
        kept = np.array([m is not None for m in made] + [False], dtype=bool)
        position = np.where(kept, np.cumsum(kept) - 1, -1)
        return _Cells(position[self.codes], [m for m in made if m is not None])


def _blank(value: object) -> bool:
    return not _as_text(value).strip()


def _missing(raw: pd.Series, cells: _Cells | None) -> np.ndarray:
    """A cell is missing when null or an empty / blank string (``cells``: the raw column's,
    given when it holds text)."""
    if cells is None:
        return raw.isna().to_numpy()
    return cells.each(_blank, True, bool)


def _textual(raw: pd.Series) -> bool:
    return raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype)


def _same(value: object) -> object:
    return value


def _strip(value: object) -> str:
    return _as_text(value).strip()


def _stripped(value: object) -> str | None:
    """A text cell stripped, None when blank (a missing cell)."""
    return _as_text(value).strip() or None


def _nonblank_text(value: object) -> str | float:
    text = _as_text(value)
    return text if text.strip() else np.nan


def _truth(value: object) -> int:
    """1 for a word of truth, 0 for one of falsehood, -1 for anything else."""
    word = _as_text(value).strip().lower()
    return 1 if word in _TRUE else 0 if word in _FALSE else -1


def _coerce(raw: pd.Series, col: Column) -> tuple[pd.Series, np.ndarray, _Cells | None]:
    """Convert one column to its schema type; returns values, a mask of unreadable cells and,
    for a text column, the cells of its values."""
    cells = _Cells.of(raw) if _textual(raw) else None
    if col.dtype == "string":
        # a blank text cell is missing; a cell of another type only when null
        text = cells.derive(_stripped) if cells is not None else _Cells.of(raw).derive(_strip)
        values = pd.Series(text.each(_same, None), index=raw.index, dtype=object)
        return values, np.zeros(len(raw), dtype=bool), text
    # only a cell that is not missing can be unreadable (text has no unreadable cell)
    miss = _missing(raw, cells)
    if col.dtype in ("integer", "number"):
        if pd.api.types.is_bool_dtype(raw.dtype):
            num = pd.Series(np.full(len(raw), np.nan), index=raw.index)
        elif isinstance(raw.dtype, np.dtype) and raw.dtype.kind == "f":
            num = raw.astype(float)  # numbers already, each missing one NaN: nothing to parse
        else:
            num = pd.to_numeric(raw.where(~miss), errors="coerce").astype(float)
        bad = ~miss & num.isna().to_numpy()
        if col.dtype == "integer":
            frac = ~num.isna().to_numpy() & (np.mod(num.fillna(0).to_numpy(), 1) != 0)
            bad = bad | frac
            if frac.any():
                num = num.where(~frac)
            return num.round().astype("Int64"), bad, None
        return num, bad, None
    if col.dtype == "date":
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            dates = raw
        else:
            written = (cells or _Cells.of(raw)).each(_nonblank_text, np.nan)
            parsed = pd.to_datetime(
                pd.Series(written, index=raw.index, dtype=object), format="ISO8601", errors="coerce"
            )
            dates = pd.to_datetime(parsed, errors="coerce")
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        bad = ~miss & dates.isna().to_numpy()
        return dates.dt.normalize().astype("datetime64[ns]"), bad, None
    # boolean
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), np.zeros(len(raw), dtype=bool), None
    truth = (cells or _Cells.of(raw)).each(_truth, -1, np.int8)
    is_true, is_false = truth == 1, truth == 0
    out = pd.Series(pd.array([None] * len(raw), dtype="boolean"), index=raw.index)
    out[is_true] = True
    out[is_false] = False
    bad = ~miss & ~is_true & ~is_false
    return out, bad, None


def _rows(mask: np.ndarray) -> Iterable[int]:
    return (int(i) + 1 for i in np.flatnonzero(mask))


def _show(value: object) -> str:
    empty = value is None or value is pd.NaT or value is pd.NA
    return "empty" if empty or (isinstance(value, float) and math.isnan(value)) else repr(value)


def _breaks_text_rule(text: _Cells, col: Column) -> np.ndarray:
    """Rows whose text is too long, or (identifier columns) not an identifier."""
    if col.identifier:
        pattern = re.compile(ID_PATTERN)

        def broken(v: object) -> bool:
            text = _as_text(v)
            return len(text) > MAX_ID_CHARS or pattern.fullmatch(text) is None

    else:
        longest = col.max_length or 0

        def broken(v: object) -> bool:
            return len(_as_text(v)) > longest

    return text.each(broken, False, bool)


def coerce_table(table: Table, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[DataError]]:
    """Type one table's columns and check required values, allowed values, ranges and the key."""
    errors: list[DataError] = []
    if not raw.index.equals(pd.RangeIndex(len(raw))):  # rows are named by position
        raw = raw.reset_index(drop=True)
    names = set(table.column_names)
    for extra in [c for c in raw.columns if c not in names]:
        errors.append(
            DataError(
                table.name,
                None,
                str(extra),
                f"unknown column; the schema's columns are {', '.join(table.column_names)}",
            )
        )
    out: dict[str, pd.Series] = {}
    for col in table.columns:
        if col.name not in raw.columns:
            if col.required:
                errors.append(DataError(table.name, None, col.name, "required column is missing"))
            raw_col = pd.Series([None] * len(raw), dtype=object)
        else:
            raw_col = raw[col.name]
        values, bad, text = _coerce(raw_col, col)
        if text is None and (
            col.allowed is not None or col.max_length is not None or col.identifier
        ):
            text = _Cells.of(values)
        if col.dtype == "date":
            # a date pandas cannot hold (after 2262) is unreadable; a readable one may be absurd
            earliest, latest = pd.Timestamp(EARLIEST_DATE), pd.Timestamp(LATEST_DATE)
            bad = bad | ((values < earliest) | (values > latest)).fillna(False).to_numpy(dtype=bool)
        for r in _rows(bad):
            rule = f"value {_show(raw_col.iloc[r - 1])} is not a valid {col.dtype}"
            errors.append(
                DataError(
                    table.name,
                    r,
                    col.name,
                    f"{rule}: {DATE_RULE}" if col.dtype == "date" else rule,
                )
            )
        if text is not None:
            present = text.codes >= 0
        else:
            present = ~values.isna().to_numpy(dtype=bool) if len(values) else np.zeros(0, bool)
        if col.required and col.name in raw.columns:
            for r in _rows(~present & ~bad):
                errors.append(DataError(table.name, r, col.name, "a value is required"))
        if col.allowed is not None and text is not None:
            ok = text.each(col.allowed.__contains__, False, bool)
            for r in _rows(present & ~ok):
                errors.append(
                    DataError(
                        table.name,
                        r,
                        col.name,
                        f"value {shown(values.iloc[r - 1])} is not one of {', '.join(col.allowed)}",
                    )
                )
        if (col.max_length is not None or col.identifier) and text is not None:
            for r in _rows(_breaks_text_rule(text, col)):
                rule = ID_RULE if col.identifier else f"at most {col.max_length} characters"
                errors.append(
                    DataError(table.name, r, col.name, f"value {shown(values.iloc[r - 1])}: {rule}")
                )
        if col.minimum is not None or col.maximum is not None:
            num = values.astype(float).to_numpy()
            low = col.minimum if col.minimum is not None else -np.inf
            high = col.maximum if col.maximum is not None else np.inf
            outside = present & ((num < low) | (num > high))
            for r in _rows(outside):
                errors.append(
                    DataError(
                        table.name,
                        r,
                        col.name,
                        f"value {num[r - 1]:g} is outside the allowed range [{low:g}, {high:g}]",
                    )
                )
        out[col.name] = values
    frame = pd.DataFrame(out, index=raw.index)
    key = list(table.key)
    if len(frame):
        dup = frame.duplicated(subset=key, keep="first").to_numpy()
        for r in _rows(dup):
            errors.append(
                DataError(
                    table.name,
                    r,
                    ",".join(key),
                    f"duplicate key ({', '.join(shown(v) for v in frame[key].iloc[r - 1])}); "
                    f"rows must be unique on ({', '.join(key)})",
                )
            )
    return frame, errors


def _date_order(
    frame: pd.DataFrame, table: str, earlier: str, later: str, errors: list[DataError]
) -> None:
    """Row-wise rule: ``later`` must not precede ``earlier`` within one table."""
    bad = (frame[later] < frame[earlier]).fillna(False).to_numpy(dtype=bool)
    for r in _rows(bad):
        errors.append(
            DataError(
                table,
                r,
                later,
                f"{frame[later].iloc[r - 1].date()} is before {earlier} "
                f"{frame[earlier].iloc[r - 1].date()}",
            )
        )


def _not_before_subject_date(
    frame: pd.DataFrame,
    table: str,
    column: str,
    ref: pd.Series,
    subject_column: str,
    errors: list[DataError],
) -> None:
    """Cross-table rule: a row's date is not before the subject's date (e.g. consent), ``ref``:
    the subject's ``subject_column`` on each row of ``frame``."""
    bad = (frame[column] < ref).fillna(False).to_numpy(dtype=bool)
    for r in _rows(bad):
        errors.append(
            DataError(
                table,
                r,
                column,
                f"{frame[column].iloc[r - 1].date()} is before the subject's {subject_column} "
                f"{ref.iloc[r - 1].date()} (subject {frame['subject_id'].iloc[r - 1]})",
            )
        )


def _not_after_death(
    frame: pd.DataFrame, table: str, column: str, deaths: pd.Series, errors: list[DataError]
) -> None:
    """Cross-table rule: nothing is observed on a subject after the death date in disposition."""
    died = frame["subject_id"].map(deaths)
    bad = (frame[column] > died).fillna(False).to_numpy(dtype=bool)
    for r in _rows(bad):
        errors.append(
            DataError(
                table,
                r,
                column,
                f"{frame[column].iloc[r - 1].date()} is after the subject's death_date "
                f"{died.iloc[r - 1].date()} (subject {frame['subject_id'].iloc[r - 1]})",
            )
        )


def _missing_reference(
    frame: pd.DataFrame,
    table: str,
    column: str,
    target: pd.DataFrame,
    key: list[str],
    target_name: str,
    errors: list[DataError],
) -> None:
    """Cross-table rule: the row's key (e.g. subject and lesion) exists in ``target_name``."""
    known = pd.MultiIndex.from_frame(target[key].dropna())
    present = pd.MultiIndex.from_frame(frame[key]).isin(known)
    for r in _rows(~present):
        values = ", ".join(f"{k}={frame[k].iloc[r - 1]}" for k in key)
        errors.append(DataError(table, r, column, f"({values}) is not in the {target_name} table"))


def cross_table_errors(frames: dict[str, pd.DataFrame]) -> list[DataError]:
    """Rules that span tables: known subjects, dates in clinical order, lesions that exist."""
    errors: list[DataError] = []
    study = frames["study"]
    if len(study) != 1:
        errors.append(DataError("study", None, None, f"must have exactly 1 row; has {len(study)}"))
    subjects = frames["subjects"].drop_duplicates("subject_id")
    # an array, not a set: isin would make each table's call turn a set into an array again
    known = subjects["subject_id"].dropna().to_numpy()
    for name, frame in frames.items():
        if name == "subjects" or "subject_id" not in frame.columns:
            continue
        unknown = (~frame["subject_id"].isin(known) & frame["subject_id"].notna()).to_numpy()
        for r in _rows(unknown):
            errors.append(
                DataError(
                    name,
                    r,
                    "subject_id",
                    f"subject {frame['subject_id'].iloc[r - 1]!r} is not in the subjects table",
                )
            )
    s = frames["subjects"]
    for a, b in (
        ("consent_date", "enrolment_date"),
        ("enrolment_date", "preconditioning_start_date"),
        ("preconditioning_start_date", "infusion_date"),
        ("consent_date", "infusion_date"),
    ):
        _date_order(s, "subjects", a, b, errors)
    no_enrol = (s["infusion_date"].notna() & s["enrolment_date"].isna()).to_numpy(dtype=bool)
    for r in _rows(no_enrol):
        errors.append(
            DataError("subjects", r, "enrolment_date", "an infused subject needs an enrolment date")
        )
    by_subject = BySubject(subjects)  # indexed once; each table's ids matched once
    ae = frames["adverse_events"]
    (consent,) = by_subject.aligned(ae, "consent_date")
    _not_before_subject_date(ae, "adverse_events", "onset_date", consent, "consent_date", errors)
    _date_order(ae, "adverse_events", "onset_date", "resolution_date", errors)
    ex = frames["exposure"]
    (consent,) = by_subject.aligned(ex, "consent_date")
    _not_before_subject_date(ex, "exposure", "administration_date", consent, "consent_date", errors)
    d = frames["disposition"]
    (consent,) = by_subject.aligned(d, "consent_date")
    for column in ("progression_date", "death_date", "new_therapy_date", "last_contact_date"):
        _not_before_subject_date(d, "disposition", column, consent, "consent_date", errors)
    _date_order(d, "disposition", "last_contact_date", "death_date", errors)
    ta = frames["tumour_assessments"]
    (consent,) = by_subject.aligned(ta, "consent_date")
    _not_before_subject_date(
        ta, "tumour_assessments", "assessment_date", consent, "consent_date", errors
    )
    two_baselines = (
        ta["baseline"].fillna(False).astype(bool)
        & ta.duplicated(subset=["subject_id", "baseline"], keep="first")
    ).to_numpy(dtype=bool)
    for r in _rows(two_baselines):
        errors.append(
            DataError("tumour_assessments", r, "baseline", "a subject has one baseline scan")
        )
    deaths = d.drop_duplicates("subject_id").set_index("subject_id")["death_date"]
    for table, column in (
        ("tumour_assessments", "assessment_date"),
        ("adverse_events", "onset_date"),
        ("kinetics", "sample_date"),
        ("exposure", "administration_date"),
    ):
        _not_after_death(frames[table], table, column, deaths, errors)
    lm = frames["lesion_measurements"]
    _missing_reference(
        lm,
        "lesion_measurements",
        "lesion_id",
        frames["lesions"],
        ["subject_id", "lesion_id"],
        "lesions",
        errors,
    )
    _missing_reference(
        lm,
        "lesion_measurements",
        "assessment_date",
        ta,
        ["subject_id", "assessment_date"],
        "tumour_assessments",
        errors,
    )
    infused = set(subjects.loc[subjects["infusion_date"].notna(), "subject_id"])
    for sid in sorted(infused - set(d["subject_id"])):
        errors.append(
            DataError(
                "disposition",
                None,
                "subject_id",
                f"infused subject {sid!r} has no row (its last_contact_date is needed for OS)",
            )
        )
    for name in ("kinetics", "dlt_evaluations"):
        frame = frames[name]
        orphan = (frame["subject_id"].isin(known) & ~frame["subject_id"].isin(infused)).to_numpy()
        for r in _rows(orphan):
            errors.append(
                DataError(
                    name,
                    r,
                    "subject_id",
                    f"subject {frame['subject_id'].iloc[r - 1]!r} has no infusion_date in subjects",
                )
            )
    dlt = frames["dlt_evaluations"]
    (assigned,) = by_subject.aligned(dlt, "dose_level")
    mismatch = (assigned.notna() & (dlt["dose_level"] != assigned)).fillna(False).to_numpy(bool)
    for r in _rows(mismatch):
        errors.append(
            DataError(
                "dlt_evaluations",
                r,
                "dose_level",
                f"dose level {dlt['dose_level'].iloc[r - 1]} differs from the subject's assigned "
                f"dose level {assigned.iloc[r - 1]} in subjects",
            )
        )
    esc = frames["escalation"]
    too_many = (esc["n_dlt"] > esc["n_patients"]).fillna(False).to_numpy(dtype=bool)
    for r in _rows(too_many):
        errors.append(
            DataError("escalation", r, "n_dlt", "more patients with a DLT than patients treated")
        )
    return errors


def validate_frames(
    raw: dict[str, pd.DataFrame], products: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Type and check every table against the schema of a dataset attributing adverse events to
    ``products`` (the protocol's ``product_ids``; default: the shipped protocol's); raise one
    DatasetError listing every violation found."""
    errors: list[DataError] = []
    frames: dict[str, pd.DataFrame] = {}
    tables = dataset_tables(products)
    for extra in sorted(set(raw) - set(tables)):
        errors.append(
            DataError(
                extra, None, None, f"unknown table; the schema's tables are {', '.join(tables)}"
            )
        )
    for name, table in tables.items():
        if name not in raw:
            if not table.optional:
                errors.append(DataError(name, None, None, "required table is missing"))
            raw_frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in table.column_names})
        else:
            raw_frame = raw[name]
        frames[name], table_errors = coerce_table(table, raw_frame)
        errors.extend(table_errors)
    errors.extend(cross_table_errors(frames))
    errors.extend(integrity_errors(frames))
    if errors:
        raise DatasetError(errors)
    return frames


def check_consistency(frames: dict[str, pd.DataFrame]) -> None:
    """Refuse typed tables that contradict one another (the cross-table and integrity rules);
    what an analysis runs first, so that a dataset built without ``validate_frames`` is checked."""
    errors = cross_table_errors(frames) + integrity_errors(frames)
    if errors:
        raise DatasetError(errors)
