"""How numbers read in tables: rates with exact CIs, medians with CIs or NR, days as months."""

from __future__ import annotations

import math
from typing import Any

from hyposti.analysis.efficacy import DAYS_PER_MONTH


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def rate_ci(p: dict[str, Any]) -> str:
    """'2/6 (33.3%; 95% CI 4.3–77.7%)', or '0/0' when nobody is in the group."""
    if not p or p.get("n", 0) == 0:
        return "0/0"
    return f"{p['count']}/{p['n']} ({pct(p['rate'])}; 95% CI {pct(p['lower'])}–{pct(p['upper'])})"


def months(days: float | None, nr: str = "NR") -> str:
    return nr if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def median_ci(km: dict[str, Any] | None) -> str:
    """'4.6 (2.8–NR) months' from a KM summary; NR = not reached, NE = not estimable."""
    if not km:
        return "no patients"
    lower = months(km["median_lower"], "NR" if km.get("median_lower_estimable", True) else "NE")
    upper = months(km["median_upper"], "NR" if km.get("median_upper_estimable", True) else "NE")
    return f"{months(km['median'])} ({lower}–{upper}) months"


def survival_rate(row: dict[str, Any]) -> str:
    """'62.5% (22.9–86.1)' or 'NE' when follow-up is too short."""
    if row.get("survival") is None:
        return "NE"
    low, high = row.get("lower"), row.get("upper")
    band = "" if low is None or high is None else f" ({100 * low:.1f}–{100 * high:.1f})"
    return f"{100 * row['survival']:.1f}%{band}"


def number(value: float | None, digits: int = 3) -> str:
    """Kinetics values: ``digits`` significant figures, thousands separated, no trailing zeros
    (20,683 -> '20,700'; 34.17 -> '34.2'; 14.0 -> '14'); '–' when missing. One format for levels,
    AUCs and days alike."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, decimals)
    text = f"{rounded:,.{max(0, decimals)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def geo(summary: dict[str, Any]) -> str:
    """'1,440 (198%) n=3': geometric mean (3 significant figures) and geometric CV%."""
    if not summary or summary.get("geometric_mean") is None:
        return "–"
    cv = summary.get("geometric_cv_pct")
    cv_text = "" if cv is None else f" ({cv:.0f}%)"
    return f"{number(summary['geometric_mean'])}{cv_text} n={summary['n']}"
