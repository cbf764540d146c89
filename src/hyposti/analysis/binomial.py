"""Response rates with exact Clopper-Pearson confidence intervals (Clopper & Pearson 1934)."""

from __future__ import annotations

from dataclasses import dataclass

from hyposti.analysis.beta_quantile import beta_quantile
from hyposti.errors import InputError


@dataclass(frozen=True)
class Proportion:
    """``count`` of ``n`` with its exact two-sided confidence interval at ``level``."""

    count: int
    n: int
    rate: float | None
    lower: float | None
    upper: float | None
    level: float
    method: str = "Clopper-Pearson exact"

    def as_dict(self) -> dict[str, object]:
        return {
            "count": self.count,
            "n": self.n,
            "rate": self.rate,
            "lower": self.lower,
            "upper": self.upper,
            "level": self.level,
            "method": self.method,
        }


def clopper_pearson(count: int, n: int, level: float = 0.95) -> Proportion:
    """Exact binomial CI from beta quantiles (Clopper & Pearson 1934, Biometrika 26:404).

    lower = Beta(a/2; x, n-x+1), upper = Beta(1-a/2; x+1, n-x); lower is 0 when x = 0 and upper is
    1 when x = n. With n = 0 the rate and its interval are undefined (None).
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InputError("responders", count, "must be a whole number >= 0")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InputError("n", n, "must be a whole number >= 0")
    if count > n:
        raise InputError("responders", count, f"cannot exceed the number of patients n = {n}")
    if not 0 < level < 1:
        raise InputError("level", level, "must lie strictly between 0 and 1")
    if n == 0:
        return Proportion(count, n, None, None, None, level)
    alpha = 1 - level
    lower = 0.0 if count == 0 else beta_quantile(alpha / 2, count, n - count + 1)
    upper = 1.0 if count == n else beta_quantile(1 - alpha / 2, count + 1, n - count)
    return Proportion(count, n, count / n, lower, upper, level)
