"""The report's tables as rows of text, built only from the JSON of ``analyze_trial``."""

from __future__ import annotations

from typing import Any

from hyposti.report.format import geo, median_ci, number, rate_ci, survival_rate

GRADES = ("1", "2", "3", "4", "5")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def dose_columns(result: dict[str, Any]) -> list[str]:
    return list(result["safety"]["trae"]["dose_levels"])


def dose_label(result: dict[str, Any], key: str) -> str:
    if key == "all":
        return "All"
    level = result["study"]["dose_levels"].get(key)
    if not level:
        return f"DL{key}"
    mantissa, exponent = f"{level['cells_per_kg']:.0e}".split("e")
    power = str(int(exponent)).translate(_SUPERSCRIPT)
    return f"DL{key} ({mantissa}×10{power} cells/kg)"


def endpoint_table(result: dict[str, Any]) -> list[list[str]]:
    """Headline endpoints, one row each, one column per dose level and overall."""
    keys = dose_columns(result)
    safety, eff = result["safety"], result["efficacy"]
    trae = safety["trae"]["rows"][0]["by_dose"]
    dlt = {str(d["dose_level"]): d for d in safety["dlt"]}
    dlt_all = {
        "count": sum(d["n_dlt"] for d in safety["dlt"]),
        "n": sum(d["n_evaluable"] for d in safety["dlt"]),
    }

    def count(c: dict[str, Any], field: str) -> str:
        return f"{c[field]}/{c['n']}" if c["n"] else "0/0"

    rows = [
        ["Treatment-related AE, any grade", *[count(trae[k], "any") for k in keys]],
        ["Treatment-related AE, grade ≥3", *[count(trae[k], "grade_3_plus") for k in keys]],
    ]
    for name in ("CRS", "ICANS"):
        syn = safety["syndromes"][name]
        rows.append([f"{name}, any grade / grade ≥3", *[
            f"{syn[k]['any']} / {syn[k]['grade_3_plus']}" for k in keys]])  # fmt: skip
    rows.append(
        [
            "DLT (evaluable patients)",
            *[
                (f"{dlt[k]['n_dlt']}/{dlt[k]['n_evaluable']}" if k in dlt else "–")
                if k != "all"
                else f"{dlt_all['count']}/{dlt_all['n']}"
                for k in keys
            ],
        ]
    )
    rows += [
        ["ORR, confirmed", *[rate_ci(eff["orr_confirmed"].get(k, {})) for k in keys]],
        ["ORR, unconfirmed", *[rate_ci(eff["orr_unconfirmed"].get(k, {})) for k in keys]],
        ["Disease control rate", *[rate_ci(eff["dcr"].get(k, {})) for k in keys]],
    ]
    blank = [""] * (len(keys) - 1)
    for name, key in (("DOR", "dor"), ("PFS", "pfs"), ("OS", "os")):
        rows.append([f"Median {name}, months (95% CI)", *blank, median_ci(eff[key])])
    for name, key in (("PFS", "pfs"), ("OS", "os")):
        if eff[key]:
            for at in eff[key]["at"]:
                rows.append(
                    [f"{name} at {at['months']} months (n at risk {at['n_at_risk']})", *blank,
                     survival_rate(at)]
                )  # fmt: skip
    ttr = eff["ttr_days"]
    rows.append(
        [
            "TTR among confirmed responders, days: median (range)",
            *blank,
            "–"
            if not ttr["n"]
            else f"{ttr['median']:g} ({ttr['min']:g}–{ttr['max']:g}), n={ttr['n']}",
        ]
    )
    return rows


def ae_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Treatment-related AEs by SOC and term: n (%) any grade and grade ≥3 per dose level."""
    keys = dose_columns(result)
    out = []
    for row in result["safety"]["trae"]["rows"]:
        cells = []
        for k in keys:
            c = row["by_dose"][k]
            share = f" ({100 * c['any'] / c['n']:.0f}%)" if c["n"] else ""
            cells += [f"{c['any']}{share}", str(c["grade_3_plus"])]
        label = "Any treatment-related AE" if row["soc"] is None else (row["term"] or row["soc"])
        kind = "total" if row["soc"] is None else ("soc" if row["term"] is None else "term")
        out.append({"label": label, "kind": kind, "cells": cells})
    return out


def ae_grade_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Treatment-related AEs by SOC and term, all dose levels: patients by worst grade 1-5."""
    out = []
    for row in result["safety"]["trae"]["rows"]:
        c = row["by_dose"]["all"]
        label = "Any treatment-related AE" if row["soc"] is None else (row["term"] or row["soc"])
        kind = "total" if row["soc"] is None else ("soc" if row["term"] is None else "term")
        cells = [str(c["by_worst_grade"][g]) for g in GRADES] + [str(c["any"])]
        out.append({"label": label, "kind": kind, "cells": cells})
    return out


def syndromes_without_events(result: dict[str, Any]) -> list[str]:
    """Syndromes no patient had an event graded for (e.g. CRES when ICANS is the scale in use)."""
    return [name for name, by in result["safety"]["syndromes"].items() if not by["all"]["any"]]


def grade_table(result: dict[str, Any]) -> list[list[str]]:
    """CRS / ICANS / CRES with at least one event: patients by worst grade, per dose level."""
    keys = dose_columns(result)
    rows = []
    empty = syndromes_without_events(result)
    for name, by_dose in result["safety"]["syndromes"].items():
        if name in empty:
            continue
        for k in keys:
            c = by_dose[k]
            rows.append([name, k, str(c["n"]), *[str(c["by_worst_grade"][g]) for g in GRADES],
                         str(c["any"])])  # fmt: skip
    return rows


