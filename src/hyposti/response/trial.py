"""RECIST 1.1 response of a whole trial's lesion table, vectorised over patients (Eisenhauer 2009).

Two long tables, in the style of CDISC TR/RS domains:

``measurements``: one row per target lesion (or fragment of a split lesion) per assessment,
baseline included. Columns: ``patient_id``, ``date``, ``lesion_id``, ``nodal`` (bool), ``state``
(a :class:`TargetState` value) and ``diameter_mm`` (NaN unless measured). Rows of one lesion at one
date are fragments and are added (s4.3.2); a lesion recorded ``merged`` counts 0 mm and the
coalesced diameter sits on the lesion it merged into.

``assessments``: one row per patient per assessment, baseline included. Columns: ``patient_id``,
``date``, ``baseline`` (bool), ``reference_date`` (infusion, study day 0), ``non_target`` (at
baseline ``present`` or empty; at follow-ups a :class:`NonTargetStatus` value, empty when there is
no non-target disease), ``new_lesions`` (a :class:`NewLesionStatus` value: an equivocal lesion
later confirmed is entered ``unequivocal`` at its first scan, s4.3.5) and optionally
``new_anticancer_therapy_date``.

The answers are those of :func:`hyposti.response.assess_patient` (tested on random patients).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from hyposti.bounds import MAX_LESION_MM
from hyposti.errors import DataError
from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response import best_response
from hyposti.response.best_response import Choice
from hyposti.response.records import NewLesionStatus, NonTargetStatus, TargetState
from hyposti.response.thresholds import meets_pd, meets_pr, target_gone

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]
ObjectArray = npt.NDArray[np.object_]

CR, PR, SD, NN, PD, NE, MISSING, NONE = 0, 1, 2, 3, 4, 5, 6, -1
NAMES = np.array(["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"], dtype=object)
CODE_OF = {best_response.Code(name): i for i, name in enumerate(NAMES)}
NT_CODE = {
    NonTargetStatus.CR.value: CR,
    NonTargetStatus.NON_CR_NON_PD.value: NN,
    NonTargetStatus.PD.value: PD,
    NonTargetStatus.NE.value: NE,
}
NEW_CODE = {s.value: i for i, s in enumerate(NewLesionStatus)}
MEASUREMENT_COLUMNS = ("patient_id", "date", "lesion_id", "nodal", "state", "diameter_mm")
ASSESSMENT_COLUMNS = (
    "patient_id",
    "date",
    "baseline",
    "reference_date",
    "non_target",
    "new_lesions",
)


def _require(df: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(table, None, missing[0], f"required column missing (needs {list(columns)})")


def _fail(table: str, df: pd.DataFrame, mask: np.ndarray, column: str, rule: str) -> None:
    """Raise on the first row where ``mask`` holds, naming its patient, date and lesion."""
    if not mask.any():
        return
    pos = int(np.flatnonzero(mask)[0])
    row = df.iloc[pos]
    where = f"patient {row['patient_id']}, date {pd.Timestamp(row['date']).date()}"
    if "lesion_id" in df.columns:
        where += f", lesion {row['lesion_id']}"
    raise DataError(table, int(df.index[pos]), column, f"{where}: {rule}")


def _days(values: pd.Series) -> IntArray:
    """Dates as int64 days since 1970-01-01; NaT becomes the int64 minimum."""
    # A datetime column needs no parsing (to_datetime would still scan it for its cache).
    dates = values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _text(values: pd.Series) -> np.ndarray:
    return values.fillna("").astype(str).to_numpy()


def _coded(text: np.ndarray, codes: dict[str, int], unknown: int) -> IntArray:
    """Each cell's code, ``unknown`` where the text has none; each distinct text looked up once."""
    index, names = pd.factorize(text)
    lookup = np.array([codes.get(name, unknown) for name in names], dtype=np.int64)
    coded: IntArray = lookup[index]
    return coded


@dataclass(frozen=True)
class _Layout:
    """The assessments table as patients x assessments arrays (column 0 = baseline).

    ``rows`` is the table sorted per patient (baseline first, then by date); its row ``i`` sits
    at cell (``p_idx[i]``, ``col[i]``).
    """

    rows: pd.DataFrame
    p_idx: IntArray
    col: IntArray
    patients: ObjectArray
    valid: BoolArray
    day: IntArray
    study_day: IntArray
    therapy: IntArray
    has_nt: BoolArray
    nt: IntArray
    new: IntArray

    @property
    def n_p(self) -> int:
        return int(self.valid.shape[0])

    @property
    def n_a(self) -> int:
        return int(self.valid.shape[1])


