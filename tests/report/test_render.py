"""The report's tables and figures from the example trial's analysis."""

import datetime as dt
import re
from dataclasses import replace

import pandas as pd
import pytest

from hyposti.analysis import analyze_trial
from hyposti.analysis.baseline import Category
from hyposti.analysis.binomial import clopper_pearson
from hyposti.analysis.censoring import TimeToEvent
from hyposti.analysis.efficacy import PatientOutcome
from hyposti.analysis.expansion import (
    ExpansionPatient,
    ExpansionReview,
    MonitoringStatus,
    simon_status,
)
from hyposti.analysis.kinetics import geometric_summary
from hyposti.analysis.km import MedianEstimate
from hyposti.analysis.safety import DltAtDose, DltEvent, EscalationCohort
from hyposti.data.example import example_dataset
from hyposti.design.simon_two_stage import SimonDesign
from hyposti.report.figures import (
    escalation_figure,
    kinetics_figure,
    km_figure,
    swimmer_figure,
)
from hyposti.report.format import geo, median_ci, number, rate_and_ci, rate_ci
from hyposti.report.render import render_html
from hyposti.report.tables import (
    BOR_MEANINGS,
    baseline_table,
    dose_label,
    endpoint_table,
    grade_table,
    kinetics_table,
    syndromes_without_events,
    tumour_table,
)
from hyposti.response.records import Response


@pytest.fixture(scope="module")
def result():
    return analyze_trial(example_dataset())


def test_headline_rows(result):
    rows = {r[0]: r[1:] for r in endpoint_table(result)}
    assert rows["DLT (evaluable patients)"] == ["0/3", "1/3", "1/6"]
    assert rows["ORR, confirmed"][-1].startswith("2/6 (33.3%; 95% CI 4.3%–77.7%)")
    assert rows["Median OS, months (95% CI)"][-1].startswith("NR")
    assert dose_label(result, "2") == "DL2 (3×10⁶ cells/kg)"


def test_crs_and_icans_rows_are_counts_over_their_dose_level(result):
    # example AE table: CRS S01 grade 1, S03 grade 2 (DL1), S04 grade 2, S05 grade 3 (DL2);
    # ICANS (encephalopathy) S05 grade 1; 3 patients per dose level
    rows = {r[0]: r[1:] for r in endpoint_table(result)}
    assert rows["CRS, any grade"] == ["2/3", "2/3", "4/6"]
    assert rows["CRS, grade ≥3"] == ["0/3", "1/3", "1/6"]
    assert rows["ICANS, any grade"] == ["0/3", "1/3", "1/6"]
    assert rows["ICANS, grade ≥3"] == ["0/3", "0/3", "0/6"]


def test_dlt_rates_keep_a_decimal_so_a_lower_limit_above_zero_does_not_read_0(result):
    # example: DL2 1 DLT in 3 evaluable; Clopper-Pearson by hand: lower 1 - 0.975^(1/3) = 0.0084,
    # upper solves 3p^2 - 2p^3 = 0.975 (Beta(2, 2) cdf), p = 0.9057
    html = render_html(result, example_dataset())
    dlt_table = html.split("DLT rate (95% CI)")[1].split("</table>")[0]
    assert "33.3% (0.8–90.6%)" in dlt_table
    # DL1 0 of 3: upper 1 - 0.025^(1/3) = 0.7076
    assert "0.0% (0.0–70.8%)" in dlt_table
    assert rate_and_ci(clopper_pearson(0, 0)) == "–"


def test_every_best_response_code_is_explained_and_the_waterfall_says_whom_it_shows(result):
    # example: S01 PR, S02 SD, S03 CR, S04 SD, S05 PD; S06 has no post-baseline assessment
    html = render_html(result, example_dataset())
    efficacy = html.split('id="efficacy"')[1]
    legend = efficacy.split("</table>")[1].split("</div>")[0]
    assert "CR = complete response" in legend and "PD = progressive disease" in legend
    assert "MISSING = no tumour assessment counts towards best response" in legend
    assert "5 of 6 infused patients, those with a post-baseline target-lesion measurement" in html
    assert set(BOR_MEANINGS) == {code.value for code in Response}


