"""How numbers read in tables: rates with exact CIs, medians with CIs or NR, days as months."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from hyposti.analysis.efficacy import DAYS_PER_MONTH

if TYPE_CHECKING:
    from hyposti.analysis.binomial import Proportion
    from hyposti.analysis.kinetics import GeometricSummary
    from hyposti.analysis.km import MedianEstimate, SurvivalAt


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def rate_ci(p: Proportion | None) -> str:
    """'2/6 (33.3%; 95% CI 4.3–77.7%)', or '0/0' when nobody is in the group."""
    if p is None or p.n == 0:
        return "0/0"
    return f"{p.count}/{p.n} ({pct(p.rate)}; 95% CI {pct(p.lower)}–{pct(p.upper)})"


def rate_and_ci(p: Proportion) -> str:
    """'16.7% (0.4–64.1%)' beside columns that already hold the counts; '–' with nobody.

    One decimal as in ``rate_ci``: whole percent would print the lower limit of 1/16 (0.16%) as
    '0%', which reads as 'no DLT is compatible with the data'."""
    if p.rate is None or p.lower is None or p.upper is None:
        return "–"
    return f"{pct(p.rate)} ({100 * p.lower:.1f}–{pct(p.upper)})"


def months(days: float | None, nr: str = "NR") -> str:
    return nr if days is None else f"{days / DAYS_PER_MONTH:.1f}"


def median_ci(median: MedianEstimate | None) -> str:
    """'4.6 (2.8–NR) months' from a KM median (None: no patients); NR = not reached, NE = not
    estimable."""
    if median is None:
        return "no patients"
    lower = months(median.lower, "NR" if median.lower_estimable else "NE")
    upper = months(median.upper, "NR" if median.upper_estimable else "NE")
    return f"{months(median.value)} ({lower}–{upper}) months"


def survival_rate(at: SurvivalAt) -> str:
    """'62.5% (22.9–86.1)' or 'NE' when follow-up is too short."""
    if at.survival is None:
        return "NE"
    low, high = at.lower, at.upper
    band = "" if low is None or high is None else f" ({100 * low:.1f}–{100 * high:.1f})"
    return f"{100 * at.survival:.1f}%{band}"


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


def geo(summary: GeometricSummary) -> str:
    """'1,440 (198%) n=3': geometric mean (3 significant figures) and geometric CV%."""
    if summary.geometric_mean is None:
        return "–"
    cv = summary.geometric_cv_pct
    # thousands separated like the means: a CV of 134295% reads as a misprint
    cv_text = "" if cv is None else f" ({cv:,.0f}%)"
    return f"{number(summary.geometric_mean)}{cv_text} n={summary.n}"
