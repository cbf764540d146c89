"""The report's tables as rows of text, built only from the result of ``analyze_trial``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hyposti.report.format import geo, median_ci, number, rate_ci, survival_rate

if TYPE_CHECKING:
    from hyposti.analysis.baseline import BaselineGroup, Category, MedianRange, Spread
    from hyposti.analysis.efficacy import KmSummary
    from hyposti.analysis.expansion import ExpansionReview
    from hyposti.analysis.kinetics import Biopsy
    from hyposti.analysis.safety import GradeCounts, IncidenceRow
    from hyposti.analysis.trial import TrialAnalysis

GRADES = ("1", "2", "3", "4", "5")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True, slots=True)
class TableRow:
    """A labelled row of a report table; ``kind`` styles it (total, soc, term or plain)."""

    label: str
    cells: list[str]
    kind: str = ""


def dose_columns(result: TrialAnalysis) -> list[str]:
    return list(result.safety.trae.dose_levels)


def dose_label(result: TrialAnalysis, key: str) -> str:
    if key == "all":
        return "All"
    level = result.study.dose_levels.get(key)
    if not level:
        return f"DL{key}"
    mantissa, exponent = f"{level.cells_per_kg:.0e}".split("e")
    power = str(int(exponent)).translate(_SUPERSCRIPT)
    return f"DL{key} ({mantissa}×10{power} cells/kg)"


def _median(km: KmSummary | None) -> str:
    return median_ci(None if km is None else km.fit.median)


def endpoint_table(result: TrialAnalysis) -> list[list[str]]:
    """Headline endpoints, one row each, one column per dose level and overall."""
    keys = dose_columns(result)
    safety, eff = result.safety, result.efficacy
    trae = safety.trae.rows[0].by_dose
    dlt = {str(d.dose_level): d for d in safety.dlt}
    dlt_count = sum(d.n_dlt for d in safety.dlt)
    dlt_n = sum(d.n_evaluable for d in safety.dlt)

    def count(c: GradeCounts, grade_3_plus: bool = False) -> str:
        return f"{c.grade_3_plus if grade_3_plus else c.any}/{c.n}" if c.n else "0/0"

    rows = [
        ["Treatment-related AE, any grade", *[count(trae[k]) for k in keys]],
        ["Treatment-related AE, grade ≥3", *[count(trae[k], grade_3_plus=True) for k in keys]],
    ]
    # one count per row, over its denominator: "9 / 1" beside "16/16" read as a fraction
    for name in ("CRS", "ICANS"):
        syn = safety.syndromes[name]
        rows += [
            [f"{name}, any grade", *[count(syn[k]) for k in keys]],
            [f"{name}, grade ≥3", *[count(syn[k], grade_3_plus=True) for k in keys]],
        ]
    rows.append(
        [
            "DLT (evaluable patients)",
            *[
                (f"{dlt[k].n_dlt}/{dlt[k].n_evaluable}" if k in dlt else "–")
                if k != "all"
                else f"{dlt_count}/{dlt_n}"
                for k in keys
            ],
        ]
    )
    rows += [
        ["ORR, confirmed", *[rate_ci(eff.orr_confirmed.get(k)) for k in keys]],
        ["ORR, unconfirmed", *[rate_ci(eff.orr_unconfirmed.get(k)) for k in keys]],
        ["Disease control rate", *[rate_ci(eff.dcr.get(k)) for k in keys]],
    ]
    blank = [""] * (len(keys) - 1)
    for name, km in (("DOR", eff.dor), ("PFS", eff.pfs), ("OS", eff.os)):
        rows.append([f"Median {name}, months (95% CI)", *blank, _median(km)])
    for name, km in (("PFS", eff.pfs), ("OS", eff.os)):
        if km:
            for at in km.at:
                rows.append(
                    [f"{name} at {at.months} months (n at risk {at.estimate.n_at_risk})", *blank,
                     survival_rate(at.estimate)]
                )  # fmt: skip
    ttr = eff.ttr_days
    rows.append(
        [
            "TTR among confirmed responders, days: median (range)",
            *blank,
            "–" if not ttr.n else f"{ttr.median:g} ({ttr.min:g}–{ttr.max:g}), n={ttr.n}",
        ]
    )
    return rows


# RECIST 1.1 (Eisenhauer 2009, section 4.3) and iRECIST (Seymour 2017, Lancet Oncol 18:e143)
BOR_MEANINGS = {
    "CR": "complete response",
    "PR": "partial response",
    "SD": "stable disease",
    "NON-CR/NON-PD": "non-CR/non-PD (non-target disease only)",
    "PD": "progressive disease",
    "NE": "not evaluable",
    "iCR": "immune complete response",
    "iPR": "immune partial response",
    "iSD": "immune stable disease",
    "iNON-CR/NON-PD": "immune non-CR/non-PD",
    "iUPD": "immune unconfirmed progression",
    "iCPD": "immune confirmed progression",
    "MISSING": "no tumour assessment counts towards best response (e.g. death or withdrawal "
    "before the first post-baseline scan)",
}


def bor_legend(codes: Iterable[str]) -> str:
    """'CR = complete response; MISSING = no tumour assessment ...' for the codes a table shows:
    a committee must not have to guess what a column headed MISSING counts."""
    return "; ".join(f"{code} = {BOR_MEANINGS[code]}" for code in codes)


def expansion_stops(expansion: ExpansionReview) -> list[str]:
    """The stopping rules that have fired, in words; empty while enrolment may go on.

    Each rule's own line says only its reading ('continue' under toxicity monitoring): without
    this summary a committee can read 'continue' where Simon's stage 1 has stopped enrolment."""
    m, simon = expansion.monitoring, expansion.response
    stops = []
    if m.crossed_at_n:
        stops.append(f"toxicity monitoring boundary crossed at evaluable patient {m.crossed_at_n}")
    if simon is not None and simon.stopped_after_stage_one:
        stops.append(
            f"Simon stage 1 futility ({simon.stage_one_responders} of {simon.design.n1} responded)"
        )
    return stops


