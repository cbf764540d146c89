"""Kaplan-Meier survival with Greenwood pointwise bands and the Brookmeyer-Crowley median CI.

The curve comes from lifelines; the median, its interval and the reported survival rates follow R
``survival::survfit`` (Therneau) and SAS PROC LIFETEST conventions, which lifelines does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from scipy.stats import norm

from hyposti.errors import InputError

ConfType = Literal["log-log", "log", "plain"]
CONF_TYPES: tuple[str, ...] = ("log-log", "log", "plain")
_TOL = float(np.sqrt(np.finfo(float).eps))


@dataclass(frozen=True)
class MedianEstimate:
    """Median and its CI. A ``None`` limit is not reached (NR) when its band stays above 0.5 to
    the end of follow-up, and not estimable (NE) when the band is undefined (the curve fell to 0)
    before it reached 0.5, as with every event at one time; R's print.survfit shows NA for both.
    """

    value: float | None
    lower: float | None
    upper: float | None
    lower_estimable: bool = True
    upper_estimable: bool = True


def limit_label(value: float | None, estimable: bool = True) -> str:
    """A median or CI limit as printed: the number, 'NR' (not reached) or 'NE' (not estimable)."""
    if value is not None:
        return f"{value:g}"
    return "NR" if estimable else "NE"


@dataclass(frozen=True)
class SurvivalAt:
    """S(t) with its pointwise CI, the number at risk at ``time`` (still followed at t) and the
    Greenwood standard error of S(t) (the SE R's ``summary.survfit`` prints, not ``std.err``)."""

    time: float
    survival: float | None
    lower: float | None
    upper: float | None
    n_at_risk: int
    std_error: float | None


@dataclass(frozen=True)
class KaplanMeier:
    """A fitted curve: one row per distinct observed time (0 first), bands, risk set, events."""

    n: int
    n_events: int
    conf_type: str
    level: float
    times: np.ndarray
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n_at_risk: np.ndarray
    n_events_at: np.ndarray
    n_censored_at: np.ndarray
    median: MedianEstimate
    durations: np.ndarray
    greenwood: np.ndarray

    @property
    def std_error(self) -> np.ndarray:
        """Greenwood standard error of S(t): S(t) sqrt(sum d_i / (n_i (n_i - d_i)))."""
        with np.errstate(invalid="ignore"):
            se: np.ndarray = self.survival * np.sqrt(self.greenwood)
        return se

    def at(self, times: Sequence[float]) -> list[SurvivalAt]:
        """S(t) and CI at each time (right-continuous step), with the number still at risk.

        Beyond the last observed time S(t) is not estimable (None) unless the curve reached 0.
        """
        out = []
        last = float(self.times[-1])
        for i, t in enumerate(times):
            if not t >= 0 or not np.isfinite(t):
                raise InputError(f"at[{i}]", t, "a time must be a finite number >= 0")
            at_risk = int(np.count_nonzero(self.durations >= t))
            idx = int(np.searchsorted(self.times, t, side="right")) - 1
            s = float(self.survival[idx])
            if t > last and s > 0:
                out.append(SurvivalAt(float(t), None, None, None, at_risk, std_error=None))
                continue
            out.append(
                SurvivalAt(
                    float(t),
                    s,
                    _num(self.lower[idx]),
                    _num(self.upper[idx]),
                    at_risk,
                    std_error=_num(self.std_error[idx]),
                )
            )
        return out

    def as_dict(self, at: Sequence[float] = ()) -> dict[str, object]:
        return {
            "n": self.n,
            "n_events": self.n_events,
            "n_censored": self.n - self.n_events,
            "conf_type": self.conf_type,
            "level": self.level,
            "median": self.median.value,
            "median_lower": self.median.lower,
            "median_upper": self.median.upper,
            "median_lower_estimable": self.median.lower_estimable,
            "median_upper_estimable": self.median.upper_estimable,
            "at": [s.__dict__ for s in self.at(at)],
            "curve": {
                "time": self.times.tolist(),
                "survival": self.survival.tolist(),
                "lower": [_num(v) for v in self.lower],
                "upper": [_num(v) for v in self.upper],
                "std_error": [_num(v) for v in self.std_error],
                "n_at_risk": self.n_at_risk.tolist(),
                "n_events": self.n_events_at.tolist(),
                "n_censored": self.n_censored_at.tolist(),
            },
        }


def _num(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def greenwood_bands(
    survival: np.ndarray, greenwood: np.ndarray, conf_type: str, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI of S(t) from Greenwood's variance sum_{t_i<=t} d_i / (n_i (n_i - d_i)).

    Transforms as in R survival (Kalbfleisch & Prentice 1980, section 1.3): ``plain``
    S +- z S sqrt(V); ``log`` S exp(+-z sqrt(V)); ``log-log`` exp(-exp(log(-log S) -+ z sqrt(V) /
    |log S|)). Undefined where S = 0 (NaN); at S = 1 the band is 1.
    """
    z = float(norm.ppf(1 - (1 - level) / 2))
    se = np.sqrt(greenwood)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            lower = np.clip(survival - z * survival * se, 0, 1)
            upper = np.clip(survival + z * survival * se, 0, 1)
        elif conf_type == "log":
            lower = survival * np.exp(-z * se)
            upper = np.minimum(survival * np.exp(z * se), 1.0)
        else:
            log_s = np.log(survival)
            theta = np.log(-log_s)
            half = z * se / np.abs(log_s)
            lower = np.exp(-np.exp(theta + half))
            upper = np.exp(-np.exp(theta - half))
            lower = np.where(survival >= 1, 1.0, lower)
            upper = np.where(survival >= 1, 1.0, upper)
    dead = survival <= 0
    lower = np.where(dead, np.nan, lower)
    upper = np.where(dead, np.nan, upper)
    return lower, upper


def quantile_time(
    times: np.ndarray, curve: np.ndarray, last_time: float, p: float = 0.5
) -> float | None:
    """First time a step curve falls below ``p``; the midpoint rule when it equals ``p`` exactly.

    R survival ``quantile.survfit`` (Therneau): when S(t) = p on a step (within sqrt(machine eps))
    the quantile is the midpoint between that step's time and the next drop, or the last follow-up
    time if the curve stays flat at p to its end; None (not reached) if the curve stays above p.
    Applied to a CI band it gives the Brookmeyer-Crowley limit (Brookmeyer & Crowley 1982,
    Biometrics 38:29).
    """
    ok = np.isfinite(curve)
    t, s = times[ok], curve[ok]
    if s.size == 0 or s.min() > p + _TOL:
        return None
    first = ~pd.Series(s).duplicated().to_numpy()
    t, s = t[first], s[first]
    exact = np.flatnonzero(np.abs(s - p) < _TOL)
    if exact.size:
        j = int(exact[0])
        nxt = last_time if j == s.size - 1 else float(t[j + 1])
        return (float(t[j]) + nxt) / 2
    below = np.flatnonzero(s < p)
    return float(t[below[0]]) if below.size else None


def fit_kaplan_meier(
    durations: Sequence[float] | np.ndarray,
    events: Sequence[bool] | np.ndarray,
    conf_type: str = "log-log",
    level: float = 0.95,
) -> KaplanMeier:
    """Kaplan & Meier 1958 (JASA 53:457) curve via lifelines, with R-convention median and bands."""
    if conf_type not in CONF_TYPES:
        raise InputError("conf_type", conf_type, f"must be one of {', '.join(CONF_TYPES)}")
    if not 0 < level < 1:
        raise InputError("level", level, "must lie strictly between 0 and 1")
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events)
    if t.ndim != 1 or t.size == 0:
        raise InputError("time", list(t), "needs at least one time")
    if e.shape != t.shape:
        raise InputError("event", len(e), f"needs one event flag per time ({t.size})")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if bad.size:
        raise InputError(f"time[{bad[0]}]", t[bad[0]], "must be a finite number >= 0")
    if e.dtype != bool:
        ev = pd.to_numeric(pd.Series(e), errors="coerce").to_numpy()
        bad = np.flatnonzero(~np.isin(ev, (0, 1)))
        if bad.size:
            raise InputError(f"event[{bad[0]}]", e[bad[0]], "must be 1 (event) or 0 (censored)")
        e = ev.astype(bool)
    fitter = KaplanMeierFitter().fit(t, event_observed=e)
    table = fitter.event_table
    times = table.index.to_numpy(dtype=float)
    survival = fitter.survival_function_.iloc[:, 0].to_numpy(dtype=float)
    at_risk = table["at_risk"].to_numpy(dtype=float)
    deaths = table["observed"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(deaths > 0, deaths / (at_risk * (at_risk - deaths)), 0.0)
    greenwood = np.cumsum(terms)
    lower, upper = greenwood_bands(survival, greenwood, conf_type, level)
    last = float(t.max())
    low, high = quantile_time(times, lower, last), quantile_time(times, upper, last)
    # NaN appears only from the time S(t) = 0 on: a limit not reached there is not estimable
    median = MedianEstimate(
        quantile_time(times, survival, last),
        low,
        high,
        lower_estimable=low is not None or bool(np.isfinite(lower[-1])),
        upper_estimable=high is not None or bool(np.isfinite(upper[-1])),
    )
    return KaplanMeier(
        n=int(t.size),
        n_events=int(e.sum()),
        conf_type=conf_type,
        level=level,
        times=times,
        survival=survival,
        lower=lower,
        upper=upper,
        n_at_risk=at_risk.astype(int),
        n_events_at=deaths.astype(int),
        n_censored_at=table["censored"].to_numpy(dtype=int),
        median=median,
        durations=t,
        greenwood=greenwood,
    )
