"""`hyposti twin run|compare`: the in-silico twin's whole trials, sweeps on Dask, arm comparison.

The twin's modules import scipy and the sweep imports Dask: both load inside the commands so that
`hyposti` itself starts fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.output import emit, error_console
from hyposti.cli.tables import FoldingTable
from hyposti.errors import InputError

app = typer.Typer(
    help="In-silico twin: mechanistic patients (hypoxia-gated CAR) through the protocol's rules.",
    no_args_is_help=True,
)

RATES = ("orr", "pfs_6m", "crs_grade3plus", "dlt")


def _cell(value: float | None, se: float | None) -> str:
    return "-" if value is None else f"{value:.3f} ± {se:.3f}"


def render_sweep(results: list[dict[str, Any]], console: Console) -> None:
    from hyposti.twin.sweep import scenario_title

    for r in results:
        table = FoldingTable(
            title=f"{scenario_title(r)}, {r['trials']} trials: P(no MTD) {r['p_no_mtd']:.3f} ± "
            f"{r['p_no_mtd_se']:.3f}, mean patients {r['mean_patients']:.1f}"
        )
        for col in ("dose", "P(select)", "mean n", "ORR", "PFS 6 mo", "CRS >= 3", "DLT"):
            table.add_column(col, justify="right")
        for d in r["doses"]:
            table.add_row(
                str(d["dose_level"]),
                _cell(d["p_select"], d["p_select_se"]),
                f"{d['mean_patients']:.2f}",
                *(_cell(d[k], d[f"{k}_se"]) for k in RATES),
            )
        console.print(table)
        if "expansion" in r:
            e = r["expansion"]
            fired = ", ".join(
                f"{rule.replace('_', ' ')} {_cell(v['p'], v['se'])}"
                for rule, v in e["rules"].items()
            )
            console.print(
                f"Expansion stopped early: {_cell(e['p_stopped'], e['p_stopped_se'])} "
                f"(rules fired: {fired})"
            )
    console.print("Each figure ± its Monte Carlo standard error.")


def _client(scheduler: str | None, workers: int) -> Any:
    """A Dask client: the given scheduler, else a local cluster of ``workers`` processes."""
    try:
        from distributed import Client

        from hyposti.twin.sweep import local_cluster
    except ImportError:
        raise InputError(
            "--workers", workers, "needs Dask: pip install 'hyposti[twin]', or run --workers 0"
        ) from None

    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (ValueError, TypeError, OSError) as exc:  # a bad address or no scheduler there
            raise InputError(
                "--scheduler", scheduler, f"must be the address of a running Dask scheduler ({exc})"
            ) from None
    return Client(local_cluster(workers))


def run_command(
    trials: Annotated[int, typer.Option("--trials", help="Whole trials per scenario.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed, the same OC.")],
    protocol: Annotated[
        Path | None, typer.Option("--protocol", help="Protocol YAML (default: NCT05681650).")
    ] = None,
    patients: Annotated[
        int | None,
        typer.Option("--patients", help="Total infused per trial; default: the protocol's."),
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Scenario grid YAML (scenarios: [{name, gated, overrides}]); "
            "default: the gated CAR and the conventional CAR.",
        ),
    ] = None,
    params: Annotated[
        Path | None, typer.Option("--params", help="Twin parameter YAML (default: shipped).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of a running Dask scheduler.")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Local Dask workers (0: run in this process).")
    ] = 1,
    dataset: Annotated[
        Path | None,
        typer.Option("--dataset", help="Also write the first scenario's first trial here."),
    ] = None,
    expansion_rules: Annotated[
        bool,
        typer.Option(
            "--expansion-rules",
            help="Stop the expansion where the protocol's rules say, and count how often each "
            "rule fired (default: the whole expansion is enrolled).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Whole twin trials through the protocol's design: operating characteristics per dose
    (selection, ORR, 6-month PFS, CRS >= 3, DLT), each with its Monte Carlo SE; with
    --expansion-rules, also how often the expansion stopped."""
    from rich.progress import Progress

    from hyposti.data import write_dataset
    from hyposti.protocol import load_protocol
    from hyposti.twin.parameters import load_twin_parameters
    from hyposti.twin.sweep import Scenario, load_scenarios, sweep, trial_seed
    from hyposti.twin.trial import simulate_twin_trial, twin_model
    from hyposti.virtual.parameters import load_parameters
    from hyposti.virtual.tables import trial_dataset
    from hyposti.virtual.trial import cyclic_gc_paused

    cores = os.cpu_count() or 1
    if not 0 <= workers <= cores:
        raise InputError("--workers", workers, f"must be 0..{cores} (this machine's CPU cores)")
    spec = load_protocol(protocol)
    biology = load_twin_parameters(params)
    clinic = load_parameters()
    grid = (
        load_scenarios(scenario)
        if scenario
        else [Scenario("gated CAR", True), Scenario("conventional CAR", False)]
    )
    client = _client(scheduler, workers) if scheduler or workers else None
    try:
        # Without Dask the trials run here: this command is the edge that pauses the collector.
        status = Progress(console=error_console, transient=True, disable=as_json)
        with cyclic_gc_paused(), status as bar:
            task = bar.add_task("twin trials", total=None)
            results = sweep(
                grid, biology, clinic, spec, trials, seed, patients, client,
                lambda done, total: bar.update(task, completed=done, total=total),
                expansion_rules,
            )  # fmt: skip
    finally:
        if client is not None:
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
    payload: dict[str, Any] = {
        "seed": seed,
        "protocol": spec.identifiers.nct_id,
        # The doses travel with the results: `twin report --trials` labels them from here, not
        # from whichever protocol the report is drawn against.
        "dose_levels": [
            {"level": d.level, "cells_per_kg": d.cells_per_kg}
            for d in spec.investigational_product.dose_levels
        ],
        "results": results,
    }
    if dataset is not None:
        first = grid[0]
        model = twin_model(biology.with_values(first.overrides), clinic, first.gated)
        trial = simulate_twin_trial(trial_seed(seed, 0), model, spec, patients, expansion_rules)
        payload["dataset"] = str(write_dataset(trial_dataset(trial), dataset, "parquet"))
    emit(payload, as_json, lambda console: render_sweep(results, console))