@dataclass(frozen=True)
class _Targets:
    """Target lesions per assessment (RECIST 1.1 s4.3.1-4.3.2): sums, completeness, CR."""

    measured: FloatArray
    has_targets: BoolArray
    complete: BoolArray
    gone: BoolArray
    any_measured: BoolArray
    sum: FloatArray
    base: FloatArray


@dataclass(frozen=True)
class _TimePoints:
    """Nadir, % changes, target and overall response per assessment and which ones count."""

    nadir: FloatArray
    pct_base: FloatArray
    pct_nadir: FloatArray
    target: IntArray
    table_code: IntArray
    code: IntArray
    cr_then_pr: BoolArray
    included: BoolArray


@dataclass(frozen=True)
class _Readings:
    """Per patient, the columns the best-response rules read (``n_a`` where there is none): the
    minimum-duration fallback (its code and column), the first CR/PR, the first CR else PR, and
    the first confirmed response and first confirmed CR (else that response) with the columns
    confirming them (RECIST 1.1 s4.4.3, s4.6, Table 3)."""

    fallback_code: IntArray
    fallback: IntArray
    response: IntArray
    best: IntArray
    confirmed_first: IntArray
    confirmed_first_by: IntArray
    confirmed_best: IntArray
    confirmed_best_by: IntArray


@dataclass(frozen=True)
class _Best:
    """Best overall response per patient and the endpoint dates (NaT where none)."""

    bor_u: IntArray
    bor_c: IntArray
    first_any: DateArray
    first_confirmed: DateArray
    confirmed_on: DateArray
    progression: DateArray
    last_adequate: DateArray
    best_pct: FloatArray


def _layout(assessments: pd.DataFrame) -> _Layout:
    _require(assessments, "assessments", ASSESSMENT_COLUMNS)
    a = assessments.reset_index(drop=False).rename(columns={"index": "_row"})
    a["_day"] = _days(a["date"])
    a["_baseline"] = a["baseline"].astype(bool).to_numpy()
    # Baseline first, then date order; a tie or a follow-up before baseline is an input error.
    a = a.sort_values(
        ["patient_id", "_baseline", "_day"], ascending=[True, False, True], kind="stable"
    )
    a.index = pd.Index(a["_row"].to_numpy())
    pid = a["patient_id"].to_numpy()
    first: BoolArray = np.r_[True, pid[1:] != pid[:-1]]
    is_baseline = a["_baseline"].to_numpy(dtype=bool)
    _fail(
        "assessments",
        a,
        first & ~is_baseline,
        "baseline",
        "no baseline assessment for this patient",
    )
    _fail(
        "assessments",
        a,
        ~first & is_baseline,
        "baseline",
        "more than one baseline assessment",
    )
    day = a["_day"].to_numpy(dtype=np.int64)
    _fail(
        "assessments",
        a,
        ~first & (day <= np.r_[day[:1], day[:-1]]),
        "date",
        "assessments must be in increasing date order after the baseline",
    )

    codes, uniques = pd.factorize(pid, sort=True)
    p_idx = np.asarray(codes, dtype=np.int64)
    patients = np.asarray(uniques, dtype=object)
    starts = np.flatnonzero(first)
    col = np.arange(len(a), dtype=np.int64) - starts.repeat(np.diff(np.r_[starts, len(a)]))
    n_p, n_a = len(patients), int(col.max()) + 1 if len(a) else 1
    valid = np.zeros((n_p, n_a), bool)
    valid[p_idx, col] = True
    days = np.zeros((n_p, n_a), np.int64)
    days[p_idx, col] = day
    ref = np.zeros(n_p, np.int64)
    ref[p_idx[first]] = _days(a["reference_date"])[first]
    therapy = np.full(n_p, np.iinfo(np.int64).max)
    if "new_anticancer_therapy_date" in a.columns:
        t = _days(a["new_anticancer_therapy_date"])
        t = np.where(t == np.iinfo(np.int64).min, np.iinfo(np.int64).max, t)
        np.minimum.at(therapy, p_idx, t)

    nt_text = _text(a["non_target"])
    has_nt = np.zeros(n_p, bool)
    has_nt[p_idx[first]] = nt_text[first] == "present"
    _fail(
        "assessments",
        a,
        first & ~np.isin(nt_text, ["present", ""]),
        "non_target",
        "at baseline non_target is 'present' or empty",
    )
    nt_code = _coded(nt_text, NT_CODE, -2)
    fu = ~first
    _fail(
        "assessments",
        a,
        fu & has_nt[p_idx] & (nt_code < 0),
        "non_target",
        f"non-target disease at baseline: status must be one of {list(NT_CODE)}",
    )
    _fail(
        "assessments",
        a,
        fu & ~has_nt[p_idx] & (nt_text != ""),
        "non_target",
        "no non-target disease at baseline: status must be empty",
    )
    nt = np.full((n_p, n_a), NONE, dtype=np.int64)
    nt[p_idx[fu], col[fu]] = np.where(has_nt[p_idx[fu]], nt_code[fu], NONE)
    new_text = _text(a["new_lesions"])
    new_code = _coded(new_text, NEW_CODE, -1)
    _fail("assessments", a, fu & (new_code < 0), "new_lesions", f"must be one of {list(NEW_CODE)}")
    new = np.zeros((n_p, n_a), np.int64)
    new[p_idx[fu], col[fu]] = new_code[fu]
    return _Layout(
        rows=a,
        p_idx=p_idx,
        col=col,
        patients=patients,
        valid=valid,
        day=days,
        study_day=days - ref[:, None],
        therapy=therapy,
        has_nt=has_nt,
        nt=nt,
        new=new,
    )


