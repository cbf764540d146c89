"""The report's figures as inline SVG: KM with numbers at risk, waterfall, spider, swimmer, PK.

Conventions of oncology reporting: KM curves with a risk table (Pocock, Clayton & Altman 2002,
Lancet 359:1686); waterfall, spider and swimmer plots as in FDA oncology reviews.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FormatStrFormatter, NullLocator

from hyposti.analysis.efficacy import DAYS_PER_MONTH

if TYPE_CHECKING:
    from hyposti.analysis.efficacy import PatientOutcome
    from hyposti.analysis.kinetics import TumourPatient
    from hyposti.analysis.km import KaplanMeier
    from hyposti.analysis.safety import DltAtDose, EscalationCohort

BOR_COLOURS = {
    "CR": "#1b7837",
    "PR": "#5aae61",
    "SD": "#f1a340",
    "NON-CR/NON-PD": "#f1a340",
    "PD": "#b2182b",
    "NE": "#9e9e9e",
}
# Above this many patients, per-patient marks are drawn as one collection rasterised inside the SVG
# (a 10^4-patient figure stays a few hundred kB and renders in seconds).
MANY = 300
DOSE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]

plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "hyposti-report"})  # fmt: skip


def dose_colour(level: int | None) -> str:
    return "#555555" if level is None else DOSE_COLOURS[(int(level) - 1) % len(DOSE_COLOURS)]


def to_svg(fig: Figure, name: str) -> str:
    """The figure as an inline <svg> element (no XML prolog, no external references).

    ``name`` salts the SVG element ids so that several figures can share one HTML page.
    """
    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": name}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def _bor(code: str) -> str:
    return re.sub(r"^i(?=[A-Z])", "", code)


def km_figure(
    km: KaplanMeier, title: str, origin: str = "CAR-T infusion", step_months: int = 3
) -> str:
    """Step curve with its pointwise CI band, censor ticks and a number-at-risk row below;
    ``origin`` names the time's zero (DOR counts from the first response, not the infusion)."""
    t = km.times / DAYS_PER_MONTH
    s = km.survival
    low = np.where(np.isfinite(km.lower), km.lower, np.nan)
    high = np.where(np.isfinite(km.upper), km.upper, np.nan)
    fig, (ax, risk) = plt.subplots(
        2, 1, figsize=(6.4, 3.6), gridspec_kw={"height_ratios": [5, 1]}, sharex=True
    )
    ax.step(t, s, where="post", color="#1f3b73", lw=1.6)
    ax.fill_between(t, low, high, step="post", color="#1f3b73", alpha=0.15, lw=0)
    cens = km.n_censored_at > 0
    ax.plot(t[cens], s[cens], "|", color="#1f3b73", ms=8, mew=1.2)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("Probability")
    ax.axhline(0.5, color="#999999", lw=0.6, ls=":")
    med = km.median.value
    label = "NR" if med is None else f"{med / DAYS_PER_MONTH:.1f} mo"
    ax.set_title(f"{title}: median {label}, n={km.n}, events={km.n_events}", loc="left")
    end = max(float(t.max()), step_months)
    ticks = np.arange(0, end + step_months, step_months)
    at_risk_all = np.repeat(km.times, km.n_events_at + km.n_censored_at)
    risk.set_yticks([])
    risk.spines[["left", "bottom"]].set_visible(False)
    risk.tick_params(axis="x", length=0)
    risk.set_ylim(0, 1)
    for x in ticks:
        n = int(np.count_nonzero(at_risk_all >= x * DAYS_PER_MONTH))
        risk.text(x, 0.4, str(n), ha="center", va="center", fontsize=8)
    risk.text(-0.02, 0.4, "At risk", ha="right", va="center", fontsize=8,
              transform=risk.get_yaxis_transform())  # fmt: skip
    ax.set_xticks(ticks)
    risk.set_xlabel(f"Months from {origin}")
    ax.set_xlim(0, ticks[-1])
    return to_svg(fig, f"km-{title}")