def kinetics_table(result: dict[str, Any]) -> list[list[str]]:
    """Per matrix and dose level, NCA profiles only: Cmax, AUC0-28, AUClast geometric mean (CV%),
    Tmax median (range)."""
    rows = []
    for e in result["kinetics"]["by_dose_level"]:
        tmax = e["tmax"]
        rows.append(
            [
                e["matrix"],
                str(e["dose_level"]),
                str(e["n"]),
                geo(e["cmax"]),
                geo(e["auc_0_28"]),
                geo(e["auc_last"]),
                _days(tmax),
            ]
        )
    return rows


def _days(summary: dict[str, Any]) -> str:
    if summary["median"] is None:
        return "–"
    return f"{number(summary['median'])} ({number(summary['min'])}–{number(summary['max'])})"


def tumour_table(result: dict[str, Any]) -> list[list[str]]:
    """Per dose level, first post-infusion biopsy: n, n below LLOQ, level geometric mean (CV%),
    biopsy day median (range)."""
    return [
        [
            str(e["dose_level"]),
            str(e["n"]),
            str(e["n_below_lloq"]),
            geo(e["level"]),
            _days(e["biopsy_day"]),
        ]
        for e in result["kinetics"]["tumour"]["by_dose_level"]
    ]


def biopsy_text(biopsy: dict[str, Any]) -> str:
    """'day 28: 1,530' or 'day 28: <LLOQ (10)' for one tumour sample."""
    day = f"day {biopsy['study_day']:g}"
    if biopsy["below_lloq"]:
        return f"{day}: <LLOQ ({number(biopsy['lloq'])})"
    return f"{day}: {number(biopsy['copies_per_ug'])}"


def _spread(s: dict[str, Any], scale: float = 1.0, digits: int = 1) -> str:
    """'53.0 (40.0–75.0)' from a Spread, in ``scale`` units; '–' when nobody has a value."""
    if not s["n"]:
        return "–"
    lo, med, hi = (s[k] / scale for k in ("minimum", "median", "maximum"))
    return f"{med:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def _row(label: str, cells: list[str], kind: str = "") -> dict[str, Any]:
    return {"kind": kind, "label": label, "cells": cells}


def _category_rows(groups: list[dict[str, Any]], field: str, title: str) -> list[dict[str, Any]]:
    values: list[str] = []
    for g in groups:
        values += [c["value"] for c in g[field] if c["value"] not in values]
    rows = [_row(title, [""] * len(groups), "soc")]
    for value in values:
        cells = []
        for g in groups:
            hit = next((c for c in g[field] if c["value"] == value), None)
            cells.append(f"{hit['n']} ({hit['percent']:.0f}%)" if hit else "0")
        rows.append(_row(value, cells, "term"))
    return rows


def baseline_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """ICH E3 11.2: continuous variables as median (range), categories as n (%), per dose level."""
    groups = result["baseline"]["baseline"]
    return [
        _row("Patients", [str(g["n"]) for g in groups], "total"),
        _row("Age, years: median (range)", [_spread(g["age_years"], digits=0) for g in groups]),
        *_category_rows(groups, "sex", "Sex"),
        *_category_rows(groups, "ecog", "ECOG performance status"),
        *_category_rows(groups, "tumour_type", "Primary tumour"),
        _row(
            "HER2-positive tumour cells, %: median (range)",
            [_spread(g["her2_expression_pct"], digits=0) for g in groups],
        ),
        _row("Body weight, kg: median (range)", [_spread(g["weight_kg"]) for g in groups]),
    ]


def exposure_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """ICH E3 12.1: what was actually given, per dose level: cells/kg, total cells, chemotherapy."""
    groups = result["baseline"]["exposure"]
    rows = [
        _row(
            "Patients preconditioned / infused",
            [f"{g['n_preconditioned']} / {g['n_infused']}" for g in groups],
            "total",
        ),
        _row(
            "CAR-T cells, ×10⁶/kg: median (range)",
            [_spread(g["car_t_cells_per_kg"], 1e6) for g in groups],
        ),
        _row(
            "CAR-T cells in total, ×10⁸: median (range)",
            [_spread(g["car_t_total_cells"], 1e8, 2) for g in groups],
        ),
    ]
    products: list[str] = []
    for g in groups:
        products += [p for p in g["preconditioning"] if p not in products]
    for product in products:
        cells = [
            _spread(g["preconditioning"][product]) if product in g["preconditioning"] else "–"
            for g in groups
        ]
        rows.append(_row(f"{product}, per administration: median (range)", cells))
    return rows


def syndrome_course_table(result: dict[str, Any]) -> list[list[str]]:
    """Per syndrome and dose level: patients, episodes, onset day, duration, unresolved, and the
    patients given each managing medication."""
    return [
        [
            r["syndrome"],
            "All" if r["dose_level"] == "all" else f"DL{r['dose_level']}",
            str(r["n_patients"]),
            str(r["n_episodes"]),
            _spread(r["onset_day"], digits=0),
            _spread(r["duration_days"], digits=0),
            str(r["n_unresolved"]),
            ", ".join(f"{m} {n}" for m, n in sorted(r["patients_treated_with"].items())) or "none",
        ]
        for r in result["safety"]["syndrome_course"]["rows"]
    ]