def _targets(g: _Layout, m: pd.DataFrame, spec: ResponseSpec) -> _Targets:
    """Sum of diameters, completeness and CR per assessment (RECIST 1.1 s4.3.1-4.3.2)."""
    a, p_idx, col = g.rows, g.p_idx, g.col
    keys = pd.MultiIndex.from_arrays([a["patient_id"].to_numpy(), a["_day"].to_numpy()])
    m_day = _days(m["date"])
    pos = keys.get_indexer(pd.MultiIndex.from_arrays([m["patient_id"].to_numpy(), m_day]))
    _fail("measurements", m, pos < 0, "date", "no assessment row for this patient and date")
    # Factorise first: a handful of distinct states, each looked up once, not once per row.
    state_code, state_names = pd.factorize(m["state"].fillna(""))
    known_states = [s.value for s in TargetState]
    lookup = np.array(
        [known_states.index(x) if x in known_states else -1 for x in state_names], dtype=np.int64
    )
    state = lookup[state_code] if len(lookup) else np.zeros(0, np.int64)
    _fail("measurements", m, state < 0, "state", f"must be one of {known_states}")
    diameter = pd.to_numeric(m["diameter_mm"], errors="coerce").to_numpy(float)
    measured = state == known_states.index(TargetState.MEASURED.value)
    _fail(
        "measurements",
        m,
        (diameter < 0) | (diameter > MAX_LESION_MM) | np.isinf(diameter),
        "diameter_mm",
        f"a diameter lies between 0 and {MAX_LESION_MM:g} mm",
    )
    _fail(
        "measurements",
        m,
        measured & np.isnan(diameter),
        "diameter_mm",
        "a measured lesion needs a diameter",
    )
    _fail(
        "measurements",
        m,
        ~measured & ~np.isnan(diameter),
        "diameter_mm",
        "only a measured lesion carries a diameter",
    )
    row_p, row_c = p_idx[pos], col[pos]
    is_base = row_c == 0
    _fail("measurements", m, is_base & ~measured, "state", "baseline targets must be measured")

    lesion_codes, lesion_ids = pd.factorize(m["lesion_id"])
    lesion = np.asarray(lesion_codes, dtype=np.int64)
    n_l = len(lesion_ids)
    base_key = row_p[is_base] * n_l + lesion[is_base]
    row_key = row_p * n_l + lesion
    _fail(
        "measurements",
        m,
        ~is_base & ~np.isin(row_key, base_key),
        "lesion_id",
        "follow-up target lesion id not among this patient's baseline targets",
    )

    value = np.where(measured, diameter, np.nan)
    too_small = state == known_states.index(TargetState.TOO_SMALL.value)
    value = np.where(too_small, spec.too_small_to_measure_mm, value)
    value = np.where(
        (state == known_states.index(TargetState.DISAPPEARED.value))
        | (state == known_states.index(TargetState.MERGED.value)),
        0.0,
        value,
    )
    cell = row_p * g.n_a + row_c
    group_key = cell * n_l + lesion
    inverse, groups = pd.factorize(group_key)
    unknown = np.isnan(value)
    lesion_value = np.asarray(
        np.bincount(inverse, np.where(unknown, 0.0, value), len(groups)), dtype=np.float64
    )
    lesion_ne = np.bincount(inverse, unknown, len(groups)) > 0
    lesion_nodal = np.bincount(inverse, m["nodal"].astype(bool).to_numpy(), len(groups)) > 0
    gone = target_gone(lesion_value, lesion_nodal)
    g_cell = np.asarray(groups, dtype=np.int64) // n_l
    shape = (g.n_p, g.n_a)
    size = g.n_p * g.n_a
    n_lesions = np.bincount(g_cell, minlength=size).reshape(shape)
    n_ne = np.bincount(g_cell, lesion_ne, size).reshape(shape)
    n_gone = np.bincount(g_cell, gone & ~lesion_ne, size).reshape(shape)
    measured_sum = np.asarray(
        np.bincount(g_cell, np.where(lesion_ne, 0.0, lesion_value), size), dtype=np.float64
    ).reshape(shape)
    n_base = n_lesions[:, 0]
    short = g.valid & (n_lesions != n_base[:, None])
    short[:, 0] = False
    if short.any():
        p, c = (int(x[0]) for x in np.nonzero(short))
        day = np.datetime64(int(g.day[p, c]), "D")
        raise DataError(
            "measurements",
            None,
            "lesion_id",
            f"patient {g.patients[p]}, date {day}: {int(n_lesions[p, c])} of {int(n_base[p])} "
            "baseline targets recorded; every target needs a row (state 'not_evaluated' if so)",
        )
    has_targets = n_base > 0
    no_disease = ~has_targets & ~g.has_nt
    if no_disease.any():
        p = int(np.flatnonzero(no_disease)[0])
        raise DataError(
            "assessments",
            None,
            "non_target",
            f"patient {g.patients[p]}: no baseline target rows and no non-target disease",
        )
    complete = n_ne == 0
    sums = np.where(complete & has_targets[:, None] & g.valid, measured_sum, np.nan)
    return _Targets(
        measured=measured_sum,
        has_targets=has_targets,
        complete=complete,
        gone=complete & (n_gone == n_lesions),
        any_measured=n_ne < n_lesions,
        sum=sums,
        base=sums[:, 0],
    )