def compare_command(
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    patients: Annotated[
        int, typer.Option("--patients", help="Patients per dose level and arm.")
    ] = 60,
    protocol: Annotated[
        Path | None, typer.Option("--protocol", help="Protocol YAML (default: NCT05681650).")
    ] = None,
    params: Annotated[
        Path | None, typer.Option("--params", help="Twin parameter YAML (default: shipped).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Gated vs conventional CAR at each protocol dose: the same patients, side by side."""
    from hyposti.protocol import load_protocol
    from hyposti.twin.compare import ARMS, compare_arms
    from hyposti.twin.parameters import load_twin_parameters
    from hyposti.twin.trial import twin_model
    from hyposti.virtual.parameters import load_parameters

    spec = load_protocol(protocol)
    biology, clinic = load_twin_parameters(params), load_parameters()
    models = {arm: twin_model(biology, clinic, gated) for arm, gated in ARMS}
    rows = compare_arms(seed, models, spec, patients)

    def render(console: Console) -> None:
        table = FoldingTable(
            title=f"Gated vs conventional CAR, {patients} patients per cell, seed {seed}"
        )
        for col in ("dose", "arm", "ORR", "PFS 6 mo", "CRS >= 3", "DLT"):
            table.add_column(col, justify="right")
        for r in rows:
            table.add_row(
                str(r["dose_level"]), r["arm"], *(_cell(r[k], r[f"{k}_se"]) for k in RATES)
            )
        console.print(table)
        console.print("Each rate ± its binomial standard error.")

    emit({"seed": seed, "patients_per_cell": patients, "rows": rows}, as_json, render)


def calibrate_command(
    patients: Annotated[
        int, typer.Option("--patients", help="Virtual patients per clinical fit.")
    ] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Common random numbers seed.")] = 2018,
    params: Annotated[
        Path | None, typer.Option("--params", help="Twin parameter YAML (default: shipped).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Fit the kinetics to Stein 2019 (Cmax median and spread, AUC0-28), then the kill and
    Gompertz rates to Feng 2018 (ORR 1/11, median PFS 4.8 months) with the fitted kinetics."""
    from hyposti.protocol import load_protocol
    from hyposti.twin.calibration import calibrate
    from hyposti.twin.kinetic_calibration import calibrate_kinetics, with_kinetic_fit
    from hyposti.twin.parameters import load_twin_parameters
    from hyposti.virtual.parameters import load_parameters

    biology = load_twin_parameters(params)
    kinetics = calibrate_kinetics(biology)
    fitted = with_kinetic_fit(biology, *kinetics["fitted"].values())
    clinical = calibrate(fitted, load_parameters(), load_protocol(), None, patients, seed)
    result = {"kinetics": kinetics, "clinical": clinical}

    def render(console: Console) -> None:
        k, kt = kinetics["fit"], kinetics["target"]
        table = FoldingTable(title=f"Kinetics: calibration to {kt['source']}")
        for col in ("figure", "target", "twin (reference CAR)"):
            table.add_column(col, justify="right")
        for label, key, unit, digits in (
            ("Cmax median", "cmax", "copies/ug", 0),
            ("AUC0-28 median", "auc_0_28", "copies*d/ug", 0),
            ("Tmax median", "tmax", "d", 2),
        ):
            name = "tmax_median_days" if key == "tmax" else f"{key}_median"
            table.add_row(f"{label}, {unit}", f"{kt[name]:,.{digits}f}", f"{k[name]:,.{digits}f}")
        for label, key in (("Cmax log SD", "cmax"), ("Tmax log SD", "tmax")):
            table.add_row(label, f"{kt[f'{key}_log_sd']:.3f}", f"{k[f'{key}_log_sd']:.3f}")
        console.print(table)
        table = FoldingTable(title=f"Clinical: calibration to {clinical['target']['source']}")
        for col in ("figure", "target", "twin"):
            table.add_column(col, justify="right")
        fit, target = clinical["fit"], clinical["target"]
        table.add_row("ORR", f"{target['orr']:.3f}", _cell(fit["orr"], fit["orr_se"]))
        table.add_row(
            f"progression-free at {target['median_pfs_days']:.0f} d",
            "0.500",
            _cell(fit["pfs_free_at_target_median"], fit["pfs_free_se"]),
        )
        console.print(table)
        values = kinetics["fitted"] | clinical["fitted"]
        console.print(", ".join(f"{k} = {v:.4g}" for k, v in values.items()))

    emit(result, as_json, render)


def sensitivity_command(
    dose: Annotated[float, typer.Option("--dose", help="Cells/kg.")] = 1e7,
    patients: Annotated[int, typer.Option("--patients", help="Patients per grid point.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Common random numbers seed.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """CRS >= 3 and ORR as the gate's fold change, threshold and leak vary one at a time."""
    from hyposti.protocol import load_protocol
    from hyposti.twin.calibration import gate_sensitivity
    from hyposti.twin.parameters import load_twin_parameters
    from hyposti.virtual.parameters import load_parameters

    if dose <= 0:
        raise InputError("--dose", dose, "must be positive cells/kg")
    result = gate_sensitivity(
        load_twin_parameters(), load_parameters(), load_protocol(), dose, patients, seed
    )

    def render(console: Console) -> None:
        for name, rows in result.items():
            table = FoldingTable(title=f"{name} at {dose:.3g} cells/kg ({patients} patients each)")
            for col in ("value", "CRS >= 3", "ORR"):
                table.add_column(col, justify="right")
            for r in rows:
                table.add_row(
                    f"{r['value']:g}",
                    _cell(r["crs_grade3plus"], r["crs_grade3plus_se"]),
                    _cell(r["orr"], r["orr_se"]),
                )
            console.print(table)

    emit({"dose_cells_per_kg": dose, "patients": patients, "seed": seed} | result, as_json, render)


def report_command(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="HTML file to write (must end in .html).")
    ] = Path("twin-report.html"),
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (other than the fits' 2018 and 2019).")
    ] = 1,
    patients: Annotated[
        int, typer.Option("--patients", help="Patients per dose and arm in the comparison.")
    ] = 200,
    results: Annotated[
        Path | None, typer.Option("--results", help="Also write the figures shown as JSON here.")
    ] = None,
    trials: Annotated[
        Path | None,
        typer.Option(
            "--trials",
            help="JSON that `hyposti twin run --json` printed: adds whole trials through the "
            "protocol's design (selection, harm and efficacy per dose, plots).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the HTML (and JSON) if they exist.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """The twin's report: calibration against Stein 2019 and Feng 2018 (fit vs target, plots),
    kinetics curves, gated vs conventional CAR at the protocol's doses (CRS >= 3, DLT, ORR, PFS
    with Monte Carlo SEs) and, with --trials, whole trials' operating characteristics."""
    import datetime as dt
    import json

    from hyposti.cli.paths import output_file, staged_file
    from hyposti.protocol import load_protocol
    from hyposti.report.twin import read_twin_run, write_twin_report
    from hyposti.twin.evidence import twin_evidence
    from hyposti.twin.parameters import load_twin_parameters
    from hyposti.twin.sweep import check_seed
    from hyposti.virtual.parameters import load_parameters

    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError("--output", str(output), "must end in .html")
    output_file("--output", output, force)
    if results is not None:
        output_file("--results", results, force)
    check_seed(seed)
    run = None if trials is None else read_twin_run("--trials", trials)  # before minutes of work
    spec = load_protocol()
    evidence = twin_evidence(load_twin_parameters(), load_parameters(), spec, seed, patients)
    payload = evidence.to_dict()
    with staged_file("--output", output) as staged:
        write_twin_report(payload, spec, staged, generated_on=dt.date.today(), trials=run)
    written = {"html": str(output)}
    if results is not None:
        with staged_file("--results", results) as staged:
            staged.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        written["results"] = str(results)
    emit(written, as_json, lambda c: c.print("wrote " + ", ".join(written.values())))


app.command("run")(run_command)
app.command("compare")(compare_command)
app.command("calibrate")(calibrate_command)
app.command("sensitivity")(sensitivity_command)
app.command("report")(report_command)