def _ae_label(row: IncidenceRow) -> tuple[str, str]:
    """The row's label and kind (total, soc or term) in an AE table."""
    if row.soc is None:
        return "Any treatment-related AE", "total"
    if row.term is None:
        return row.soc, "soc"
    return row.term, "term"


def ae_table(result: TrialAnalysis) -> list[TableRow]:
    """Treatment-related AEs by SOC and term: n (%) any grade and grade ≥3 per dose level."""
    keys = dose_columns(result)
    out = []
    for row in result.safety.trae.rows:
        cells = []
        for k in keys:
            c = row.by_dose[k]
            share = f" ({100 * c.any / c.n:.0f}%)" if c.n else ""
            cells += [f"{c.any}{share}", str(c.grade_3_plus)]
        label, kind = _ae_label(row)
        out.append(TableRow(label, cells, kind))
    return out


def ae_grade_table(result: TrialAnalysis) -> list[TableRow]:
    """Treatment-related AEs by SOC and term, all dose levels: patients by worst grade 1-5."""
    out = []
    for row in result.safety.trae.rows:
        c = row.by_dose["all"]
        label, kind = _ae_label(row)
        cells = [str(c.by_worst_grade[g]) for g in GRADES] + [str(c.any)]
        out.append(TableRow(label, cells, kind))
    return out


def syndromes_without_events(result: TrialAnalysis) -> list[str]:
    """Syndromes no patient had an event graded for (e.g. CRES when ICANS is the scale in use)."""
    return [name for name, by in result.safety.syndromes.items() if not by["all"].any]


def grade_table(result: TrialAnalysis) -> list[list[str]]:
    """CRS / ICANS / CRES with at least one event: patients by worst grade, per dose level."""
    keys = dose_columns(result)
    rows = []
    empty = syndromes_without_events(result)
    for name, by_dose in result.safety.syndromes.items():
        if name in empty:
            continue
        for k in keys:
            c = by_dose[k]
            level = "All" if k == "all" else f"DL{k}"  # as the onset/duration table beside it
            rows.append([name, level, str(c.n), *[str(c.by_worst_grade[g]) for g in GRADES],
                         str(c.any)])  # fmt: skip
    return rows


def kinetics_table(result: TrialAnalysis) -> list[list[str]]:
    """Per matrix and dose level, NCA profiles only: Cmax, AUC0-28, AUClast geometric mean (CV%),
    Tmax median (range)."""
    return [
        [
            e.matrix,
            str(e.dose_level),
            str(e.n),
            geo(e.cmax),
            geo(e.auc_0_28),
            geo(e.auc_last),
            _days(e.tmax),
        ]
        for e in result.kinetics.by_dose_level
    ]


def _days(summary: MedianRange) -> str:
    if summary.median is None or summary.min is None or summary.max is None:
        return "–"
    return f"{number(summary.median)} ({number(summary.min)}–{number(summary.max)})"


