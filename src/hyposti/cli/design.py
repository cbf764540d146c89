"""`hyposti design decide|boundaries|oc|paths|simon|monitor`: dose-finding and expansion designs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.tree import Tree

from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.errors import InputError

if TYPE_CHECKING:
    from hyposti.design import Design, DoseLevels

app = typer.Typer(
    help="Dose-finding designs: next-dose decisions, BOIN boundaries, operating characteristics, "
    "dose paths.",
    no_args_is_help=True,
)

DesignOpt = Annotated[
    str | None,
    typer.Option("--design", help="3+3, boin or crm (default: the protocol's design)."),
]
VariantOpt = Annotated[
    str | None,
    typer.Option("--variant", help="3+3 only: conventional, registry-literal or escalation-only."),
]
TargetOpt = Annotated[
    float | None, typer.Option("--target", help="BOIN/CRM: target DLT probability.")
]
SkeletonOpt = Annotated[
    str | None, typer.Option("--skeleton", help="CRM: prior DLT probability per dose, 0.05,0.1,...")
]
CohortOpt = Annotated[
    int | None, typer.Option("--cohort-size", help="Patients per cohort (default 3).")
]
MaxNOpt = Annotated[int | None, typer.Option("--max-n", help="Maximum number of patients.")]
DosesOpt = Annotated[
    str | None,
    typer.Option(
        "--doses",
        help="Number of dose levels (5) or cells/kg per level (1e6,3e6,1e7); "
        "default: the protocol's dose levels.",
    ),
]
EarlyStopOpt = Annotated[
    int | None,
    typer.Option("--n-earlystop", help="BOIN: stop when this many patients are at a dose."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


def _floats(text: str, field: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(field, text, "give comma-separated numbers, e.g. 0.05,0.15,0.3") from None


def _setup(
    method: str | None,
    variant: str | None,
    target: float | None,
    skeleton: str | None,
    cohort_size: int | None,
    max_n: int | None,
    doses: str | None,
    n_earlystop: int | None = None,
) -> tuple[Design, DoseLevels]:
    """The design asked for on the command line, completed from the protocol in force."""
    from hyposti.design import (
        build_design,
        design_from_protocol,
        parse_dose_levels,
        protocol_dose_levels,
    )
    from hyposti.protocol import load_protocol

    protocol = load_protocol()
    levels = protocol_dose_levels(protocol) if doses is None else parse_dose_levels(doses)
    spec = protocol.design
    if method is None and all(
        v is None for v in (variant, target, skeleton, cohort_size, max_n, doses, n_earlystop)
    ):
        return design_from_protocol(protocol), levels
    method = method or spec.method
    if method.lower() not in ("3+3", "boin", "crm"):
        raise InputError("design", method, "must be one of 3+3, boin, crm")
    method = method.lower()
    same = method == spec.method
    return (
        build_design(
            method,
            levels.count,
            variant=variant or (spec.variant if same else None),
            target=target if target is not None else (spec.target_toxicity if same else None),
            skeleton=_floats(skeleton, "skeleton")
            if skeleton
            else (spec.skeleton if same else None),
            cohort_size=cohort_size
            if cohort_size is not None
            else (spec.cohort_size if same else 3),
            start_dose=spec.start_dose,
            max_n=max_n if max_n is not None else (spec.max_n if same else None),
            n_earlystop=n_earlystop,
        ),
        levels,
    )


@app.command()
def decide(
    outcomes: Annotated[
        str, typer.Option("--outcomes", help='Trial history, e.g. "1NNN 2NTN" (T = DLT).')
    ],
    design_name: DesignOpt = None,
    variant: VariantOpt = None,
    target: TargetOpt = None,
    skeleton: SkeletonOpt = None,
    cohort_size: CohortOpt = None,
    max_n: MaxNOpt = None,
    doses: DosesOpt = None,
    n_earlystop: EarlyStopOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Next dose, stop or continue, and the MTD for a trial history, with the reason."""
    from hyposti.design import design_title, fit, parse_outcomes

    design, levels = _setup(
        design_name, variant, target, skeleton, cohort_size, max_n, doses, n_earlystop
    )
    cohorts = parse_outcomes(outcomes, design.num_doses)
    decision = fit(design, cohorts, levels.label)
    payload = {"design": repr(design), "outcomes": outcomes, **decision.to_dict()}

    def render(console: Console) -> None:
        table = FoldingTable(title=f"Patients so far — {design_title(design)}")
        table.add_column("Dose level")
        table.add_column("Patients", justify="right")
        table.add_column("DLTs", justify="right")
        for j in range(design.num_doses):
            table.add_row(
                levels.label(j + 1), str(decision.n_at_dose[j]), str(decision.dlt_at_dose[j])
            )
        console.print(table)
        if decision.stop or decision.next_dose is None:
            mtd = levels.label(decision.mtd) if decision.mtd else "none"
            console.print(f"[bold]Decision:[/] stop the trial. [bold]MTD:[/] {mtd}")
        else:
            console.print(
                f"[bold]Decision:[/] treat the next cohort at {levels.label(decision.next_dose)}"
            )
        console.print(f"[bold]Reason:[/] {decision.reason}", highlight=False)
        for deviation in decision.deviations:
            console.print(f"[bold red]Deviation:[/] {deviation}", highlight=False)

    emit(payload, as_json, render)


