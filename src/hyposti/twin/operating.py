"""Operating characteristics of twin trials per dose: selection, ORR, PFS, CRS >= 3 and DLT.

Each trial is reduced to counts per dose (``TrialCounts``); a rate per dose pools the trials as
a ratio estimator r = sum y / sum n with Monte Carlo standard error
sqrt(sum (y_i - r n_i)^2 / (M (M - 1))) / mean(n) (Cochran 1977, Sampling Techniques, eq. 6.13);
the probability of selecting a dose, a proportion of trials, has SE sqrt(p (1 - p) / M) and a
per-trial mean (patients per dose) sqrt(sum (x_i - mean)^2 / (M (M - 1))) (Morris, White &
Crowther 2019, Stat Med 38:2074, Table 6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hyposti.errors import InputError
from hyposti.response.records import Response
from hyposti.virtual.trial import SimulatedTrial

RESPONDERS = (Response.CR, Response.PR, Response.ICR, Response.IPR)
#: Progression-free survival is reported as the share free of progression and death at 6 months.
PFS_LANDMARK_DAYS = 182


#: The expansion rules a trial can meet (hyposti.virtual.trial.ExpansionStop.rule).
EXPANSION_RULES = ("toxicity_monitoring", "simon_futility")


@dataclass(frozen=True)
class TrialCounts:
    """One trial's counts per dose level (index 0 = dose level 1) and its selected MTD; with the
    expansion's rules applied, which rules fired and whether one stopped enrolment."""

    mtd: int
    patients: tuple[int, ...]
    responders: tuple[int, ...]
    pfs_known: tuple[int, ...]
    pfs_free: tuple[int, ...]
    crs3: tuple[int, ...]
    dlt_evaluable: tuple[int, ...]
    dlt: tuple[int, ...]
    expansion_rules: bool = False
    expansion_fired: tuple[str, ...] = ()
    expansion_stopped: bool = False


def trial_counts(trial: SimulatedTrial, expansion_rules: bool = False) -> TrialCounts:
    """Count, per dose, the infused, confirmed responders, 6-month PFS status (patients
    censored before the landmark without an event are not counted), CRS >= 3 and DLTs; and,
    when the trial ran under ``expansion_rules``, the rules that fired."""
    levels = trial.protocol.num_doses
    counts = np.zeros((7, levels), dtype=int)
    for s, course in trial.courses:
        d = course.dose_level - 1
        counts[0, d] += 1
        counts[1, d] += course.response.bor_confirmed in RESPONDERS
        progression = course.response.progression_date
        death = course.survival.death_day
        event_days = [
            day
            for day in (
                None if progression is None else (progression - course.infusion_date).days,
                death,
            )
            if day is not None
        ]
        first_event = min(event_days, default=None)
        followed = (course.follow_up_end - course.infusion_date).days
        if first_event is not None and first_event <= PFS_LANDMARK_DAYS:
            counts[2, d] += 1
        elif followed >= PFS_LANDMARK_DAYS:
            counts[2, d] += 1
            counts[3, d] += 1
        counts[4, d] += any(
            e.event.term == "Cytokine release syndrome" and e.event.grade >= 3
            for e in course.events
        )
        verdict = trial.adjudications[s.subject_id]
        counts[5, d] += verdict.evaluability == "evaluable"
        counts[6, d] += verdict.has_dlt
    patients, responders, pfs_known, pfs_free, crs3, dlt_evaluable, dlt = (
        tuple(int(v) for v in row) for row in counts
    )
    return TrialCounts(
        trial.mtd or 0,
        patients,
        responders,
        pfs_known,
        pfs_free,
        crs3,
        dlt_evaluable,
        dlt,
        expansion_rules=expansion_rules,
        expansion_fired=tuple(stop.rule for stop in trial.expansion_stops),
        expansion_stopped=any(stop.enrolment_stopped for stop in trial.expansion_stops),
    )


def _share_se(p: npt.ArrayLike, m: int) -> np.ndarray:
    """Monte Carlo SE of the share ``p`` of ``m`` trials: sqrt(p (1 - p) / m) (Morris, White &
    Crowther 2019, Table 6, as for coverage and power)."""
    share = np.asarray(p, dtype=float)
    se: np.ndarray = np.sqrt(share * (1 - share) / m)
    return se


def _ratio(y: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pooled rate per dose and its Monte Carlo SE (Cochran 1977 eq. 6.13); NaN without data."""
    m = y.shape[0]
    total = n.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = y.sum(axis=0) / total
        spread = ((y - rate * n) ** 2).sum(axis=0) / (m * (m - 1))
        se = np.sqrt(spread) / (total / m)
    return np.where(total > 0, rate, np.nan), np.where(total > 0, se, np.nan)


def operating_characteristics(counts: Sequence[TrialCounts]) -> dict[str, Any]:
    """Per dose: P(selected as MTD), mean patients, ORR, 6-month PFS, CRS >= 3 and DLT rates,
    each with its Monte Carlo SE; and P(no MTD)."""
    m = len(counts)
    if m < 2:
        raise InputError("trials", m, "needs at least 2 trials for a Monte Carlo standard error")
    fields = ("patients", "responders", "pfs_known", "pfs_free", "crs3", "dlt_evaluable", "dlt")
    arrays = {f: np.array([getattr(c, f) for c in counts], dtype=float) for f in fields}
    levels = arrays["patients"].shape[1]
    mtd = np.array([c.mtd for c in counts])
    selected = (mtd[:, None] == np.arange(levels + 1)[None, :]).astype(float)
    n = arrays["patients"]
    rates = {
        "orr": _ratio(arrays["responders"], n),
        "pfs_6m": _ratio(arrays["pfs_free"], arrays["pfs_known"]),
        "crs_grade3plus": _ratio(arrays["crs3"], n),
        "dlt": _ratio(arrays["dlt"], arrays["dlt_evaluable"]),
    }
    p_sel = selected.mean(axis=0)
    sd_sel = _share_se(p_sel, m)
    doses = []
    for d in range(levels):
        row: dict[str, Any] = {
            "dose_level": d + 1,
            "p_select": float(p_sel[d + 1]),
            "p_select_se": float(sd_sel[d + 1]),
            "mean_patients": float(n[:, d].mean()),
            "mean_patients_se": float(n[:, d].std(ddof=1) / np.sqrt(m)),
        }
        for name, (rate, se) in rates.items():
            row[name] = None if np.isnan(rate[d]) else float(rate[d])
            row[f"{name}_se"] = None if np.isnan(se[d]) else float(se[d])
        doses.append(row)
    out: dict[str, Any] = {
        "trials": m,
        "p_no_mtd": float(p_sel[0]),
        "p_no_mtd_se": float(sd_sel[0]),
        "mean_patients": float(n.sum(axis=1).mean()),
        "doses": doses,
    }
    if any(c.expansion_rules for c in counts):
        out["expansion"] = _expansion_stops(counts)
    return out


def _expansion_stops(counts: Sequence[TrialCounts]) -> dict[str, Any]:
    """P(the expansion's enrolment stopped early) and P(each rule fired) over the trials (a
    trial without an RP2D has no expansion and counts as not stopped), each with its SE."""
    m = len(counts)

    def share(hits: int) -> dict[str, float]:
        return {"p": hits / m, "se": float(_share_se(hits / m, m))}

    stopped = share(sum(c.expansion_stopped for c in counts))
    return {
        "p_stopped": stopped["p"],
        "p_stopped_se": stopped["se"],
        "rules": {
            rule: share(sum(rule in c.expansion_fired for c in counts)) for rule in EXPANSION_RULES
        },
    }
