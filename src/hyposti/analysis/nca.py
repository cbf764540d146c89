"""NCA of CAR transgene levels: Cmax, Tmax, AUC0-28d, AUClast, AUCall, Clast, Tlast.

AUC by the linear-up / log-down trapezoidal rule (Gabrielsson & Weiner, Pharmacokinetic and
Pharmacodynamic Data Analysis, 5th ed. 2016, section 2.8; the PKNCA default, Denney et al. 2015).
AUCall (Phoenix WinNonlin's definition, also PKNCA's ``aucall``): AUClast plus the linear triangle
from Tlast to the first sample below the LLOQ after it, taken as 0; equal to AUClast when no sample
follows Tlast. A measured 0 is below any LLOQ, so Clast is never 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from hyposti.bounds import MAX_COPIES_PER_UG, STUDY_DAY_RANGE
from hyposti.errors import InputError

BlqHandling = Literal["zero", "missing"]
AUC_END_DAY = 28.0


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


def interval_auc(t1: float, c1: float, t2: float, c2: float) -> float:
    """Area of one interval: log trapezoid when falling to a positive level, else linear."""
    if c1 == 0 and c2 == 0:
        return 0.0
    if 0 < c2 < c1:
        return (c1 - c2) * (t2 - t1) / math.log(c1 / c2)
    return (c1 + c2) * (t2 - t1) / 2


def interpolate(t1: float, c1: float, t2: float, c2: float, t: float) -> float:
    """Level at ``t`` inside [t1, t2]: log-linear on a falling positive segment, else linear."""
    frac = (t - t1) / (t2 - t1)
    if 0 < c2 < c1:
        return math.exp(math.log(c1) + frac * (math.log(c2) - math.log(c1)))
    return c1 + frac * (c2 - c1)


def _auc(times: np.ndarray, conc: np.ndarray) -> float:
    # Python floats: the same IEEE arithmetic as numpy scalars, without their per-item cost.
    t, c = times.tolist(), conc.tolist()
    return sum(interval_auc(t[i], c[i], t[i + 1], c[i + 1]) for i in range(len(t) - 1))


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
    return checked_profile_nca(t, c, q, blq or BlqRule(), auc_end, zero_at_day0)


def checked_profile_nca(
    t: np.ndarray,
    c: np.ndarray,
    q: np.ndarray,
    rule: BlqRule,
    auc_end: float = AUC_END_DAY,
    zero_at_day0: bool = True,
) -> NcaResult:
    """``nca_profile`` of float arrays already passed by ``check_samples`` (a table of profiles
    is checked once, not profile by profile)."""
    keep = t >= 0
    t, c, q = t[keep], c[keep], q[keep]
    order = np.argsort(t)
    t, c, q = t[order], c[order], q[order]
    notes: list[str] = []
    # A measured 0 is below the limit whatever the LLOQ (even 0): it is not a quantified level.
    blq_mask = ~np.isfinite(c) | (c < q) | (c == 0)
    n_blq = int(blq_mask.sum())
    quant = np.flatnonzero(~blq_mask)
    if quant.size == 0:
        notes.append("no quantifiable sample")
        no_area = 0.0 if t.size else None
        return NcaResult(
            None, None, None, no_area, no_area, None, None, t.size, n_blq, tuple(notes)
        )
    first, last = int(quant[0]), int(quant[-1])
    use = ~blq_mask
    level = np.where(blq_mask, 0.0, c)
    for i in np.flatnonzero(blq_mask).tolist():
        where = rule.leading if i < first else rule.trailing if i > last else rule.middle
        use[i] = where == "zero"
    tt, cc = t[use], level[use]
    if zero_at_day0 and (tt.size == 0 or tt[0] > 0):
        tt, cc = np.r_[0.0, tt], np.r_[0.0, cc]
        notes.append("level 0 assumed at day 0 (no day-0 sample)")
    imax = int(np.argmax(cc))
    cmax, tmax = float(cc[imax]), float(tt[imax])
    tlast, clast = float(t[last]), float(c[last])
    in_last = tt <= tlast
    auc_last = _auc(tt[in_last], cc[in_last])
    # Samples after Tlast are all below the LLOQ; the first of them closes the curve at 0.
    auc_all = auc_last + (
        interval_auc(tlast, clast, float(t[last + 1]), 0.0) if last + 1 < t.size else 0.0
    )
    auc_0_28: float | None
    if tt[0] > 0:
        auc_0_28 = None
        notes.append("AUC0-28 not computed: profile does not start at day 0")
    elif tt[-1] < auc_end:
        auc_0_28 = None
        notes.append(
            f"AUC0-28 not computed: profile ends at day {tt[-1]:g} before day {auc_end:g} "
            "(no extrapolation)"
        )
    else:
        j = int(np.searchsorted(tt, auc_end, side="left"))
        if tt[j] == auc_end:
            auc_0_28 = _auc(tt[: j + 1], cc[: j + 1])
        else:
            c_end = interpolate(tt[j - 1], cc[j - 1], tt[j], cc[j], auc_end)
            auc_0_28 = _auc(np.r_[tt[:j], auc_end], np.r_[cc[:j], c_end])
    return NcaResult(
        cmax, tmax, auc_0_28, auc_last, auc_all, clast, tlast, int(t.size), n_blq, tuple(notes)
    )