def waterfall_figure(patients: Sequence[PatientOutcome]) -> str:
    """Best % change of the target sum per patient, sorted, coloured by confirmed BOR."""
    changes = [(p, p.best_pct_change) for p in patients if p.best_pct_change is not None]
    changes.sort(key=lambda pc: -pc[1])
    rows = [p for p, _ in changes]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    if not rows:
        ax.text(0.5, 0.5, "No patient with a post-baseline target measurement", ha="center",
                transform=ax.transAxes)  # fmt: skip
        return to_svg(fig, "waterfall")
    x = np.arange(len(rows))
    heights = [change for _, change in changes]
    colours = [BOR_COLOURS.get(_bor(p.bor_confirmed), "#777") for p in rows]
    if len(rows) <= MANY:
        ax.bar(x, heights, color=colours)
    else:
        ax.vlines(x, 0, heights, colors=colours, lw=0.6, rasterized=True)
    ax.axhline(20, color="#b2182b", lw=0.8, ls="--")
    ax.axhline(-30, color="#1b7837", lw=0.8, ls="--")
    ax.axhline(0, color="black", lw=0.6)
    if len(rows) <= 40:
        ax.set_xticks(x, [p.subject_id for p in rows], rotation=90, fontsize=7)
    else:
        ax.set_xticks([])
    ax.set_ylabel("Best change in target sum (%)")
    present = [c for c in ("CR", "PR", "SD", "PD", "NE")
               if any(_bor(p.bor_confirmed) == c for p in rows)]  # fmt: skip
    handles = [Rectangle((0, 0), 1, 1, color=BOR_COLOURS[c]) for c in present]
    ax.legend(handles, present, ncol=5, fontsize=7, frameon=False, loc="upper right")
    return to_svg(fig, "waterfall")


def spider_figure(patients: Sequence[PatientOutcome]) -> str:
    """% change of the target sum from baseline over time, one line per patient."""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    levels: set[int] = set()
    lines, colours = [], []
    for p in patients:
        pts = [(0.0, 0.0)] + [
            (tp.study_day / DAYS_PER_MONTH, tp.pct_from_baseline)
            for tp in p.time_points
            if tp.pct_from_baseline is not None
        ]
        if len(pts) < 2:
            continue
        lines.append(pts)
        colours.append(dose_colour(p.dose_level))
        if p.dose_level is not None:
            levels.add(p.dose_level)
    many = len(lines) > MANY
    ax.add_collection(LineCollection(lines, colors=colours, lw=0.5 if many else 1.0, alpha=0.8,
                                     rasterized=many))  # fmt: skip
    if lines and not many:
        xy = np.concatenate([np.asarray(pts) for pts in lines])
        ax.scatter(xy[:, 0], xy[:, 1], s=5, c=np.repeat(colours, [len(p) for p in lines]))
    ax.autoscale()
    ax.axhline(20, color="#b2182b", lw=0.8, ls="--")
    ax.axhline(-30, color="#1b7837", lw=0.8, ls="--")
    ax.set_xlabel("Months from CAR-T infusion")
    ax.set_ylabel("Change in target sum (%)")
    handles = [Line2D([], [], color=dose_colour(lv)) for lv in sorted(levels)]
    ax.legend(handles, [f"DL{lv}" for lv in sorted(levels)], fontsize=7, frameon=False)
    return to_svg(fig, "spider")


def swimmer_figure(patients: Sequence[PatientOutcome]) -> str:
    """Time on study per patient with response, progression and death marks."""
    rows = sorted(patients, key=lambda p: p.last_known_alive_day or 0)
    height = max(2.4, 0.22 * len(rows) + 1.0) if len(rows) <= 60 else 8.0
    fig, ax = plt.subplots(figsize=(6.4, height))
    y = np.arange(len(rows))
    ends = [(p.last_known_alive_day or 0) / DAYS_PER_MONTH for p in rows]
    bar_colours = [dose_colour(p.dose_level) for p in rows]
    if len(rows) <= MANY:
        ax.barh(y, ends, color=bar_colours, height=0.6, alpha=0.55)
    else:
        ax.hlines(y, 0, ends, colors=bar_colours, lw=0.5, alpha=0.55, rasterized=True)

    def marks(day: Callable[[PatientOutcome], float | None]) -> tuple[list[float], list[int]]:
        pts = [(d / DAYS_PER_MONTH, i) for i, p in enumerate(rows) if (d := day(p)) is not None]
        return ([a for a, _ in pts], [b for _, b in pts]) if pts else ([], [])

    events: tuple[tuple[Callable[[PatientOutcome], float | None], str, str, str], ...] = (
        (lambda p: p.first_response_day, "^", "#1b7837", "Confirmed response"),
        (lambda p: p.progression_day, "X", "#b2182b", "Progression"),
        (lambda p: p.death_day, "s", "black", "Death"),
        (lambda p: p.new_therapy_day, "D", "#7b3294", "New therapy"),
    )
    for day, marker, colour, label in events:
        xs, ys = marks(day)
        if not xs:  # a legend names only what the figure shows
            continue
        ax.plot(xs, ys, marker, color=colour, ms=5 if len(rows) <= MANY else 1, ls="none",
                label=label, rasterized=len(rows) > MANY)  # fmt: skip
    alive = [i for i, p in enumerate(rows) if p.death_day is None]
    if alive:
        ax.plot([ends[i] + 0.15 for i in alive], alive, ">", color="#555555",
                ms=4 if len(rows) <= MANY else 1, ls="none",
                label="Alive at cut-off / last contact", rasterized=len(rows) > MANY)  # fmt: skip
    if len(rows) <= 60:
        ax.set_yticks(y, [f"{p.subject_id} (DL{p.dose_level})" for p in rows], fontsize=7)
    else:
        ax.set_yticks([])
    ax.set_xlabel("Months from CAR-T infusion")
    handles, labels = ax.get_legend_handles_labels()
    levels = sorted({p.dose_level for p in rows if p.dose_level is not None})
    handles += [Patch(color=dose_colour(lv), alpha=0.55) for lv in levels]
    labels += [f"DL{lv} (bar colour)" for lv in levels]
    ax.legend(handles, labels, fontsize=7, frameon=False, loc="center left",
              bbox_to_anchor=(1.01, 0.5))  # fmt: skip
    return to_svg(fig, "swimmer")