def _time_points(g: _Layout, tg: _Targets, spec: ResponseSpec) -> _TimePoints:
    """Target and overall response per assessment (Tables 1, 2) and which assessments count."""
    nadir = np.full_like(tg.sum, np.nan)
    nadir[:, 1:] = np.fmin.accumulate(tg.sum, axis=1)[:, :-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        pd_t = tg.any_measured & meets_pd(tg.measured, nadir)
        pr_t = meets_pr(tg.sum, tg.base[:, None])
        base = np.where(tg.base > 0, tg.base, np.nan)[:, None]
        pct_base = 100.0 * (tg.sum - base) / base
        nz = np.where(nadir > 0, nadir, np.nan)
        pct_nadir = 100.0 * (tg.sum - nz) / nz
    target_code = np.select([pd_t, ~tg.complete, tg.gone, pr_t], [PD, NE, CR, PR], SD)
    t = np.where(tg.has_targets[:, None], target_code, NONE)
    nt, new = g.nt, g.new
    progressed = (t == PD) | (nt == PD) | (new == NEW_CODE[NewLesionStatus.UNEQUIVOCAL.value])
    with_targets = np.where(t == CR, np.where((nt == CR) | (nt == NONE), CR, PR), t)
    without_targets = np.select([nt == CR, nt == NN], [CR, NN], NE)
    code = np.where(progressed, PD, np.where(t != NONE, with_targets, without_targets))
    follow = g.valid.copy()
    follow[:, 0] = False
    table_code = code = np.where(follow, code, NE)
    columns = np.arange(g.n_a)[None, :]

    # RECIST 1.1 Table 3 note a: disease (PR, SD, non-CR/non-PD) after a CR, read as the
    # protocol says.
    first_cr = np.where(follow & (code == CR), columns, g.n_a).min(axis=1)
    later_pr = follow & np.isin(code, [PR, SD, NN]) & (columns > first_cr[:, None])
    cr_then_pr = later_pr.any(axis=1)
    if spec.cr_followed_by_pr == "reappearance_is_pd":
        code = np.where(later_pr, PD, code)
    else:
        first_pr = np.where(later_pr, columns, g.n_a).min(axis=1)
        code = np.where(
            follow & cr_then_pr[:, None] & (code == CR) & (columns < first_pr[:, None]),
            np.where(tg.has_targets, PR, NN)[:, None],
            code,
        )

    in_time = follow & (g.day <= g.therapy[:, None])
    first_pd = np.where(in_time & (code == PD), columns, g.n_a).min(axis=1)
    return _TimePoints(
        nadir=nadir,
        pct_base=pct_base,
        pct_nadir=pct_nadir,
        target=t,
        table_code=table_code,
        code=code,
        cr_then_pr=cr_then_pr,
        included=in_time & (columns <= first_pd[:, None]),
    )


def _confirmations(g: _Layout, tp: _TimePoints, spec: ResponseSpec) -> IntArray:
    """Column of the assessment confirming each CR/PR (-1 if none) (RECIST 1.1 s4.6, Table 3)."""
    code, inc, sday = tp.code, tp.included, g.study_day
    n_p, n_a = code.shape
    confirmed_by = np.full((n_p, n_a), -1, dtype=np.int64)
    max_ne = spec.max_ne_between_response_and_confirmation
    for i in range(1, n_a):
        start = inc[:, i] & ((code[:, i] == CR) | (code[:, i] == PR))
        if not start.any():
            continue
        is_cr = code[:, i] == CR
        alive, ne, sd = start.copy(), np.zeros(n_p, int), np.zeros(n_p, int)
        cr_seen = np.zeros(n_p, bool)
        for j in range(i + 1, n_a):
            alive &= inc[:, j]
            c = code[:, j]
            if spec.pr_after_cr_breaks_confirmation:
                alive &= ~(cr_seen & (c == PR))
            cr_seen |= c == CR
            needed = np.where(is_cr, c == CR, (c == CR) | (c == PR))
            hit = alive & needed & (sday[:, j] - sday[:, i] >= spec.confirmation_min_days)
            confirmed_by[hit, i] = j
            early = alive & needed & ~hit
            ne_ok = alive & ~needed & (c == NE) & (ne < max_ne)
            sd_ok = (
                alive
                & ~needed
                & ~ne_ok
                & (c == SD)
                & ~is_cr
                & (sd == 0)
                & spec.accept_sd_between_pr_and_confirmation
            )
            ne += ne_ok
            sd += sd_ok
            alive &= early | ne_ok | sd_ok
    return confirmed_by


def _first(mask: BoolArray) -> IntArray:
    """Per patient, the first column where ``mask`` holds; the column count where it never does."""
    columns = np.arange(mask.shape[1])[None, :]
    first: IntArray = np.where(mask, columns, mask.shape[1]).min(axis=1)
    return first


def _fallback(
    g: _Layout, tg: _Targets, tp: _TimePoints, spec: ResponseSpec
) -> tuple[IntArray, IntArray]:
    """SD, else non-CR/non-PD, from the minimum SD day on; else PD; else NE (RECIST 1.1 s4.4.3):
    the ranks of :func:`hyposti.response.best_response.fallback_ranks`, over all patients; the
    code and the column it is read from (the first included one for NE)."""
    code, inc = tp.code, tp.included
    late = inc & (g.study_day >= spec.min_sd_days)
    found = []
    for target_disease in (True, False):
        for rank, counted in best_response.fallback_ranks(target_disease):
            hit = _first(late & np.isin(code, [CODE_OF[c] for c in counted]))
            found.append((tg.has_targets == target_disease, CODE_OF[rank], hit))
    found.append((np.ones(g.n_p, bool), PD, _first(inc & (code == PD))))
    fallback_code = np.full(g.n_p, NE)
    column = _first(inc)
    for applies, rank_code, hit in reversed(found):
        take = applies & (hit < g.n_a)
        fallback_code = np.where(take, rank_code, fallback_code)
        column = np.where(take, hit, column)
    return fallback_code, column


def _readings(g: _Layout, tg: _Targets, tp: _TimePoints, spec: ResponseSpec) -> _Readings:
    """What :func:`hyposti.response.best_response.choose` finds, for all patients at once."""
    code, inc = tp.code, tp.included
    n_a = g.n_a
    rows = np.arange(g.n_p)
    fallback_code, fallback = _fallback(g, tg, tp, spec)
    first_cr, first_pr = _first(inc & (code == CR)), _first(inc & (code == PR))
    first_ok = best_ok = np.full(g.n_p, n_a)
    first_by = best_by = np.full(g.n_p, n_a)
    if spec.confirmation_required:
        confirmed_by = _confirmations(g, tp, spec)
        ok = confirmed_by >= 0
        first_ok, cr_ok = _first(ok), _first(ok & (code == CR))
        best_ok = np.where(cr_ok < n_a, cr_ok, first_ok)
        first_by = np.where(first_ok < n_a, confirmed_by[rows, np.minimum(first_ok, n_a - 1)], n_a)
        best_by = np.where(best_ok < n_a, confirmed_by[rows, np.minimum(best_ok, n_a - 1)], n_a)
    return _Readings(
        fallback_code=fallback_code,
        fallback=fallback,
        response=_first(inc & ((code == CR) | (code == PR))),
        best=np.where(first_cr < n_a, first_cr, first_pr),
        confirmed_first=first_ok,
        confirmed_first_by=first_by,
        confirmed_best=best_ok,
        confirmed_best_by=best_by,
    )


def _best(g: _Layout, tg: _Targets, tp: _TimePoints, spec: ResponseSpec) -> _Best:
    """Best overall response with and without confirmation (RECIST 1.1 s4.6, Table 3)."""
    code, inc = tp.code, tp.included
    n_p, n_a = code.shape
    columns = np.arange(n_a)[None, :]
    rows = np.arange(n_p)
    r = _readings(g, tg, tp, spec)
    # The code at a reading's column; the fallback's code where the reading has no column.
    bor_u = np.where(r.best < n_a, code[rows, np.minimum(r.best, n_a - 1)], r.fallback_code)
    first_any = _date_at(g, rows, r.response)
    if spec.confirmation_required:
        best_c = code[rows, np.minimum(r.confirmed_best, n_a - 1)]
        bor_c = np.where(r.confirmed_best < n_a, best_c, r.fallback_code)
        first_confirmed = _date_at(g, rows, r.confirmed_first)
        confirmed_on = _date_at(g, rows, r.confirmed_first_by)
    else:
        bor_c = bor_u
        first_confirmed = first_any
        confirmed_on = _date_at(g, rows, np.full(n_p, n_a))
    # No included assessment: MISSING, or NE with missing_as_ne (admiralonco derive_param_bor).
    none_included = ~inc.any(axis=1)
    bor_u = np.where(none_included, NE if spec.missing_as_ne else MISSING, bor_u)
    bor_c = np.where(none_included, bor_u, bor_c)
    first_pd = np.where(inc & (code == PD), columns, n_a).min(axis=1)
    last_ok = np.where(inc & (code != NE), columns, -1).max(axis=1)
    return _Best(
        bor_u=bor_u,
        bor_c=bor_c,
        first_any=first_any,
        first_confirmed=first_confirmed,
        confirmed_on=confirmed_on,
        progression=_date_at(g, rows, first_pd),
        last_adequate=_date_at(g, rows, np.where(last_ok < 0, n_a, last_ok)),
        best_pct=np.fmin.reduce(np.where(inc, tp.pct_base, np.nan), axis=1),
    )


def _choices(g: _Layout, tg: _Targets, tp: _TimePoints, spec: ResponseSpec) -> list[Choice]:
    """Per patient, the :class:`Choice` that :func:`hyposti.response.best_response.choose`
    makes; positions count the included follow-ups (column - 1), None where no column."""
    r = _readings(g, tg, tp, spec)
    n_a = g.n_a
    names = [best_response.Code(name) for name in NAMES]

    def at(column: int) -> int | None:
        return None if column == n_a else column - 1

    out = []
    for count, fb_code, fb, resp, bst, fi, fj, bi, bj in zip(
        tp.included.sum(axis=1).tolist(),
        r.fallback_code.tolist(),
        r.fallback.tolist(),
        r.response.tolist(),
        r.best.tolist(),
        r.confirmed_first.tolist(),
        r.confirmed_first_by.tolist(),
        r.confirmed_best.tolist(),
        r.confirmed_best_by.tolist(),
        strict=True,
    ):
        out.append(
            Choice(
                count=count,
                fallback_code=names[fb_code],
                fallback=fb - 1,
                response=at(resp),
                best=at(bst),
                confirmed_first=None if fi == n_a else (fi - 1, fj - 1),
                confirmed_best=None if bi == n_a else (bi - 1, bj - 1),
            )
        )
    return out


def _date_at(g: _Layout, rows: IntArray, cols: IntArray) -> DateArray:
    """Assessment date at column ``cols`` of each patient; NaT where cols == n_a."""
    out = np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[D]")
    has = cols < g.n_a
    out[has] = g.day[rows[has], cols[has]].astype("datetime64[D]")
    return out


def _assess(
    measurements: pd.DataFrame, assessments: pd.DataFrame, spec: ResponseSpec
) -> tuple[_Layout, _Targets, _TimePoints]:
    _require(measurements, "measurements", MEASUREMENT_COLUMNS)
    layout = _layout(assessments)
    targets = _targets(layout, measurements, spec)
    return layout, targets, _time_points(layout, targets, spec)


def assess_trial(
    measurements: pd.DataFrame, assessments: pd.DataFrame, spec: ResponseSpec
) -> pd.DataFrame:
    """One row per patient: RECIST 1.1 best overall response and endpoint dates (Tables 1-3).

    Same answers as :func:`hyposti.response.assess_patient` with ``criteria='recist11'``; the
    reasons in words come from that function.
    """
    g, tg, tp = _assess(measurements, assessments, spec)
    best = _best(g, tg, tp, spec)
    return pd.DataFrame(
        {
            "patient_id": g.patients,
            "baseline_sum_mm": tg.base,
            "bor_confirmed": NAMES[best.bor_c],
            "bor_unconfirmed": NAMES[best.bor_u],
            "first_response_date": best.first_confirmed,
            "response_confirmed_date": best.confirmed_on,
            "first_unconfirmed_response_date": best.first_any,
            "progression_date": best.progression,
            "last_adequate_assessment_date": best.last_adequate,
            "best_pct_change": best.best_pct,
            "disease_after_cr": tp.cr_then_pr,
            "n_follow_up": g.valid[:, 1:].sum(axis=1),
        }
    )


def trial_time_points(
    measurements: pd.DataFrame, assessments: pd.DataFrame, spec: ResponseSpec
) -> pd.DataFrame:
    """One row per follow-up: sums, % changes (spider plot) and responses (Tables 1 and 2).

    ``table_response`` is the Table 1/2 response; ``overall_response`` the same after the
    protocol's reading of disease seen after a CR (Table 3 note a).
    """
    return _time_point_table(*_assess(measurements, assessments, spec))


def trial_responses(
    measurements: pd.DataFrame, assessments: pd.DataFrame, spec: ResponseSpec
) -> tuple[pd.DataFrame, dict[Hashable, Choice]]:
    """:func:`trial_time_points` and the best-response :class:`Choice` of every patient of
    ``assessments`` (with or without follow-up): a patient's included follow-ups are its first
    ``count`` rows, and :func:`hyposti.response.best_response.explain` gives the best response
    with its reasons."""
    g, tg, tp = _assess(measurements, assessments, spec)
    choices = dict(zip(g.patients.tolist(), _choices(g, tg, tp, spec), strict=True))
    return _time_point_table(g, tg, tp), choices


def _time_point_table(g: _Layout, tg: _Targets, tp: _TimePoints) -> pd.DataFrame:
    follow = g.valid.copy()
    follow[:, 0] = False
    p, c = np.nonzero(follow)
    target = tp.target[p, c]
    target_name = NAMES[np.maximum(target, 0)]
    target_name[target < 0] = None
    return pd.DataFrame(
        {
            "patient_id": g.patients[p],
            "date": g.day[p, c].astype("datetime64[D]"),
            "study_day": g.study_day[p, c],
            "sum_mm": tg.sum[p, c],
            "nadir_mm": tp.nadir[p, c],
            "pct_from_baseline": tp.pct_base[p, c],
            "pct_from_nadir": tp.pct_nadir[p, c],
            "target_response": target_name,
            "table_response": NAMES[tp.table_code[p, c]],
            "overall_response": NAMES[tp.code[p, c]],
            "included": tp.included[p, c],
        }
    )
