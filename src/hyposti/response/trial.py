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

import numpy as np
import pandas as pd

from hyposti.bounds import MAX_LESION_MM
from hyposti.errors import DataError
from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response.baseline import NODE_NORMAL_BELOW_MM
from hyposti.response.records import NewLesionStatus, NonTargetStatus, TargetState
from hyposti.response.timepoint import EPS, PD_MIN_INCREASE_MM

CR, PR, SD, NN, PD, NE, MISSING, NONE = 0, 1, 2, 3, 4, 5, 6, -1
NAMES = np.array(["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"], dtype=object)
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


def _days(values: pd.Series) -> np.ndarray:
    """Dates as int64 days since 1970-01-01; NaT becomes the int64 minimum."""
    return pd.to_datetime(values).to_numpy(dtype="datetime64[D]").astype(np.int64)


def _text(values: pd.Series) -> np.ndarray:
    return values.fillna("").astype(str).to_numpy()


class _Grid:
    """Patients x assessments arrays (column 0 = baseline) and everything derived from them."""


def _build(measurements: pd.DataFrame, assessments: pd.DataFrame, spec: ResponseSpec) -> _Grid:
    _require(measurements, "measurements", MEASUREMENT_COLUMNS)
    _require(assessments, "assessments", ASSESSMENT_COLUMNS)
    a = assessments.reset_index(drop=False).rename(columns={"index": "_row"})
    a["_day"] = _days(a["date"])
    a["_baseline"] = a["baseline"].astype(bool).to_numpy()
    # Baseline first, then date order; a tie or a follow-up before baseline is an input error.
    a = a.sort_values(
        ["patient_id", "_baseline", "_day"], ascending=[True, False, True], kind="stable"
    )
    a.index = a["_row"].to_numpy()
    pid = a["patient_id"].to_numpy()
    first = np.r_[True, pid[1:] != pid[:-1]]
    _fail(
        "assessments",
        a,
        first & ~a["_baseline"].to_numpy(),
        "baseline",
        "no baseline assessment for this patient",
    )
    _fail(
        "assessments",
        a,
        ~first & a["_baseline"].to_numpy(),
        "baseline",
        "more than one baseline assessment",
    )
    day = a["_day"].to_numpy()
    _fail(
        "assessments",
        a,
        ~first & (day <= np.r_[day[0], day[:-1]]),
        "date",
        "assessments must be in increasing date order after the baseline",
    )

    p_idx, patients = pd.factorize(pid, sort=True)
    patients = np.asarray(patients)
    col = np.arange(len(a)) - np.flatnonzero(first).repeat(
        np.diff(np.r_[np.flatnonzero(first), len(a)])
    )
    n_p, n_a = len(patients), int(col.max()) + 1 if len(a) else 1
    g = _Grid()
    g.patients, g.n_p, g.n_a = patients, n_p, n_a
    g.valid = np.zeros((n_p, n_a), bool)
    g.valid[p_idx, col] = True
    g.day = np.zeros((n_p, n_a), np.int64)
    g.day[p_idx, col] = day
    ref = np.zeros(n_p, np.int64)
    ref[p_idx[first]] = _days(a["reference_date"])[first]
    g.study_day = g.day - ref[:, None]
    therapy = np.full(n_p, np.iinfo(np.int64).max)
    if "new_anticancer_therapy_date" in a.columns:
        t = _days(a["new_anticancer_therapy_date"])
        t = np.where(t == np.iinfo(np.int64).min, np.iinfo(np.int64).max, t)
        np.minimum.at(therapy, p_idx, t)
    g.therapy = therapy

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
    nt_code = np.array([NT_CODE.get(x, -2) for x in nt_text]) if len(a) else np.zeros(0, int)
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
    g.has_nt = has_nt
    g.nt = np.full((n_p, n_a), NONE)
    g.nt[p_idx[fu], col[fu]] = np.where(has_nt[p_idx[fu]], nt_code[fu], NONE)
    new_text = _text(a["new_lesions"])
    new_code = np.array([NEW_CODE.get(x, -1) for x in new_text]) if len(a) else np.zeros(0, int)
    _fail("assessments", a, fu & (new_code < 0), "new_lesions", f"must be one of {list(NEW_CODE)}")
    g.new = np.zeros((n_p, n_a), np.int64)
    g.new[p_idx[fu], col[fu]] = new_code[fu]

    _targets(g, a, p_idx, col, measurements, spec)
    return g


