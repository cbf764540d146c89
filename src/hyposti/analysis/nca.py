"""NCA of CAR transgene levels: Cmax, Tmax, AUC0-28d, AUClast, AUCall, Clast, Tlast.

AUC by the linear-up / log-down trapezoidal rule (Gabrielsson & Weiner, Pharmacokinetic and
Pharmacodynamic Data Analysis, 5th ed. 2016, section 2.8; the PKNCA default, Denney et al. 2015).
AUCall (Phoenix WinNonlin's definition, also PKNCA's ``aucall``): AUClast plus the linear triangle
from Tlast to the first sample below the LLOQ after it, taken as 0; equal to AUClast when no sample
follows Tlast. A measured 0 is below any LLOQ, so Clast is never 0.

One engine, :func:`nca_of_profiles`, computes every profile of a table at once; a single profile
(:func:`nca_profile`) is a table of one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from hyposti.bounds import MAX_COPIES_PER_UG, STUDY_DAY_RANGE
from hyposti.errors import InputError

BlqHandling = Literal["zero", "missing"]
AUC_END_DAY = 28.0
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class BlqRule:
    """How samples below the LLOQ enter the profile, by where they lie (PKNCA's conc.blq).

    ``leading``: before the first quantifiable sample; ``middle``: between quantifiable samples;
    ``trailing``: after the last quantifiable sample. Default: 0 before, missing after (the
    analysis plan's rule); ``BlqRule(trailing="zero")`` is PKNCA's default.
    """

    leading: BlqHandling = "zero"
    middle: BlqHandling = "missing"
    trailing: BlqHandling = "missing"

    def describe(self) -> str:
        return (
            f"Below-LLOQ samples: {self.leading} before the first quantifiable sample, "
            f"{self.middle} between quantifiable samples, {self.trailing} after the last"
        )


@dataclass(frozen=True)
class NcaResult:
    """NCA parameters of one profile; None where not computable, with the reason in ``notes``."""

    cmax: float | None
    tmax: float | None
    auc_0_28: float | None
    auc_last: float | None
    auc_all: float | None
    clast: float | None
    tlast: float | None
    n_samples: int
    n_blq: int
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["notes"] = list(self.notes)
        return out


PARAMETERS = ("cmax", "tmax", "auc_0_28", "auc_last", "auc_all", "clast", "tlast")


@dataclass(frozen=True)
class NcaTable:
    """NCA parameters of many profiles, entry ``i`` for profile ``i``: NaN where a parameter is not
    computable (None in :class:`NcaResult`), with the reason in ``notes``."""

    cmax: FloatArray
    tmax: FloatArray
    auc_0_28: FloatArray
    auc_last: FloatArray
    auc_all: FloatArray
    clast: FloatArray
    tlast: FloatArray
    n_samples: IntArray
    n_blq: IntArray
    notes: tuple[tuple[str, ...], ...]

    def result(self, i: int) -> NcaResult:
        """Profile ``i`` as one record."""
        values = [float(getattr(self, p)[i]) for p in PARAMETERS]
        cmax, tmax, auc_0_28, auc_last, auc_all, clast, tlast = (
            None if math.isnan(v) else v for v in values
        )
        return NcaResult(
            cmax, tmax, auc_0_28, auc_last, auc_all, clast, tlast,
            int(self.n_samples[i]), int(self.n_blq[i]), self.notes[i],
        )  # fmt: skip


def _falling(c1: FloatArray, c2: FloatArray) -> BoolArray:
    """Segments falling to a positive level, where the log rule applies."""
    return (c2 > 0) & (c2 < c1)


def _logs(values: FloatArray) -> FloatArray:
    # math.log, not np.log: NumPy's SIMD log differs from the C library's in the last bit for
    # about one value in 1,000, and the figures stay those of a hand check with math.log.
    return np.array([math.log(v) for v in values.tolist()], dtype=float)


def interval_auc(t1: FloatArray, c1: FloatArray, t2: FloatArray, c2: FloatArray) -> FloatArray:
    """Area of each interval: log trapezoid when falling to a positive level, else linear."""
    area = (c1 + c2) * (t2 - t1) / 2
    down = _falling(c1, c2)
    area[down] = (c1[down] - c2[down]) * (t2[down] - t1[down]) / _logs(c1[down] / c2[down])
    return area


def interpolate(
    t1: FloatArray, c1: FloatArray, t2: FloatArray, c2: FloatArray, t: float
) -> FloatArray:
    """Level at ``t`` inside each [t1, t2]: log-linear on a falling segment to a positive level,
    else linear."""
    frac = (t - t1) / (t2 - t1)
    level = c1 + frac * (c2 - c1)
    down = _falling(c1, c2)
    log1, log2 = _logs(c1[down]), _logs(c2[down])
    level[down] = [math.exp(v) for v in (log1 + frac[down] * (log2 - log1)).tolist()]
    return level


def _sum_in_order(areas: FloatArray) -> FloatArray:
    """Row sums added left to right, as a hand calculation adds the intervals (no pairwise sum)."""
    total = np.zeros(areas.shape[0])
    for k in range(areas.shape[1]):
        total = total + areas[:, k]
    return total


def _runs(keys: IntArray) -> tuple[BoolArray, BoolArray]:
    """First and last element of each run of equal values in a sorted array."""
    return np.diff(keys, prepend=-1) != 0, np.diff(keys, append=np.iinfo(np.int64).max) != 0


def _at(values: FloatArray, rows: IntArray, ok: BoolArray) -> FloatArray:
    """``values[rows]`` where ``ok``, NaN elsewhere."""
    out = np.full(ok.shape, np.nan)
    out[ok] = values[rows[ok]]
    return out


def nca_of_profiles(
    profile: IntArray,
    t: FloatArray,
    c: FloatArray,
    q: FloatArray,
    n_profiles: int,
    rule: BlqRule,
    auc_end: float = AUC_END_DAY,
    zero_at_day0: bool = True,
) -> NcaTable:
    """NCA of many profiles at once; the rules of :func:`nca_profile`.

    Sample ``k`` (study day ``t[k]``, copies ``c[k]``, LLOQ ``q[k]``) belongs to profile
    ``profile[k]`` in 0 .. n_profiles - 1. The samples have passed :func:`check_samples` (one per
    day in each profile).
    """
    notes: list[list[str]] = [[] for _ in range(n_profiles)]
    keep = np.flatnonzero(t >= 0)
    keep = keep[np.lexsort((t[keep], profile[keep]))]
    p, t, c, q = profile[keep], t[keep], c[keep], q[keep]
    n_samples = np.bincount(p, minlength=n_profiles).astype(np.int64)
    # A measured 0 is below the limit whatever the LLOQ (even 0): it is not a quantified level.
    blq = ~np.isfinite(c) | (c < q) | (c == 0)
    n_blq = np.bincount(p, blq, n_profiles).astype(np.int64)
    quant = np.flatnonzero(~blq)
    is_first, is_last = _runs(p[quant])
    quantified = np.zeros(n_profiles, bool)
    quantified[p[quant]] = True
    first = np.full(n_profiles, len(t))
    last = np.full(n_profiles, -1)
    first[p[quant[is_first]]] = quant[is_first]
    last[p[quant[is_last]]] = quant[is_last]
    for i in np.flatnonzero(~quantified).tolist():
        notes[i].append("no quantifiable sample")
    row = np.arange(len(t))
    as_zero = np.where(
        row < first[p],
        rule.leading == "zero",
        np.where(row > last[p], rule.trailing == "zero", rule.middle == "zero"),
    )
    use = quantified[p] & (~blq | as_zero)
    up, ut, uc = p[use], t[use], np.where(blq, 0.0, c)[use]
    if zero_at_day0:
        starts, _ = _runs(up)
        first_day = np.full(n_profiles, np.inf)
        first_day[up[starts]] = ut[starts]
        assumed = np.flatnonzero(quantified & (first_day > 0))
        for i in assumed.tolist():
            notes[i].append("level 0 assumed at day 0 (no day-0 sample)")
        zeros = np.zeros(assumed.size)
        up, ut, uc = np.r_[assumed, up], np.r_[zeros, ut], np.r_[zeros, uc]
        by_profile = np.argsort(up, kind="stable")
        up, ut, uc = up[by_profile], ut[by_profile], uc[by_profile]

    # The curve of each profile as one row of a profiles x points matrix.
    n_used = np.bincount(up, minlength=n_profiles)
    u_start = np.cumsum(n_used) - n_used
    u_pos = np.arange(len(up)) - u_start[up]
    width = int(n_used.max(initial=1))
    levels = np.full((n_profiles, width), -np.inf)
    levels[up, u_pos] = uc
    days = np.zeros((n_profiles, width))
    days[up, u_pos] = ut
    profiles = np.arange(n_profiles)
    imax = levels.argmax(axis=1)
    cmax = np.where(quantified, levels[profiles, imax], np.nan)
    tmax = np.where(quantified, days[profiles, imax], np.nan)
    tlast, clast = _at(t, last, quantified), _at(c, last, quantified)

    seg = np.flatnonzero(up[1:] == up[:-1])
    sp, col = up[seg], u_pos[seg]
    t1, c1, t2, c2 = ut[seg], uc[seg], ut[seg + 1], uc[seg + 1]
    area = interval_auc(t1, c1, t2, c2)
    in_last = t2 <= tlast[sp]
    last_areas = np.zeros((n_profiles, width))
    last_areas[sp[in_last], col[in_last]] = area[in_last]
    no_area = np.where(n_samples > 0, 0.0, np.nan)
    auc_last = np.where(quantified, _sum_in_order(last_areas), no_area)
    # Samples after Tlast are all below the LLOQ; the first of them closes the curve at 0.
    closing = quantified & (last + 1 < np.cumsum(n_samples))
    after = last[closing] + 1
    auc_all = auc_last.copy()
    auc_all[closing] += interval_auc(tlast[closing], clast[closing], t[after], np.zeros(after.size))

    day_first = _at(ut, u_start, quantified)
    day_last = _at(ut, u_start + n_used - 1, quantified)
    late_start = quantified & (day_first > 0)
    early_end = quantified & ~late_start & (day_last < auc_end)
    for i in np.flatnonzero(late_start).tolist():
        notes[i].append("AUC0-28 not computed: profile does not start at day 0")
    for i in np.flatnonzero(early_end).tolist():
        notes[i].append(
            f"AUC0-28 not computed: profile ends at day {day_last[i]:g} before day {auc_end:g} "
            "(no extrapolation)"
        )
    covered = quantified & ~late_start & ~early_end
    whole = covered[sp] & (t2 <= auc_end)
    part = covered[sp] & (t1 < auc_end) & (auc_end < t2)
    end_areas = np.zeros((n_profiles, width))
    end_areas[sp[whole], col[whole]] = area[whole]
    t1, c1, t2, c2 = t1[part], c1[part], t2[part], c2[part]
    at_end = np.full(t1.size, auc_end)
    end_areas[sp[part], col[part]] = interval_auc(
        t1, c1, at_end, interpolate(t1, c1, t2, c2, auc_end)
    )
    auc_0_28 = np.where(covered, _sum_in_order(end_areas), np.nan)
    return NcaTable(
        cmax=cmax,
        tmax=tmax,
        auc_0_28=auc_0_28,
        auc_last=auc_last,
        auc_all=auc_all,
        clast=clast,
        tlast=tlast,
        n_samples=n_samples,
        n_blq=n_blq,
        notes=tuple(tuple(n) for n in notes),
    )


def check_samples(
    times: np.ndarray, conc: np.ndarray, lloq: np.ndarray, one_per_day: bool = True
) -> None:
    """Refuse samples no profile can hold: a day or LLOQ that is not a number, a day outside the
    study's range, copies or LLOQ negative, infinite or above the physical ceiling, and (with
    ``one_per_day``) two samples on one day. The first offending sample is named."""
    for name, values in (("study_day", times), ("lloq", lloq)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise InputError(f"{name}[{bad[0]}]", values[bad[0]], "must be a number")
    low, high = STUDY_DAY_RANGE
    bad = np.flatnonzero((times < low) | (times > high))
    if bad.size:
        rule = f"a sample's study day lies between {low:g} and {high:g} (15 years of follow-up)"
        raise InputError(f"study_day[{bad[0]}]", times[bad[0]], rule)
    # NaN is a sample below the LLOQ; infinity is no measurement at all
    for name, values in (("copies_per_ug", conc), ("lloq", lloq)):
        bad = np.flatnonzero(np.isinf(values) | (values < 0) | (values > MAX_COPIES_PER_UG))
        if bad.size:
            rule = f"copies/ug lie between 0 and {MAX_COPIES_PER_UG:g} (1 ug of DNA is 1.5e5 cells)"
            raise InputError(f"{name}[{bad[0]}]", values[bad[0]], rule)
    if not one_per_day:
        return
    dup = np.flatnonzero(np.diff(np.sort(times)) == 0)
    if dup.size:
        raise InputError("study_day", float(np.sort(times)[dup[0]]), "one sample per day")


def nca_profile(
    study_day: Sequence[float] | np.ndarray,
    copies_per_ug: Sequence[float | None] | np.ndarray,
    lloq: Sequence[float] | np.ndarray | float,
    blq: BlqRule | None = None,
    auc_end: float = AUC_END_DAY,
    zero_at_day0: bool = True,
) -> NcaResult:
    """NCA of one concentration-time profile (missing, 0 or < LLOQ copies are below the LLOQ).

    Samples before day 0 (pre-infusion) are not used. With ``zero_at_day0`` a level of 0 is assumed
    at day 0 when no day-0 sample exists (no cells before infusion). AUC0-28 needs the profile to
    reach day 28; a level at day 28 between samples is interpolated (log-down when falling).
    """
    t = np.asarray(study_day, dtype=float)
    given = np.asarray(copies_per_ug)
    if given.dtype.kind == "f":
        c = given.astype(float)
    else:
        c = np.array([np.nan if v is None else v for v in given.astype(object)]).astype(float)
    q = np.broadcast_to(np.asarray(lloq, dtype=float), t.shape).astype(float)
    if c.shape != t.shape:
        raise InputError("copies_per_ug", len(c), f"needs one value per sample ({t.size})")
    check_samples(t, c, q)
    one = np.zeros(t.size, dtype=np.int64)
    return nca_of_profiles(one, t, c, q, 1, blq or BlqRule(), auc_end, zero_at_day0).result(0)