@app.command()
def boundaries(
    target: Annotated[float, typer.Option("--target", help="Target DLT probability.")],
    max_n: Annotated[int, typer.Option("--max-n", help="Largest number of patients at a dose.")],
    design_name: Annotated[
        str,
        typer.Option("--design", help="boin, the one design whose rule is a boundary table."),
    ] = "boin",
    as_json: JsonOpt = False,
) -> None:
    """BOIN escalation, de-escalation and elimination boundaries for n = 1..max-n."""
    from hyposti.design import boin_boundaries

    if design_name.lower() != "boin":
        raise InputError("design", design_name, "decision boundaries are tabulated for BOIN only")
    table_data = boin_boundaries(target, max_n)
    payload = table_data.to_dict()

    def render(console: Console) -> None:
        console.print(
            f"BOIN, target {target:g}: escalate if DLT rate <= lambda_e = "
            f"{table_data.lambda_e:.4f}; de-escalate if > lambda_d = {table_data.lambda_d:.4f}; "
            "eliminate the dose (and all higher) if P(DLT rate > target) > 0.95",
            highlight=False,
        )
        table = FoldingTable()
        table.add_column("Patients at dose", justify="right")
        table.add_column("Escalate if DLTs <=", justify="right")
        table.add_column("De-escalate if DLTs >=", justify="right")
        table.add_column("Eliminate if DLTs >=", justify="right")
        for i in range(max_n):
            elim = table_data.eliminate_if_dlt_ge[i]
            table.add_row(
                str(i + 1),
                str(table_data.escalate_if_dlt_le[i]),
                str(table_data.deescalate_if_dlt_ge[i]),
                "—" if elim is None else str(elim),
            )
        console.print(table)

    emit(payload, as_json, render)