def _targets(
    g: _Grid,
    a: pd.DataFrame,
    p_idx: np.ndarray,
    col: np.ndarray,
    m: pd.DataFrame,
    spec: ResponseSpec,
) -> None:
    """Sum of diameters, completeness and CR per assessment (RECIST 1.1 s4.3.1-4.3.2)."""
    keys = pd.MultiIndex.from_arrays([a["patient_id"].to_numpy(), a["_day"].to_numpy()])
    m_day = _days(m["date"])
    pos = keys.get_indexer(pd.MultiIndex.from_arrays([m["patient_id"].to_numpy(), m_day]))
    _fail("measurements", m, pos < 0, "date", "no assessment row for this patient and date")
    # Factorise first: a handful of distinct states, each looked up once, not once per row.
    state_code, state_names = pd.factorize(m["state"].fillna(""))
    known_states = [s.value for s in TargetState]
    lookup = np.array([known_states.index(x) if x in known_states else -1 for x in state_names])
    state = lookup[state_code] if len(lookup) else np.zeros(0, int)
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

    lesion, lesion_codes = pd.factorize(m["lesion_id"])
    n_l = len(lesion_codes)
    base_key = row_p[is_base].astype(np.int64) * n_l + lesion[is_base]
    row_key = row_p.astype(np.int64) * n_l + lesion
    _fail(
        "measurements",
        m,
        ~is_base & ~pd.Series(row_key).isin(base_key).to_numpy(),
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
    cell = row_p.astype(np.int64) * g.n_a + row_c
    group_key = cell * n_l + lesion
    inverse, groups = pd.factorize(group_key)
    unknown = np.isnan(value)
    lesion_value = np.bincount(inverse, np.where(unknown, 0.0, value), len(groups))
    lesion_ne = np.bincount(inverse, unknown, len(groups)) > 0
    lesion_nodal = np.bincount(inverse, m["nodal"].astype(bool).to_numpy(), len(groups)) > 0
    gone = np.where(lesion_nodal, lesion_value < NODE_NORMAL_BELOW_MM, lesion_value == 0.0)
    g_cell = groups // n_l
    size = g.n_p * g.n_a
    n_lesions = np.bincount(g_cell, minlength=size).reshape(g.n_p, g.n_a)
    n_ne = np.bincount(g_cell, lesion_ne, size).reshape(g.n_p, g.n_a)
    n_gone = np.bincount(g_cell, gone & ~lesion_ne, size).reshape(g.n_p, g.n_a)
    g.measured = np.bincount(g_cell, np.where(lesion_ne, 0.0, lesion_value), size).reshape(
        g.n_p, g.n_a
    )
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
    g.has_targets = n_base > 0
    no_disease = ~g.has_targets & ~g.has_nt
    if no_disease.any():
        p = int(np.flatnonzero(no_disease)[0])
        raise DataError(
            "assessments",
            None,
            "non_target",
            f"patient {g.patients[p]}: no baseline target rows and no non-target disease",
        )
    g.complete = n_ne == 0
    g.gone = g.complete & (n_gone == n_lesions)
    g.any_measured = n_ne < n_lesions
    g.sum = np.where(g.complete & g.has_targets[:, None] & g.valid, g.measured, np.nan)
    g.base = g.sum[:, 0]


def _respond(g: _Grid, spec: ResponseSpec) -> None:
    """Target and overall response per assessment (Tables 1, 2), inclusion and best response."""
    nadir = np.full_like(g.sum, np.nan)
    nadir[:, 1:] = np.fmin.accumulate(g.sum, axis=1)[:, :-1]
    g.nadir = nadir
    with np.errstate(invalid="ignore", divide="ignore"):
        increase = g.measured - nadir
        pd_t = (
            g.any_measured
            & (increase >= PD_MIN_INCREASE_MM - EPS)
            & (5.0 * increase >= nadir - EPS)
        )
        pr_t = 10.0 * (g.base[:, None] - g.sum) >= 3.0 * g.base[:, None] - EPS
        base = np.where(g.base > 0, g.base, np.nan)[:, None]
        g.pct_base = 100.0 * (g.sum - base) / base
        nz = np.where(nadir > 0, nadir, np.nan)
        g.pct_nadir = 100.0 * (g.sum - nz) / nz
    target = np.select([pd_t, ~g.complete, g.gone, pr_t], [PD, NE, CR, PR], SD)
    g.target = np.where(g.has_targets[:, None], target, NONE)
    nt, new, t = g.nt, g.new, g.target
    progressed = (t == PD) | (nt == PD) | (new == NEW_CODE[NewLesionStatus.UNEQUIVOCAL.value])
    with_targets = np.where(t == CR, np.where((nt == CR) | (nt == NONE), CR, PR), t)
    without_targets = np.select([nt == CR, nt == NN], [CR, NN], NE)
    code = np.where(progressed, PD, np.where(t != NONE, with_targets, without_targets))
    follow = g.valid.copy()
    follow[:, 0] = False
    code = np.where(follow, code, NE)
    columns = np.arange(g.n_a)[None, :]

    # RECIST 1.1 Table 3 note a: disease (PR, SD, non-CR/non-PD) after a CR, read as the
    # protocol says.
    first_cr = np.where(follow & (code == CR), columns, g.n_a).min(axis=1)
    later_pr = follow & np.isin(code, [PR, SD, NN]) & (columns > first_cr[:, None])
    g.cr_then_pr = later_pr.any(axis=1)
    if spec.cr_followed_by_pr == "reappearance_is_pd":
        code = np.where(later_pr, PD, code)
    else:
        first_pr = np.where(later_pr, columns, g.n_a).min(axis=1)
        code = np.where(
            follow & g.cr_then_pr[:, None] & (code == CR) & (columns < first_pr[:, None]),
            np.where(g.has_targets, PR, NN)[:, None],
            code,
        )
    g.code = code

    in_time = follow & (g.day <= g.therapy[:, None])
    first_pd = np.where(in_time & (code == PD), columns, g.n_a).min(axis=1)
    g.included = in_time & (columns <= first_pd[:, None])
    _best(g, spec)


def _best(g: _Grid, spec: ResponseSpec) -> None:
    """Best overall response with and without confirmation (RECIST 1.1 s4.6, Table 3)."""
    code, inc, sday = g.code, g.included, g.study_day
    n_p, n_a = code.shape
    confirmed_by = np.full((n_p, n_a), -1)
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
    columns = np.arange(n_a)[None, :]
    rows = np.arange(n_p)
    stable = np.where(g.has_targets, SD, NN)
    sd_met = (inc & np.isin(code, [CR, PR, SD, NN]) & (sday >= spec.min_sd_days)).any(axis=1)
    has_pd = (inc & (code == PD)).any(axis=1)
    fallback = np.select([sd_met, has_pd], [stable, PD], NE)
    has_cr = (inc & (code == CR)).any(axis=1)
    has_pr = (inc & (code == PR)).any(axis=1)
    g.bor_u = np.select([has_cr, has_pr], [CR, PR], fallback)
    first_resp = np.where(inc & np.isin(code, [CR, PR]), columns, n_a).min(axis=1)
    g.first_any = _date_at(g, rows, first_resp)
    if spec.confirmation_required:
        ok = confirmed_by >= 0
        cr_ok = (ok & (code == CR)).any(axis=1)
        g.bor_c = np.select([cr_ok, ok.any(axis=1)], [CR, PR], fallback)
        first_ok = np.where(ok, columns, n_a).min(axis=1)
        g.first_confirmed = _date_at(g, rows, first_ok)
        j = np.where(first_ok < n_a, confirmed_by[rows, np.minimum(first_ok, n_a - 1)], n_a)
        g.confirmed_on = _date_at(g, rows, j)
    else:
        g.bor_c = g.bor_u
        g.first_confirmed = g.first_any
        g.confirmed_on = _date_at(g, rows, np.full(n_p, n_a))
    # No included assessment: MISSING, or NE with missing_as_ne (admiralonco derive_param_bor).
    none_included = ~inc.any(axis=1)
    g.bor_u = np.where(none_included, NE if spec.missing_as_ne else MISSING, g.bor_u)
    g.bor_c = np.where(none_included, g.bor_u, g.bor_c)
    first_pd = np.where(inc & (code == PD), columns, n_a).min(axis=1)
    g.progression = _date_at(g, rows, first_pd)
    last_ok = np.where(inc & (code != NE), columns, -1).max(axis=1)
    g.last_adequate = _date_at(g, rows, np.where(last_ok < 0, n_a, last_ok))
    g.best_pct = np.fmin.reduce(np.where(inc, g.pct_base, np.nan), axis=1)


def _date_at(g: _Grid, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Assessment date at column ``cols`` of each patient; NaT where cols == n_a."""
    out = np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[D]")
    has = cols < g.n_a
    out[has] = g.day[rows[has], cols[has]].astype("datetime64[D]")
    return out


def assess_trial(
    measurements: pd.DataFrame, assessments: pd.DataFrame, spec: ResponseSpec
) -> pd.DataFrame:
    """One row per patient: RECIST 1.1 best overall response and endpoint dates (Tables 1-3).

    Same answers as :func:`hyposti.response.assess_patient` with ``criteria='recist11'``; the
    reasons in words come from that function.
    """
    g = _build(measurements, assessments, spec)
    _respond(g, spec)
    return pd.DataFrame(
        {
            "patient_id": g.patients,
            "baseline_sum_mm": g.base,
            "bor_confirmed": NAMES[g.bor_c],
            "bor_unconfirmed": NAMES[g.bor_u],
            "first_response_date": g.first_confirmed,
            "response_confirmed_date": g.confirmed_on,
            "first_unconfirmed_response_date": g.first_any,
            "progression_date": g.progression,
            "last_adequate_assessment_date": g.last_adequate,
            "best_pct_change": g.best_pct,
            "disease_after_cr": g.cr_then_pr,
            "n_follow_up": g.valid[:, 1:].sum(axis=1),
        }
    )


def trial_time_points(
    measurements: pd.DataFrame, assessments: pd.DataFrame, spec: ResponseSpec
) -> pd.DataFrame:
    """One row per follow-up: sums, % changes (spider plot) and responses (Tables 1 and 2)."""
    g = _build(measurements, assessments, spec)
    _respond(g, spec)
    follow = g.valid.copy()
    follow[:, 0] = False
    p, c = np.nonzero(follow)
    target = g.target[p, c]
    return pd.DataFrame(
        {
            "patient_id": g.patients[p],
            "date": g.day[p, c].astype("datetime64[D]"),
            "study_day": g.study_day[p, c],
            "sum_mm": g.sum[p, c],
            "nadir_mm": g.nadir[p, c],
            "pct_from_baseline": g.pct_base[p, c],
            "pct_from_nadir": g.pct_nadir[p, c],
            "target_response": np.where(target >= 0, NAMES[np.maximum(target, 0)], None),
            "overall_response": NAMES[g.code[p, c]],
            "included": g.included[p, c],
        }
    )
