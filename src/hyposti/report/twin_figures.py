"""The twin report's figures as inline SVG: calibration against targets, kinetics, arm comparison.

Each simulated figure is drawn with its 95% Monte Carlo interval (estimate +- 1.96 SE), so that a
reader sees whether a miss is larger than the simulation's own error.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from hyposti.report.figures import dose_colour, to_svg

Z95 = 1.959964  # two-sided 95% normal quantile
ARM_COLOURS = {"gated": "#1f3b73", "conventional": "#b2182b", "reference": "#555555"}


def calibration_rows(e: dict[str, Any]) -> list[dict[str, Any]]:
    """Every calibration figure: target, simulated value and its SE, on a comparable scale
    (medians as their logs; log SDs, rates and shares as they are)."""
    kt, kf = e["kinetic_target"], e["kinetic_fit"]
    ct, cf = e["clinical_target"], e["clinical_fit"]
    rows = []
    for label, key, target in (
        ("Cmax median, copies/ug", "cmax", kt["cmax_median"]),
        ("AUC0-28 median, copies·d/ug", "auc_0_28", kt["auc_0_28_median"]),
        ("Tmax median, d", "tmax", kt["tmax_median_days"]),
    ):
        value = kf["tmax_median_days"] if key == "tmax" else kf[f"{key}_median"]
        se = kf["log_median_se"][key]
        rows.append({"figure": label, "source": kt["source"], "target": target, "value": value,
                     "low": value * math.exp(-Z95 * se), "high": value * math.exp(Z95 * se),
                     "ratio": value / target, "ratio_se": se, "log": True})  # fmt: skip
    for label, key in (("Cmax log SD", "cmax"), ("Tmax log SD", "tmax")):
        target, value, se = kt[f"{key}_log_sd"], kf[f"{key}_log_sd"], kf["log_sd_se"][key]
        rows.append({"figure": label, "source": kt["source"], "target": target, "value": value,
                     "low": value - Z95 * se, "high": value + Z95 * se,
                     "ratio": value / target, "ratio_se": se / target, "log": False})  # fmt: skip
    source = "Feng 2018 (Protein Cell 9:838)"
    for label, target, value, se in (
        ("ORR", ct["orr"], cf["orr"], cf["orr_se"]),
        (
            f"Progression-free at {ct['median_pfs_days'] / (365.25 / 12):.1f} months",
            0.5,
            cf["pfs_free_at_target_median"],
            cf["pfs_free_se"],
        ),
    ):
        rows.append({"figure": label, "source": source, "target": target, "value": value,
                     "low": value - Z95 * se, "high": value + Z95 * se,
                     "ratio": value / target, "ratio_se": se / target, "log": False})  # fmt: skip
    return rows


def calibration_figure(rows: list[dict[str, Any]]) -> str:
    """Simulated over target for every calibration figure, with its 95% Monte Carlo interval."""
    fig, ax = plt.subplots(figsize=(6.4, 0.42 * len(rows) + 0.9))
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows, strict=True):
        ratio = r["ratio"]
        if r["log"]:
            low, high = (
                ratio * math.exp(-Z95 * r["ratio_se"]),
                ratio * math.exp(Z95 * r["ratio_se"]),
            )
        else:
            low, high = ratio - Z95 * r["ratio_se"], ratio + Z95 * r["ratio_se"]
        ax.plot([low, high], [yi, yi], color="#1f3b73", lw=1.6)
        ax.plot(ratio, yi, "o", color="#1f3b73", ms=5)
    ax.axvline(1.0, color="#b2182b", lw=1, ls="--")
    ax.set_yticks(y, [r["figure"] for r in rows])
    ax.set_xlabel("Twin / target (1 = on target; bar: 95% Monte Carlo interval)")
    span = max(0.05, max(abs(r["ratio"] - 1) + 2.5 * r["ratio_se"] for r in rows))
    ax.set_xlim(1 - 1.1 * span, 1 + 1.1 * span)
    return to_svg(fig, "twin-calibration")


def _band(ax: Any, curve: dict[str, Any], colour: str, label: str) -> None:
    days = np.asarray(curve["days"])
    low, mid, high = (np.asarray(row) for row in curve["copies"])
    ax.fill_between(days, np.maximum(low, 1e-3), high, color=colour, alpha=0.15, lw=0)
    ax.plot(days, mid, color=colour, lw=1.5, label=label)


def kinetics_curves_figure(curves: list[dict[str, Any]], typical: np.ndarray) -> str:
    """Reference CAR (median, 10-90% band, Stein 2019's typical patient) and the HER2 CAR at each
    protocol dose, gated and conventional."""
    reference = [c for c in curves if c["arm"] == "reference"]
    levels = sorted({c["dose_level"] for c in curves if c["dose_level"] is not None})
    fig, axes = plt.subplots(1, 1 + len(levels), figsize=(9.6, 3.0), sharey=True)
    axes = np.atleast_1d(axes)
    for c in reference:
        _band(axes[0], c, ARM_COLOURS["reference"], "twin, median and 10-90%")
    days = np.asarray(reference[0]["days"]) if reference else np.arange(91.0)
    axes[0].plot(days, typical, color="#f1a340", lw=1.5, ls="--", label="Stein 2019 typical")
    axes[0].set_title(reference[0]["label"] if reference else "reference CAR", fontsize=9)
    axes[0].legend(frameon=False, fontsize=7, loc="lower center")
    for ax, level in zip(axes[1:], levels, strict=True):
        for c in curves:
            if c["dose_level"] == level:
                _band(ax, c, ARM_COLOURS[c["arm"]], c["arm"])
        ax.set_title(f"HER2 CAR, DL{level}", fontsize=9, color=dose_colour(level))
    if levels:
        axes[1].legend(frameon=False, fontsize=7, loc="lower center")
    for ax in axes:
        ax.set_yscale("log")
        ax.set_xlabel("Day after infusion")
        ax.set_xticks([0, 28, 56, 84])
    axes[0].set_ylabel("Blood CAR copies/ug gDNA")
    axes[0].set_ylim(bottom=1.0)
    return to_svg(fig, "twin-kinetics")


COMPARED = (
    ("crs_grade3plus", "CRS grade ≥ 3"),
    ("dlt", "DLT"),
    ("orr", "ORR"),
    ("pfs_6m", "Progression-free at 6 months"),
)


#: Scenario colours per arm, in order: gated scenarios in the gated arm's blue then cool colours,
#: conventional ones in the conventional arm's red then warm colours, so the default sweep's two
#: scenarios wear the same colours as the arm comparison above them.
SCENARIO_COLOURS = {
    True: (ARM_COLOURS["gated"], "#4d9221", "#762a83", "#35978f", "#5e81b5"),
    False: (ARM_COLOURS["conventional"], "#f1a340", "#8c510a", "#de77ae", "#555555"),
}


def scenario_colours(results: list[dict[str, Any]]) -> list[str]:
    """One colour per sweep result (a scenario), by its arm and its rank within the arm."""
    seen = {True: 0, False: 0}
    colours = []
    for r in results:
        palette = SCENARIO_COLOURS[bool(r["gated"])]
        colours.append(palette[seen[bool(r["gated"])] % len(palette)])
        seen[bool(r["gated"])] += 1
    return colours


def _dose_names(levels: list[int], dose_labels: dict[int, str]) -> list[str]:
    return [dose_labels.get(lv, f"DL{lv}").replace(" (", "\n(") for lv in levels]


def _rate_panels(
    axes: Any,
    series: list[tuple[str, str, list[dict[str, Any]]]],
    levels: list[int],
    dose_labels: dict[int, str],
) -> None:
    """One panel per rate of ``COMPARED``: each series (label, colour, rows with ``dose_level``)
    as points with 95% Monte Carlo intervals, side by side at each dose."""
    width = 0.2 if len(series) <= 2 else 0.6 / len(series)
    shifts = (np.arange(len(series)) - (len(series) - 1) / 2) * width
    for ax, (key, title) in zip(axes, COMPARED, strict=True):
        for shift, (label, colour, rows) in zip(shifts, series, strict=True):
            shown = [r for r in rows if r[key] is not None]
            x = np.array([levels.index(r["dose_level"]) for r in shown]) + shift
            value = np.array([r[key] for r in shown])
            se = np.array([r[f"{key}_se"] for r in shown])
            ax.errorbar(x, value, yerr=Z95 * se, fmt="o", ms=4, capsize=2, lw=1.2,
                        color=colour, label=label)  # fmt: skip
        ax.set_xticks(range(len(levels)), _dose_names(levels, dose_labels), fontsize=7)
        ax.set_xlim(-0.5, len(levels) - 0.5)
        ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=9)


def comparison_figure(rows: list[dict[str, Any]], dose_labels: dict[int, str]) -> str:
    """Gated vs conventional CAR per dose: each rate with its 95% Monte Carlo interval."""
    fig, axes = plt.subplots(1, len(COMPARED), figsize=(9.6, 2.8), layout="constrained")
    levels = sorted({r["dose_level"] for r in rows})
    series = [(arm, ARM_COLOURS[arm], [r for r in rows if r["arm"] == arm])
              for arm in ("gated", "conventional")]  # fmt: skip
    _rate_panels(axes, series, levels, dose_labels)
    axes[0].set_ylabel("Share of patients")
    axes[0].legend(frameon=False, fontsize=7, loc="upper left")
    return to_svg(fig, "twin-comparison")


def trials_figure(results: list[dict[str, Any]], dose_labels: dict[int, str]) -> str:
    """Whole trials per scenario: P(selected as MTD) per dose and P(none) as grouped bars, then
    harm and efficacy per dose; every figure with its 95% Monte Carlo interval."""
    levels = sorted({d["dose_level"] for r in results for d in r["doses"]})
    rates = "abcdefgh"[: len(COMPARED)]  # one mosaic letter per rate panel, "S" the selection's
    fig, panels = plt.subplot_mosaic(
        f"{'S' * len(rates)};{rates}", figsize=(9.6, 5.2), height_ratios=[0.85, 1.0],
        layout="constrained",
    )  # fmt: skip
    ax = panels["S"]
    colours = scenario_colours(results)
    width = 0.8 / len(results)
    for k, (r, colour) in enumerate(zip(results, colours, strict=True)):
        by_level = {d["dose_level"]: d for d in r["doses"]}
        p = np.array([r["p_no_mtd"]] + [by_level[lv]["p_select"] if lv in by_level else 0.0
                                        for lv in levels])  # fmt: skip
        se = np.array([r["p_no_mtd_se"]] + [by_level[lv]["p_select_se"] if lv in by_level else 0.0
                                            for lv in levels])  # fmt: skip
        x = np.arange(len(levels) + 1) + (k - (len(results) - 1) / 2) * width
        ax.bar(x, p, width * 0.92, color=colour, label=r["scenario"])
        low, high = np.clip(p - Z95 * se, 0, 1), np.clip(p + Z95 * se, 0, 1)
        ax.errorbar(x, p, yerr=[p - low, high - p], fmt="none", ecolor="#1a1a1a", capsize=2, lw=1)
    ax.set_xticks(
        range(len(levels) + 1), ["no dose", *_dose_names(levels, dose_labels)], fontsize=8
    )
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(selected as MTD/RP2D)")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    axes = [panels[letter] for letter in rates]
    series = [(r["scenario"], c, r["doses"]) for r, c in zip(results, colours, strict=True)]
    _rate_panels(axes, series, levels, dose_labels)
    axes[0].set_ylabel("Share of patients treated")
    return to_svg(fig, "twin-trials")
