"""`hyposti demo`: the protocol's rules, their exact operating characteristics, and a whole trial.

The demo shows what the engine does end to end on NCT05681650: the escalation rules in force (and
the registry's literal reading beside them), the exact operating characteristics of the design
variants on the protocol's three dose levels, then a synthetic trial run through every rule,
analysed, and written as a report.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.paths import output_folder, staged_folder
from hyposti.cli.protocol import reading_panel
from hyposti.cli.tables import FoldingTable

if TYPE_CHECKING:
    from hyposti.analysis.efficacy import KmSummary
    from hyposti.analysis.trial import TrialAnalysis
    from hyposti.design import Design
    from hyposti.protocol import Protocol

# True DLT probabilities per dose level for the comparison. "Working priors" are the midpoints of
# the HER2 CAR-T priors in shared/reference/kinetics-and-biology.md (1e6/kg ~5%, 3e6/kg 10-20%,
# 1e7/kg 20-35%); the others bracket them: everything safe, toxicity from dose 2, all too toxic.
SCENARIOS: dict[str, tuple[float, float, float]] = {
    "working priors": (0.05, 0.15, 0.275),
    "all doses safe": (0.02, 0.05, 0.10),
    "toxic from dose 2": (0.10, 0.40, 0.60),
    "all doses toxic": (0.45, 0.60, 0.75),
}
# Model-based designs get the 3+3's largest possible sample (two cohorts per dose) and a target
# DLT rate of 0.25, a common phase I choice; the 3+3 itself has no explicit target.
COMPARISON_TARGET = 0.25
CRM_SKELETON = (0.05, 0.12, 0.25)


def comparison_designs(protocol: Protocol) -> dict[str, Design]:
    """The 3+3 readings of the protocol's MTD rule beside BOIN and CRM of the same maximum size."""
    from hyposti.design import build_design

    doses = protocol.num_doses
    cohort = protocol.design.cohort_size
    max_n = 2 * cohort * doses
    designs: dict[str, Design] = {
        f"3+3 {variant}": build_design("3+3", doses, variant=variant, cohort_size=cohort)
        for variant in ("conventional", "registry-literal", "escalation-only")
    }
    designs[f"BOIN {COMPARISON_TARGET}"] = build_design(
        "boin", doses, target=COMPARISON_TARGET, max_n=max_n, cohort_size=cohort
    )
    if doses == len(CRM_SKELETON):
        designs[f"CRM {COMPARISON_TARGET}"] = build_design(
            "crm",
            doses,
            target=COMPARISON_TARGET,
            skeleton=CRM_SKELETON,
            max_n=max_n,
            cohort_size=cohort,
        )
    return designs


def design_comparison(protocol: Protocol) -> list[dict[str, Any]]:
    """Exact P(select), E[N] and E[DLT] of each comparison design under each scenario."""
    from hyposti.design import exact_oc

    rows = []
    for scenario, true_tox in SCENARIOS.items():
        for name, design in comparison_designs(protocol).items():
            oc = exact_oc(design, true_tox[: protocol.num_doses])
            rows.append({"scenario": scenario, "design": name} | oc.to_dict())
    return rows


def _cohorts(result: TrialAnalysis) -> str:
    """'1:0/3 2:1/3 ...': each escalation cohort's dose, DLTs and patients."""
    cohorts = result.safety.escalation.cohorts
    return " ".join(f"{c.dose_level}:{c.n_dlt}/{c.n_patients}" for c in cohorts)


def _median(km: KmSummary | None) -> dict[str, object] | None:
    """The curve's n and median with its CI, as the analysis JSON has them."""
    if km is None:
        return None
    return {k: v for k, v in km.fit.as_dict().items() if k.startswith("median") or k == "n"}


def headline(result: TrialAnalysis) -> dict[str, Any]:
    """The numbers a committee asks for first, taken from the full analysis."""
    esc = result.safety.escalation
    eff = result.efficacy
    return {
        "escalation": _cohorts(result),
        "mtd": esc.mtd_declared,
        "rp2d": esc.rp2d_declared,
        "dlt_by_dose": {str(d.dose_level): d.rate.as_dict() for d in result.safety.dlt},
        "orr_confirmed": eff.orr_confirmed["all"].as_dict(),
        "pfs": _median(eff.pfs),
        "os": _median(eff.os),
    }