@app.command()
def oc(
    true_tox: Annotated[
        str, typer.Option("--true-tox", help="True DLT probability per dose, 0.05,0.15,0.3.")
    ],
    exact: Annotated[bool, typer.Option("--exact", help="Exact computation (default).")] = False,
    trials: Annotated[
        int | None, typer.Option("--trials", help="Simulate this many trials instead.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for --trials.")] = None,
    design_name: DesignOpt = None,
    variant: VariantOpt = None,
    target: TargetOpt = None,
    skeleton: SkeletonOpt = None,
    cohort_size: CohortOpt = None,
    max_n: MaxNOpt = None,
    doses: DosesOpt = None,
    n_earlystop: EarlyStopOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Operating characteristics: P(select each dose / none), expected patients and DLTs."""
    from hyposti.design import design_title, exact_oc, simulate_oc

    design, levels = _setup(
        design_name, variant, target, skeleton, cohort_size, max_n, doses, n_earlystop
    )
    p = _floats(true_tox, "true_tox")
    if exact and trials is not None:
        raise InputError("trials", trials, "choose --exact or --trials N --seed S, not both")
    if trials is None:
        if seed is not None:
            raise InputError("seed", seed, "a seed is for simulation; add --trials N")
        result = exact_oc(design, p)
    else:
        if seed is None:
            raise InputError("seed", None, "simulation needs --seed so that it can be reproduced")
        result = simulate_oc(design, p, trials, seed)
    payload = {"design": repr(design), **result.to_dict()}

    def render(console: Console) -> None:
        simulated = result.method == "simulation"
        how = f"{trials:,} simulated trials, seed {seed}" if simulated else "exact"
        table = FoldingTable(title=f"Operating characteristics ({how}) — {design_title(design)}")
        table.add_column("Dose level")
        table.add_column("True DLT rate", justify="right")
        table.add_column("P(selected as MTD)", justify="right")
        table.add_column("Expected patients", justify="right")

        def fmt(value: float, se: float | None) -> str:
            return f"{value:.4f}" if se is None else f"{value:.4f} ± {se:.4f}"

        se_sel = result.se_prob_select
        se_n = result.se_expected_n_at_dose
        for j in range(design.num_doses):
            table.add_row(
                levels.label(j + 1),
                f"{p[j]:.3f}",
                fmt(result.prob_select[j + 1], None if se_sel is None else se_sel[j + 1]),
                fmt(result.expected_n_at_dose[j], None if se_n is None else se_n[j]),
            )
        table.add_row(
            "no dose (stopped)",
            "",
            fmt(result.prob_select[0], None if se_sel is None else se_sel[0]),
            "",
        )
        console.print(table)
        console.print(
            f"Expected patients {fmt(result.expected_n, result.se_expected_n)}; "
            f"expected DLTs {fmt(result.expected_dlt, result.se_expected_dlt)}"
            + ("  (± = Monte Carlo standard error)" if simulated else ""),
            highlight=False,
        )

    emit(payload, as_json, render)


@app.command()
def paths(
    cohorts: Annotated[int, typer.Option("--cohorts", help="How many cohorts ahead.")],
    true_tox: Annotated[
        str | None, typer.Option("--true-tox", help="True DLT probability per dose.")
    ] = None,
    outcomes: Annotated[
        str, typer.Option("--outcomes", help="History so far (default: trial start).")
    ] = "",
    design_name: DesignOpt = None,
    variant: VariantOpt = None,
    target: TargetOpt = None,
    skeleton: SkeletonOpt = None,
    cohort_size: CohortOpt = None,
    max_n: MaxNOpt = None,
    doses: DosesOpt = None,
    n_earlystop: EarlyStopOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The tree of next-dose decisions over the next K cohorts, with exact path probabilities."""
    import numpy as np

    from hyposti.design import dose_paths, fit

    design, levels = _setup(
        design_name, variant, target, skeleton, cohort_size, max_n, doses, n_earlystop
    )
    p = None if true_tox is None else _floats(true_tox, "true_tox")
    tree = dose_paths(design, cohorts, outcomes, p)

    def render(console: Console) -> None:
        root = fit(design, tree.history, levels.label)
        start = levels.label(root.next_dose) if root.next_dose else "stop"
        console.print(f"[bold]Now:[/] {root.reason}", highlight=False)
        if tree.num_nodes <= 400:
            top = Tree(f"next cohort: {start}")
            _grow(top, cast(Nodes, tree.to_dict(levels.label)["children"]), p is not None)
            console.print(top)
            return
        console.print(f"{tree.num_nodes:,} paths: showing where each cohort is treated.")
        if p is None:
            console.print("Add --true-tox for probabilities, or --json for the full tree.")
            return
        distribution = tree.dose_distribution()
        table = FoldingTable()
        table.add_column("Cohort", justify="right")
        table.add_column("stopped", justify="right")
        for j in range(design.num_doses):
            table.add_column(levels.label(j + 1), justify="right")
        for k, row in enumerate(distribution, start=1):
            table.add_row(str(k), *(f"{v:.3f}" for v in np.asarray(row)))
        console.print(table)

    emit(tree.to_dict(levels.label) if as_json else None, as_json, render)


Nodes = list[dict[str, object]]
"""The children of a node in DosePaths.to_dict()."""


def _probability(p: float) -> str:
    """Four decimals, or two significant figures below 10^-4, where four decimals read 0.0000
    for a path that can happen."""
    return f"{p:.4f}" if p == 0 or p >= 1e-4 else f"{p:.1e}"


def _grow(branch: Tree, nodes: Nodes, with_probability: bool) -> None:
    for node in nodes:
        prob = (
            f" (p = {_probability(cast(float, node['probability']))})" if with_probability else ""
        )
        branch_node = branch.add(f"[b]{node['cohort']}[/b]{prob}: {node['reason']}")
        _grow(branch_node, cast(Nodes, node.get("children", [])), with_probability)


_STAGES = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*,\s*(\d+)\s*/\s*(\d+)\s*")


def _simon_protocol_defaults() -> tuple[float, float, float, float]:
    from hyposti.protocol import load_protocol

    expansion = load_protocol().expansion
    simon = expansion.response_design if expansion is not None else None
    if simon is None:
        raise InputError("p0", None, "give --p0 and --p1 (the protocol has no response design)")
    return simon.p0, simon.p1, simon.alpha, simon.beta


@app.command()
def simon(
    p0: Annotated[
        float | None, typer.Option("--p0", help="Response rate of no interest (H0).")
    ] = None,
    p1: Annotated[float | None, typer.Option("--p1", help="Target response rate (H1).")] = None,
    alpha: Annotated[
        float | None, typer.Option("--alpha", help="Type I error bound (search).")
    ] = None,
    beta: Annotated[
        float | None, typer.Option("--beta", help="Type II error bound (search).")
    ] = None,
    nmax: Annotated[
        int | None, typer.Option("--nmax", help="Largest total sample size searched (100).")
    ] = None,
    stages: Annotated[
        str | None,
        typer.Option("--stages", help="Evaluate one design instead: R1/N1,R/N, e.g. 1/10,4/21."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Simon's two-stage design: optimal and minimax designs, or the figures of a given one."""
    from hyposti.design.simon_two_stage import (
        SimonDesign,
        simon_characteristics,
        simon_designs,
    )

    if all(v is None for v in (p0, p1, alpha, beta, stages)):
        p0, p1, alpha, beta = _simon_protocol_defaults()
    if p0 is None or p1 is None:
        raise InputError("p0" if p0 is None else "p1", None, "give both --p0 and --p1")
    if stages is not None:
        for name, value in (("alpha", alpha), ("beta", beta), ("nmax", nmax)):
            if value is not None:
                raise InputError(
                    name, value, "--stages evaluates a given design; this option is for the search"
                )
        match = _STAGES.fullmatch(stages)
        if match is None:
            raise InputError("stages", stages, "write the design as R1/N1,R/N, e.g. 1/10,4/21")
        r1, n1, r, n = (int(g) for g in match.groups())
        one = simon_characteristics(SimonDesign(r1=r1, n1=n1, r=r, n=n), p0, p1)
        rows = {"design": one}
        payload: dict[str, object] = one.to_dict()
    else:
        if alpha is None or beta is None:
            raise InputError(
                "alpha" if alpha is None else "beta", None, "the search needs --alpha and --beta"
            )
        found = simon_designs(p0, p1, alpha, beta, nmax=100 if nmax is None else nmax)
        rows = {"optimal": found.optimal, "minimax": found.minimax}
        payload = found.to_dict()

    def render(console: Console) -> None:
        bounds = "" if stages else f", alpha < {alpha:g}, beta < {beta:g}"
        table = FoldingTable(title=f"Simon two-stage design, p0 = {p0:g}, p1 = {p1:g}{bounds}")
        for column in ("", "Stage 1: stop if responses <=", "Final: promising if >"):
            table.add_column(column)
        for column in ("Type I error", "Power", "E[N | p0]", "P(early stop | p0)"):
            table.add_column(column, justify="right")
        for name, row in rows.items():
            d = row.design
            table.add_row(
                name,
                f"{d.r1} of {d.n1}",
                f"{d.r} of {d.n}",
                f"{row.alpha:.4f}",
                f"{row.power:.4f}",
                f"{row.en_p0:.2f}",
                f"{row.pet_p0:.3f}",
            )
        console.print(table)

    emit(payload, as_json, render)


@app.command()
def monitor(
    prior: Annotated[
        str | None, typer.Option("--prior", help="Beta prior of the DLT rate: A,B (e.g. 0.5,1.5).")
    ] = None,
    theta: Annotated[
        float | None, typer.Option("--theta", help="DLT rate the cohort must not exceed.")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Stop when P(DLT rate > theta | data) exceeds this."),
    ] = None,
    max_n: MaxNOpt = None,
    true_tox: Annotated[
        float | None,
        typer.Option("--true-tox", help="True DLT rate: exact P(stop) and expected patients."),
    ] = None,
    outcomes: Annotated[
        str | None,
        typer.Option(
            "--outcomes", help="DLT per patient in the order evaluated, e.g. NNTN (T = DLT)."
        ),
    ] = None,
    trials: Annotated[
        int | None,
        typer.Option("--trials", help="With --true-tox: also simulate this many cohorts."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for --trials.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Continuous toxicity monitoring: the stopping boundary for n = 1..max-n and its exact OC.

    Options not given come from the protocol's expansion rule.
    """
    from hyposti.design.toxicity_monitoring import (
        ToxicityMonitor,
        monitor_sequence,
        simulate_monitor,
    )
    from hyposti.protocol import load_protocol

    expansion = load_protocol().expansion
    spec = expansion.toxicity_monitoring if expansion is not None else None
    if prior is not None:
        values = _floats(prior, "prior")
        if len(values) != 2:
            raise InputError("prior", prior, "give the two beta parameters A,B, e.g. 0.5,1.5")
        prior_a, prior_b = values
    elif spec is not None:
        prior_a, prior_b = spec.prior_a, spec.prior_b
    else:
        raise InputError("prior", None, "give --prior A,B (the protocol has no expansion rule)")
    settings: dict[str, float | int] = {}
    for name, given in (("theta", theta), ("threshold", threshold), ("max_n", max_n)):
        if given is None and spec is None:
            raise InputError(name, None, f"give --{name.replace('_', '-')} (no protocol rule)")
        settings[name] = given if given is not None else getattr(spec, name)
    rule = ToxicityMonitor(
        prior_a=prior_a,
        prior_b=prior_b,
        theta=float(settings["theta"]),
        threshold=float(settings["threshold"]),
        max_n=int(settings["max_n"]),
    )
    table_data = rule.boundaries()
    oc = None if true_tox is None else rule.operating(true_tox)
    payload: dict[str, object] = {
        "prior_a": rule.prior_a,
        "prior_b": rule.prior_b,
        "theta": rule.theta,
        "threshold": rule.threshold,
        "max_n": rule.max_n,
        **table_data.to_dict(),
    }
    if oc is not None:
        payload.update(oc.to_dict())
    simulated = None
    if trials is not None or seed is not None:
        if true_tox is None:
            raise InputError("trials", trials, "simulation needs --true-tox")
        if trials is None or seed is None:
            raise InputError(
                "seed" if seed is None else "trials",
                None,
                "simulation needs both --trials N and --seed S",
            )
        simulated = simulate_monitor(rule, true_tox, trials, seed)
        payload["simulation"] = simulated.to_dict()
    standing = crossing = None
    if outcomes is not None:
        letters = outcomes.replace(" ", "").upper()
        if not letters or set(letters) - {"N", "T"}:
            raise InputError(
                "outcomes", outcomes, "one letter per patient, N (no DLT) or T (DLT), e.g. NNTN"
            )
        dlts = [letter == "T" for letter in letters]
        crossing = monitor_sequence(rule, dlts)
        standing = rule.decide(len(dlts), sum(dlts))
        payload["decision"] = standing.to_dict()
        payload["crossing"] = None if crossing is None else crossing.to_dict()

    def render(console: Console) -> None:
        console.print(
            f"Stop when P(DLT rate > {rule.theta:g} | data) > {rule.threshold:g}, "
            f"prior Beta({rule.prior_a:g}, {rule.prior_b:g}), checked after each patient",
            highlight=False,
        )
        table = FoldingTable()
        table.add_column("Patients", justify="right")
        table.add_column("Stop if DLTs >=", justify="right")
        for n, limit in enumerate(table_data.stop_if_dlt_ge, start=1):
            table.add_row(str(n), "—" if limit is None else str(limit))
        console.print(table)
        if oc is not None:
            console.print(
                f"True DLT rate {oc.true_tox:g}: P(stop early) = {oc.prob_stop:.4f}; "
                f"expected patients = {oc.expected_n:.2f} (exact)",
                highlight=False,
            )
        if simulated is not None:
            console.print(
                f"Simulated, {simulated.trials:,} cohorts, seed {simulated.seed}: P(stop early) "
                f"= {simulated.prob_stop:.4f} ± {simulated.se_prob_stop:.4f}; expected patients "
                f"= {simulated.expected_n:.2f} ± {simulated.se_expected_n:.2f} (± = Monte Carlo "
                "standard error)",
                highlight=False,
            )
        if standing is not None:
            console.print(f"[bold]Now:[/] {standing.reason}", highlight=False)
            if crossing is not None:
                console.print(
                    f"[bold red]Boundary crossed[/] at patient {crossing.n}: {crossing.reason}",
                    highlight=False,
                )

    emit(payload, as_json, render)