def test_pdf_tables_and_captions_are_not_larger_than_the_text(result):
    from weasyprint import HTML

    # the print style sets the body to 11px; a table or caption in fixed px stayed at 13 / 12.5
    document = HTML(string=render_html(result, example_dataset())).render()
    sizes: dict[str, set[float]] = {}
    for page in document.pages:
        # weasyprint's laid-out boxes: what the PDF is drawn from, with the computed styles
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None:
                key = f"{element.tag}.{element.get('class') or ''}"
                sizes.setdefault(key, set()).add(box.style["font_size"])
    body = max(sizes["body."])
    assert body == 11.0
    assert max(sizes["td.num"] | sizes["th."] | sizes["div.caption"]) <= body


def test_expansion_says_it_stopped_when_simon_stage_one_stops_it(result):
    # protocol reading 1/10, 4/21: stop after 10 patients when at most 1 responds (Simon 1989);
    # toxicity monitoring with 1 DLT in 10 says 'continue' on its own line
    monitoring = MonitoringStatus(
        prior_a=0.5, prior_b=1.5, theta=0.33, threshold=0.9, stop_if_dlt_ge=(None,) * 10,
        evaluable=10, dlts=1, posterior=0.035, stop_now_if_dlt_ge=6, crossed_at_n=None,
        crossed_with_dlts=None, crossed_by=None, reason="1/10 DLTs: continue",
    )  # fmt: skip

    def page(responders: int, futility_stop: bool = True) -> str:
        patients = [
            ExpansionPatient(f"E{i}", dlt=i == 0, responder=i < responders) for i in range(10)
        ]
        simon = simon_status(SimonDesign(r1=1, n1=10, r=4, n=21), futility_stop, patients)
        expansion = ExpansionReview(patients=10, monitoring=monitoring, response=simon)
        return render_html(replace(result, expansion=expansion), example_dataset())

    assert "Expansion enrolment: stopped</b> — Simon stage 1 futility (1 of 10 responded)" in page(
        1
    )
    assert "Expansion enrolment: not stopped</b> — neither stopping rule has been met" in page(2)
    assert "Expansion enrolment: not stopped" in page(1, futility_stop=False)


def test_baseline_categories_keep_their_scale_order_across_dose_levels(result):
    # ECOG is ordinal (0 fully active < 1 < 2, Oken 1982): DL1 without ECOG 1 must not push it last
    def ecog(group_n: int, *values: tuple[str, int]) -> tuple[Category, ...]:
        return tuple(Category(v, n, 100.0 * n / group_n) for v, n in values)

    dl1, dl2, everyone = result.baseline.baseline
    groups = (
        replace(dl1, ecog=ecog(3, ("0", 2), ("2", 1))),
        replace(dl2, ecog=ecog(3, ("1", 3))),
        replace(everyone, ecog=ecog(6, ("0", 2), ("1", 3), ("2", 1))),
    )
    table = baseline_table(replace(result, baseline=replace(result.baseline, baseline=groups)))
    labels = [row.label for row in table]
    start = labels.index("ECOG performance status")
    assert labels[start + 1 : start + 4] == ["0", "1", "2"]
    assert [row.cells for row in table[start + 1 : start + 4]] == [
        ["2 (67%)", "0", "2 (33%)"],
        ["0", "3 (100%)", "3 (50%)"],
        ["1 (33%)", "0", "1 (17%)"],
    ]


def test_pdf_keeps_a_dlt_rate_and_its_interval_on_one_line(result):
    from weasyprint import HTML

    # a long DLT event list narrows the rate column; DL2: 1 DLT in 3, exact CI 0.8-90.6%
    events = tuple(
        DltEvent(f"S{i:03d}", "Immune effector cell-associated neurotoxicity syndrome", 3)
        for i in range(8)
    )
    dlt = tuple(replace(d, dlt_events=events) for d in result.safety.dlt)
    long = replace(result, safety=replace(result.safety, dlt=dlt))
    document = HTML(string=render_html(long, example_dataset())).render()
    texts = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()  # the laid-out line pieces of the PDF
        if getattr(box, "text", None)
    ]
    assert "33.3% (0.8–90.6%)" in texts


def test_formats():
    assert rate_ci(clopper_pearson(0, 0)) == "0/0" and rate_ci(None) == "0/0"
    assert median_ci(MedianEstimate(365.25, 182.625, None)) == "12.0 (6.0–NR) months"
    assert median_ci(None) == "no patients"