def _render(
    payload: dict[str, Any], result: TrialAnalysis, protocol: Protocol, console: Console
) -> None:
    from hyposti.design import protocol_dose_levels
    from hyposti.report.format import median_ci, rate_ci

    design = protocol.design
    console.rule(f"[b]{protocol.identifiers.nct_id}[/b] — dose-escalation rules in force")
    console.print(
        f"{design.method} ({design.variant}), cohorts of {design.cohort_size} from dose "
        f"{design.start_dose}; DLT window days {protocol.dlt.window_first_day}-"
        f"{protocol.dlt.window_last_day} after infusion."
    )
    if design.mtd_rule:
        console.print(reading_panel("MTD rule", design.mtd_rule))

    label = protocol_dose_levels(protocol).label
    console.print(
        "[b]Exact operating characteristics[/b] (dynamic programming, no Monte Carlo error): "
        "probability of each MTD selection, expected patients E[N] and DLTs E[DLT]."
    )
    for scenario in SCENARIOS:
        rows = [r for r in payload["design_comparison"] if r["scenario"] == scenario]
        tox = ", ".join(f"{p:.1%}" for p in rows[0]["true_tox"])
        table = FoldingTable(title=f"{scenario}: true DLT rates {tox}", title_justify="left")
        table.add_column("design")
        table.add_column("no MTD", justify="right")
        for dose in range(1, protocol.num_doses + 1):
            table.add_column(f"dose {dose}", justify="right")
        table.add_column("E[N]", justify="right")
        table.add_column("E[DLT]", justify="right")
        for row in rows:
            table.add_row(
                row["design"],
                *(f"{p:.1%}" for p in row["prob_select"]),
                f"{row['expected_n']:.1f}",
                f"{row['expected_dlt']:.2f}",
            )
        console.print(table)

    esc, eff = result.safety.escalation, result.efficacy
    console.rule(f"Synthetic trial, seed {payload['seed']} (every decision by the engines)")
    console.print(f"Cohorts (dose:DLTs/patients): {_cohorts(result)}")
    console.print(
        f"MTD: dose {esc.mtd_declared or 'none'}; RP2D: dose {esc.rp2d_declared or 'none'}"
    )
    for d in result.safety.dlt:
        console.print(f"  DLT at {label(d.dose_level)}: {rate_ci(d.rate)}")
    console.print(f"Confirmed ORR (RECIST 1.1): {rate_ci(eff.orr_confirmed['all'])}")
    pfs = median_ci(eff.pfs.fit.median if eff.pfs else None)
    os_ = median_ci(eff.os.fit.median if eff.os else None)
    console.print(f"Median PFS {pfs}; median OS {os_}")
    # Paths stay on one line so they can be copied (and found) whole.
    console.print(f"Dataset: {payload['dataset']}", soft_wrap=True)
    console.print(f"Report:  [b]{payload['report']}[/b]", soft_wrap=True)


def demo_command(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic trial.")] = 2023,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="New or empty folder for the dataset and the report."),
    ] = Path("hyposti-demo"),
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Write into a folder that holds files, replacing dataset/, report.html."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Rules in force, their exact operating characteristics, then a whole trial, reported.

    The synthetic trial is screened, dosed, escalated, graded and assessed by the engines,
    analysed, and written as a dataset and a self-contained HTML report.
    """
    from hyposti.analysis import analyze_trial
    from hyposti.data.dataset import write_dataset
    from hyposti.protocol import load_protocol
    from hyposti.report import render_html
    from hyposti.virtual.parameters import load_parameters
    from hyposti.virtual.tables import trial_dataset
    from hyposti.virtual.trial import simulate_trial

    output_folder("--output", output, force)
    protocol = load_protocol()
    trial = simulate_trial(seed, params=load_parameters(None), protocol=protocol)
    ds = trial_dataset(trial, dt.date.today())
    result = analyze_trial(ds, protocol)
    dataset, report = output / "dataset", output / "report.html"
    with staged_folder("--output", output) as staged:
        write_dataset(ds, staged / dataset.name, "parquet")
        html = render_html(result, ds, dt.date.today())
        (staged / report.name).write_text(html, encoding="utf-8")
    payload = {
        "protocol": protocol.identifiers.nct_id,
        "design": protocol.design.model_dump(mode="json"),
        "design_comparison": design_comparison(protocol),
        "seed": seed,
        "headline": headline(result),
        "dataset": str(dataset),
        "report": str(report),
    }
    emit(payload, as_json, lambda console: _render(payload, result, protocol, console))