def escalation_figure(cohorts: Sequence[EscalationCohort], dlt: Sequence[DltAtDose]) -> str:
    """Dose-escalation chart: a mark per evaluable patient at its cohort and dose, DLTs filled red;
    the expansion (patients treated outside the escalation cohorts) as counts per dose level.

    The layout of the dose-escalation figures of phase I reports (e.g. Le Tourneau, Lee & Siu 2009,
    J Natl Cancer Inst 101:708, Figure 1): cohorts in order along x, dose levels up y.
    """
    levels = sorted({d.dose_level for d in dlt} | {c.dose_level for c in cohorts})
    in_cohorts: dict[int, tuple[int, int]] = {}
    for c in cohorts:
        n, k = in_cohorts.get(c.dose_level, (0, 0))
        in_cohorts[c.dose_level] = (n + c.n_patients, k + c.n_dlt)
    expansion = {
        d.dose_level: (
            d.n_evaluable - in_cohorts.get(d.dose_level, (0, 0))[0],
            d.n_dlt - in_cohorts.get(d.dose_level, (0, 0))[1],
        )
        for d in dlt
    }
    shown_expansion = {lv: nk for lv, nk in expansion.items() if nk[0] > 0}
    width = max(3.2, 0.55 * (len(cohorts) + (2 if shown_expansion else 0)) + 1.2)
    fig, ax = plt.subplots(figsize=(min(width, 9.0), 0.55 * len(levels) + 1.3))
    handles = {}
    for x, c in enumerate(cohorts, start=1):
        n, k = c.n_patients, c.n_dlt
        offsets = (np.arange(n) - (n - 1) / 2) * 0.18
        for i, dx in enumerate(offsets):
            is_dlt = i < k
            (h,) = ax.plot(x + dx, c.dose_level, "X" if is_dlt else "o", ms=7,
                           color="#b2182b" if is_dlt else "#1f3b73",
                           mfc="#b2182b" if is_dlt else "white", ls="none")  # fmt: skip
            handles["DLT" if is_dlt else "No DLT"] = h
    if shown_expansion:
        x_exp = len(cohorts) + 1.5
        ax.axvline(len(cohorts) + 0.75, color="#999999", lw=0.8, ls=":")
        for level, (n, k) in shown_expansion.items():
            ax.text(x_exp, level, f"{n} pts\n{k} DLT", ha="center", va="center", fontsize=8,
                    color="#b2182b" if k else "#1a1a1a")  # fmt: skip
    ticks = list(range(1, len(cohorts) + 1)) + ([len(cohorts) + 1.5] if shown_expansion else [])
    ax.set_xticks(ticks, [str(t) for t in range(1, len(cohorts) + 1)]
                  + (["Expansion"] if shown_expansion else []))  # fmt: skip
    ax.set_xlim(0.4, ticks[-1] + 0.7 if ticks else 1.6)
    ax.set_yticks(levels, [f"DL{lv}" for lv in levels])
    ax.set_ylim(min(levels) - 0.6, max(levels) + 0.6)
    ax.set_xlabel("Escalation cohort")
    if handles:
        order = [k for k in ("No DLT", "DLT") if k in handles]
        ax.legend([handles[k] for k in order], order, frameon=False, fontsize=8,
                  loc="upper left", bbox_to_anchor=(1.0, 1.0))  # fmt: skip
    return to_svg(fig, "escalation")


