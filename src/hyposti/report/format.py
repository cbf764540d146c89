"""How numbers read in tables: rates with exact CIs, medians with CIs or NR, days as months."""

from __future__ import annotations

from typing import Any

DAYS_PER_MONTH = 365.25 / 12


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
    """'4.6 (2.8–NR) months' from a KM summary; NR = not reached."""
    if not km:
        return "no patients"
    return (
        f"{months(km['median'])} ({months(km['median_lower'])}–{months(km['median_upper'])}) months"
    )


def survival_rate(row: dict[str, Any]) -> str:
    """'62.5% (22.9–86.1)' or 'NE' when follow-up is too short."""
    if row.get("survival") is None:
        return "NE"
    low, high = row.get("lower"), row.get("upper")
    band = "" if low is None or high is None else f" ({100 * low:.1f}–{100 * high:.1f})"
    return f"{100 * row['survival']:.1f}%{band}"


def number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1e5 or (0 < abs(value) < 1e-2):
        return f"{value:.{digits - 1}e}"
    return f"{value:,.{max(0, digits - 1 - len(str(int(abs(value)))) + 1)}f}"


def geo(summary: dict[str, Any]) -> str:
    """'1,442 (198%) n=3' geometric mean and geometric CV%."""
    if not summary or summary.get("geometric_mean") is None:
        return "–"
    cv = summary.get("geometric_cv_pct")
    cv_text = "" if cv is None else f" ({cv:.0f}%)"
    return f"{summary['geometric_mean']:,.0f}{cv_text} n={summary['n']}"