def test_km_figure_has_numbers_at_risk(result):
    svg = km_figure(result.efficacy.os.fit, "OS")
    assert svg.startswith("<svg") and "At risk" in svg
    assert 'href="http' not in svg  # namespaces only, nothing fetched


def test_dor_is_drawn_from_the_first_response_not_the_infusion(result):
    # DOR is measured from the first documented CR/PR (RECIST 1.1, Eisenhauer 2009)
    html = render_html(result, example_dataset())
    dor = html.split("Duration of response (confirmed responders)")[1].split("</svg>")[0]
    assert "Months from first confirmed response" in dor and "CAR-T infusion" not in dor
    pfs = html.split("Progression-free survival</h3>")[1].split("</svg>")[0]
    assert "Months from CAR-T infusion" in pfs


def test_tumour_biopsy_is_a_level_not_a_profile(result):
    # example: S04 (DL2) one tumour biopsy, day 14, 12,000 copies/ug
    assert [row[0] for row in kinetics_table(result)] == ["blood", "blood"]
    assert tumour_table(result) == [["2", "1", "0", "12,000 n=1", "14 (14–14)"]]
    html = render_html(result, example_dataset())
    assert "day 14: 12,000" in html and "level 0 assumed" not in html.split("Tumour biopsies")[1]


def test_kinetics_tables_name_their_units_and_dose_levels(result):
    # NCA of qPCR transgene levels: levels in copies/ug gDNA, AUCs over study days
    html = render_html(result, example_dataset())
    kinetics = html.split('id="kinetics"')[1]
    summary = kinetics.split("Non-compartmental analysis")[1].split("</table>")[0]
    assert "<th>Cmax, copies/ug</th>" in summary and "<th>AUClast, copies·day/ug</th>" in summary
    assert "<td>DL1</td>" in summary and "<td>1</td>" not in summary
    per_patient = kinetics.split("Per-patient NCA")[1].split("</table>")[0]
    assert "<th>Tmax, day</th>" in per_patient and "<th>Clast, copies/ug</th>" in per_patient
    assert "<td>DL2</td>" in per_patient


def test_geometric_cv_is_thousands_separated():
    # 10 and 1,000: geometric mean 100; log SD^2 = 2 ln(10)^2, CV = sqrt(exp(2 ln(10)^2) - 1)
    # = 200.71 (20,071%), the size of CV a tumour biopsy spanning 4 decades gives (seed 6)
    assert geo(geometric_summary(pd.Series([10.0, 1000.0]))) == "100 (20,071%) n=2"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (20683.2, "20,700"),  # AUC: 3 significant figures, thousands separated
        (1530.0, "1,530"),
        (999.6, "1,000"),
        (34.17, "34.2"),
        (14.0, "14"),
        (0.012345, "0.0123"),
        (0.0, "0"),
        (12_345_678.0, "12,300,000"),
        (None, "–"),
    ],
)
def test_kinetics_numbers_read_alike(value, text):
    assert number(value) == text


def patient(
    subject_id: str, dose_level: int, alive_until: float, response_day: float | None = None
) -> PatientOutcome:
    """A patient alive and without progression at ``alive_until``, responding on
    ``response_day`` (if given)."""
    censored = TimeToEvent(subject_id, alive_until, False, "alive")
    bor = "SD" if response_day is None else "PR"
    return PatientOutcome(
        subject_id=subject_id, dose_level=dose_level, infusion_date=dt.date(2025, 1, 1),
        bor_confirmed=bor, bor_confirmed_reason="", bor_unconfirmed=bor, best_pct_change=None,
        first_response_day=response_day, first_unconfirmed_response_day=response_day,
        progression_day=None, death_day=None, new_therapy_day=None,
        last_known_alive_day=alive_until, last_adequate_assessment_day=None, pfs=censored,
        os=censored, dor=None, time_points=(), data_quality_flags=(),
    )  # fmt: skip


def test_kinetics_axis_has_a_tick_over_long_follow_up():
    # P1 (DL1) sampled to day 800, P2 (DL2) to day 100: both panels on one scale, labelled
    # beyond day 180
    samples = pd.DataFrame(
        {
            "subject_id": ["P1"] * 5 + ["P2"] * 3,
            "matrix": ["blood"] * 8,
            "study_day": [0.0, 7.0, 28.0, 180.0, 800.0, 0.0, 14.0, 100.0],
            "copies_per_ug": [0.0, 5000.0, 800.0, 90.0, 20.0, 0.0, 3000.0, 50.0],
            "lloq": [10.0] * 8,
        }
    )
    svg = kinetics_figure(samples, pd.Series({"P1": 1, "P2": 2}), "blood")
    ticks = re.findall(r"<text[^>]*>(\d+)</text>", svg)
    assert ticks.count("730") == 2 and ticks.count("180") == 2 and ticks.count("28") == 2