def tumour_table(result: TrialAnalysis) -> list[list[str]]:
    """Per dose level, first post-infusion biopsy: n, n below LLOQ, level geometric mean (CV%),
    biopsy day median (range)."""
    return [
        [str(e.dose_level), str(e.n), str(e.n_below_lloq), geo(e.level), _days(e.biopsy_day)]
        for e in result.kinetics.tumour.by_dose_level
    ]


def biopsy_text(biopsy: Biopsy) -> str:
    """'day 28: 1,530' or 'day 28: <LLOQ (10)' for one tumour sample."""
    day = f"day {biopsy.study_day:g}"
    if biopsy.below_lloq:
        return f"{day}: <LLOQ ({number(biopsy.lloq)})"
    return f"{day}: {number(biopsy.copies_per_ug)}"


def _spread(s: Spread, scale: float = 1.0, digits: int = 1) -> str:
    """'53.0 (40.0–75.0)' from a Spread, in ``scale`` units; '–' when nobody has a value."""
    if s.median is None or s.minimum is None or s.maximum is None:
        return "–"
    lo, med, hi = (v / scale for v in (s.minimum, s.median, s.maximum))
    return f"{med:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def _category_rows(
    groups: Sequence[BaselineGroup],
    categories: Callable[[BaselineGroup], tuple[Category, ...]],
    title: str,
) -> list[TableRow]:
    # rows in the order of the last group, all patients, which holds every value in the
    # analysis's order (ECOG 0, 1, 2; the others most frequent first): a dose level's own first
    # appearances printed ECOG as 0, 2, 1 when the first dose level had no ECOG 1
    values: list[str] = []
    for g in reversed(groups):
        values += [c.value for c in categories(g) if c.value not in values]
    rows = [TableRow(title, [""] * len(groups), "soc")]
    for value in values:
        cells = []
        for g in groups:
            hit = next((c for c in categories(g) if c.value == value), None)
            cells.append(f"{hit.n} ({hit.percent:.0f}%)" if hit else "0")
        rows.append(TableRow(value, cells, "term"))
    return rows


def baseline_table(result: TrialAnalysis) -> list[TableRow]:
    """ICH E3 11.2: continuous variables as median (range), categories as n (%), per dose level."""
    groups = result.baseline.baseline
    return [
        TableRow("Patients", [str(g.n) for g in groups], "total"),
        TableRow("Age, years: median (range)", [_spread(g.age_years, digits=0) for g in groups]),
        *_category_rows(groups, lambda g: g.sex, "Sex"),
        *_category_rows(groups, lambda g: g.ecog, "ECOG performance status"),
        *_category_rows(groups, lambda g: g.tumour_type, "Primary tumour"),
        TableRow(
            "HER2-positive tumour cells, %: median (range)",
            [_spread(g.her2_expression_pct, digits=0) for g in groups],
        ),
        TableRow("Body weight, kg: median (range)", [_spread(g.weight_kg) for g in groups]),
    ]


def exposure_table(result: TrialAnalysis) -> list[TableRow]:
    """ICH E3 12.1: what was actually given, per dose level: cells/kg, total cells, chemotherapy."""
    groups = result.baseline.exposure
    rows = [
        TableRow(
            "Patients preconditioned / infused",
            [f"{g.n_preconditioned} / {g.n_infused}" for g in groups],
            "total",
        ),
        TableRow(
            "CAR-T cells, ×10⁶/kg: median (range)",
            [_spread(g.car_t_cells_per_kg, 1e6) for g in groups],
        ),
        TableRow(
            "CAR-T cells in total, ×10⁸: median (range)",
            [_spread(g.car_t_total_cells, 1e8, 2) for g in groups],
        ),
    ]
    products: list[str] = []
    for g in groups:
        products += [p for p in g.preconditioning if p not in products]
    for product in products:
        cells = [
            _spread(g.preconditioning[product]) if product in g.preconditioning else "–"
            for g in groups
        ]
        rows.append(TableRow(f"{product}, per administration: median (range)", cells))
    return rows


def syndrome_course_table(result: TrialAnalysis) -> list[list[str]]:
    """Per syndrome and dose level: patients, episodes, onset day, duration, unresolved, and the
    patients given each managing medication."""
    return [
        [
            r.syndrome,
            "All" if r.dose_level == "all" else f"DL{r.dose_level}",
            str(r.n_patients),
            str(r.n_episodes),
            _spread(r.onset_day, digits=0),
            _spread(r.duration_days, digits=0),
            str(r.n_unresolved),
            ", ".join(f"{m} {n}" for m, n in sorted(r.patients_treated_with.items())) or "none",
        ]
        for r in result.syndrome_course.rows
    ]