def kinetics_figure(samples: pd.DataFrame, dose_levels: pd.Series, matrix: str = "blood") -> str:
    """Transgene copies/ug over time, one panel per dose level (log scale; BLQ shown at LLOQ);
    the panels share both axes so that dose levels compare at a glance."""
    data = samples.loc[samples["matrix"] == matrix].assign(
        dose_level=lambda f: f["subject_id"].map(dose_levels)
    )
    levels = sorted(int(v) for v in data["dose_level"].dropna().unique())
    fig, axes = plt.subplots(1, max(1, len(levels)), figsize=(6.4, 2.8), sharex=True,
                             sharey=True, squeeze=False)  # fmt: skip
    all_days = data["study_day"].to_numpy(dtype=float)
    for ax, level in zip(axes[0], levels, strict=False):
        group = data.loc[data["dose_level"] == level].sort_values(["subject_id", "study_day"])
        copies = group["copies_per_ug"].to_numpy(dtype=float)
        limit = group["lloq"].to_numpy(dtype=float)
        blq = ~np.isfinite(copies) | (copies < limit)
        shown = np.where(blq, limit, copies)
        days = group["study_day"].to_numpy(dtype=float)
        ids = group["subject_id"].to_numpy()
        cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        segments = [
            np.column_stack([d, c])
            for d, c in zip(np.split(days, cuts), np.split(shown, cuts), strict=True)
        ]
        many = len(segments) > MANY
        colour = dose_colour(level)
        ax.add_collection(LineCollection(segments, colors=colour, lw=0.4 if many else 0.8,
                                         alpha=0.7, rasterized=many))  # fmt: skip
        if not many:
            ax.plot(days[~blq], shown[~blq], "o", ms=2.5, color=colour)
            ax.plot(days[blq], shown[blq], "o", ms=3, mfc="white", color=colour)
        ax.autoscale()
        lloq = group["lloq"].median() if len(group) else None
        if lloq and lloq > 0:
            ax.axhline(lloq, color="#999999", lw=0.6, ls=":")
        ax.set_yscale("log")
        # linear over the DLT window's expansion, logarithmic after: peak and persistence both show
        ax.set_xscale("symlog", linthresh=28, linscale=1.5)
        # a tick past day 180 when follow-up goes on (to day 907 in a synthetic trial): without
        # it the log part of the axis has no scale and persistence cannot be read
        ax.set_xticks([t for t in (0, 28, 180, 730) if t <= max(all_days.max(), 28)])
        ax.set_xlim(left=min(-1.0, float(all_days.min()) - 1))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FormatStrFormatter("%d"))
        ax.set_title(f"DL{level} (n={group['subject_id'].nunique()})", fontsize=9)
        ax.set_xlabel("Study day")
    axes[0][0].set_ylabel(f"Copies/ug gDNA ({matrix})")
    if not levels:
        axes[0][0].text(0.5, 0.5, f"No {matrix} samples", ha="center",
                        transform=axes[0][0].transAxes)  # fmt: skip
    return to_svg(fig, f"kinetics-{matrix}")


def biopsy_figure(patients: Sequence[TumourPatient]) -> str:
    """Tumour-biopsy levels per patient by dose level (log scale; below the LLOQ drawn at it)."""
    points = [
        (p.dose_level, b)
        for p in patients
        if p.dose_level is not None
        for b in p.biopsies
        if b.study_day >= 0
    ]
    levels = sorted({level for level, _ in points})
    fig, ax = plt.subplots(figsize=(4.2, 2.8))
    for x, level in enumerate(levels):
        group = [b for lv, b in points if lv == level]
        spread = np.linspace(-0.25, 0.25, len(group)) if len(group) > 1 else np.zeros(1)
        for dx, b in zip(spread, group, strict=True):
            below, colour = b.below_lloq, dose_colour(level)
            level_shown = b.lloq if below or b.copies_per_ug is None else b.copies_per_ug
            ax.plot(x + dx, level_shown, "o", ms=4, color=colour, mfc="white" if below else colour)
    if points:
        ax.axhline(float(np.median([b.lloq for _, b in points])), color="#999999", lw=0.6,
                   ls=":")  # fmt: skip
        ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "No tumour samples", ha="center", transform=ax.transAxes)
    ax.set_xticks(range(len(levels)), [f"DL{lv}" for lv in levels])
    ax.set_xlim(-0.6, len(levels) - 0.4)
    ax.set_ylabel("Copies/ug gDNA (tumour)")
    return to_svg(fig, "tumour-biopsies")