def test_swimmer_legend_names_the_dose_level_colours():
    # 61 patients: no per-row tick labels, so "DL1"/"DL3" can only come from the legend
    patients = [patient(f"P{i}", 1 + 2 * (i % 2), 30.0 + i) for i in range(61)]
    svg = swimmer_figure(patients)
    assert "DL1 (bar colour)" in svg and "DL3 (bar colour)" in svg and "DL2" not in svg


def test_syndromes_without_any_event_are_named_not_tabulated(result):
    # example AE table: CRS in S01, S03, S04, S05; ICANS in S05; nothing graded on CARTOX CRES
    assert syndromes_without_events(result) == ["CRES"]
    rows = grade_table(result)
    assert {r[0] for r in rows} == {"CRS", "ICANS"}
    # CRS worst grades S01 1, S03 2, S04 2, S05 3 (S01-S03 at DL1, S04-S06 at DL2)
    assert ["CRS", "All", "6", "1", "2", "1", "0", "0", "4"] in rows
    assert ["CRS", "DL1", "3", "1", "1", "0", "0", "0", "2"] in rows


def test_legends_name_only_what_the_figure_shows():
    # nobody progressed, died or started new therapy: those marks must not be in the legend
    svg = swimmer_figure([patient("P1", 1, 200.0, response_day=60.0)])
    assert "Confirmed response" in svg and "Alive at cut-off" in svg
    assert "Progression" not in svg and "Death" not in svg and "New therapy" not in svg


def test_escalation_figure_marks_each_patient_and_counts_the_expansion():
    cohorts = [
        EscalationCohort(i, level, n, k, None, None, None, None)
        for i, (level, n, k) in enumerate([(1, 3, 0), (2, 3, 1), (2, 3, 0)], start=1)
    ]
    # DL2: 6 escalation patients with 1 DLT, 16 evaluable in all with 3 DLTs -> expansion 10, 2
    dlt = [
        DltAtDose(level, n, n, k, clopper_pearson(k, n), (), ())
        for level, n, k in [(1, 3, 0), (2, 16, 3)]
    ]
    svg = escalation_figure(cohorts, dlt)
    assert "10 pts" in svg and "2 DLT" in svg and "Expansion" in svg
    assert "DL3" not in svg and "DL1" in svg and "No DLT" in svg


def test_synthetic_data_is_labelled_on_every_page(result):
    html = render_html(result, example_dataset())
    assert "SYNTHETIC DATA" not in html  # the example dataset records no data source
    synthetic = replace(result, study=replace(result.study, data_source="synthetic"))
    html = render_html(synthetic, example_dataset())
    # once in the page banner, once in the PDF's running header (@top-right on every page)
    assert html.count("SYNTHETIC DATA — not trial results") == 2
    assert "target-counter(attr(href), page)" in html and 'href="#baseline"' in html


def test_expansion_rules_show_the_boundary_and_where_the_trial_stands(result):
    monitoring = MonitoringStatus(
        prior_a=0.5, prior_b=1.5, theta=0.33, threshold=0.9, stop_if_dlt_ge=(None, None, 3, 4),
        evaluable=3, dlts=3, posterior=0.95, stop_now_if_dlt_ge=3, crossed_at_n=3,
        crossed_with_dlts=3, crossed_by="S09", reason="boundary crossed by S09: stop",
    )  # fmt: skip
    expansion = ExpansionReview(patients=4, monitoring=monitoring, response=None)
    html = render_html(replace(result, expansion=expansion), example_dataset())
    assert (
        'href="#expansion"' in html and "Boundary crossed</b> at evaluable patient 3 (S09)" in html
    )
    # the current column of the boundary table is highlighted: n = 3, stop at >= 3 DLTs
    assert '<td class="num here">3</td>' in html
    assert "Expansion: stopping rules" not in render_html(replace(result, expansion=None),
                                                          example_dataset())  # fmt: skip
