"""`hyposti grade crs|icans|cres|lab`: a syndrome or lab grade with the finding that decided it."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.errors import RecordError, validation_problems

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hyposti.safety.grade_result import GradeResult
    from hyposti.safety.lab_grading import LabGrade

app = typer.Typer(
    help="Grade CRS (ASTCT), ICANS (ASTCT), CRES (CARTOX) or a lab value (CTCAE v5.0).",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


ModelT = TypeVar("ModelT", bound="BaseModel")


def _observation(model: type[ModelT], options: dict[str, tuple[str, Any]], record: str) -> ModelT:
    """``model`` validated from the options typed, each keyed by its field; a problem names the
    option as typed (--ice = 11), not the record's field (ice_score)."""
    from pydantic import ValidationError

    data = {field: value for field, (_, value) in options.items()}
    try:  # validated, not constructed: the typed-in words are checked against the scale's choices
        return model.model_validate(data)
    except ValidationError as exc:
        option_of = {field: option for field, (option, _) in options.items()}

        def locate(loc: tuple[Any, ...]) -> tuple[Any, ...]:
            return (option_of.get(loc[0], loc[0]), *loc[1:]) if loc else loc

        raise RecordError(record, validation_problems(exc, locate=locate)) from None


def _render_grade(name: str, result: GradeResult, console: Console) -> None:
    console.print(
        f"[b]{name} grade {result.grade}[/b] ({result.scale}): {result.deciding_finding}",
        highlight=False,
    )
    table = FoldingTable(title="Findings weighed")
    for col in ("domain", "finding", "grade alone"):
        table.add_column(col)
    for finding in result.all_findings:
        table.add_row(finding.domain, finding.description, str(finding.grade))
    console.print(table)


@app.command("crs")
def crs(
    temperature_c: Annotated[float, typer.Option(help="Highest temperature, deg C.")],
    fever_masked: Annotated[
        bool, typer.Option(help="Antipyretic or anti-cytokine therapy (tocilizumab, steroids).")
    ] = False,
    hypotension: Annotated[
        bool, typer.Option(help="Hypotension present (implied by vasopressors).")
    ] = False,
    vasopressors: Annotated[
        int, typer.Option(help="Vasopressors needed, excluding vasopressin.")
    ] = 0,
    vasopressin: Annotated[bool, typer.Option(help="Vasopressin given.")] = False,
    oxygen: Annotated[
        str,
        typer.Option(
            help="none, low-flow, blow-by, high-flow, facemask, non-rebreather, venturi, cpap, "
            "bipap, mechanical-ventilation."
        ),
    ] = "none",
    oxygen_flow: Annotated[float | None, typer.Option(help="Oxygen flow, L/min.")] = None,
    death: Annotated[bool, typer.Option(help="Death due to CRS.")] = False,
    as_json: JsonOption = False,
) -> None:
    """ASTCT 2019 CRS grade (Lee 2019, Table 3)."""
    from hyposti.safety.crs import CrsObservation, grade_crs

    obs = _observation(
        CrsObservation,
        {
            "temperature_c": ("--temperature-c", temperature_c),
            "fever_masked": ("--fever-masked", fever_masked),
            "hypotension": ("--hypotension", hypotension or vasopressors > 0 or vasopressin),
            "vasopressors": ("--vasopressors", vasopressors),
            "vasopressin": ("--vasopressin", vasopressin),
            "oxygen": ("--oxygen", oxygen),
            "oxygen_flow_l_min": ("--oxygen-flow", oxygen_flow),
            "death_due_to_crs": ("--death", death),
        },
        "CRS findings",
    )
    result = grade_crs(obs)
    emit(result, as_json, lambda console: _render_grade("CRS", result, console))


@app.command("icans")
def icans(
    ice: Annotated[int | None, typer.Option(help="ICE score 0-10 (omit if unarousable).")] = None,
    consciousness: Annotated[
        str,
        typer.Option(
            help="normal, awakens-spontaneously, awakens-to-voice, awakens-to-touch, unarousable."
        ),
    ] = "normal",
    seizure: Annotated[
        str, typer.Option(help="none, rapidly-resolving, prolonged-or-repetitive.")
    ] = "none",
    motor_weakness: Annotated[
        bool, typer.Option(help="Deep focal motor weakness (hemiparesis, paraparesis).")
    ] = False,
    icp: Annotated[
        list[str] | None,
        typer.Option(
            metavar="<finding>",
            help="Raised ICP finding, repeatable: focal-oedema, diffuse-oedema, posturing, "
            "cranial-nerve-vi-palsy, papilloedema, cushings-triad.",
        ),
    ] = None,
    death: Annotated[bool, typer.Option(help="Death due to ICANS.")] = False,
    as_json: JsonOption = False,
) -> None:
    """ASTCT 2019 ICANS grade for adults (Lee 2019, Table 5)."""
    from hyposti.safety.icans import IcansObservation, grade_icans

    obs = _observation(
        IcansObservation,
        {
            "ice_score": ("--ice", ice),
            "consciousness": ("--consciousness", consciousness),
            "seizure": ("--seizure", seizure),
            "motor_weakness": ("--motor-weakness", motor_weakness),
            "icp": ("--icp", tuple(icp or ())),
            "death_due_to_icans": ("--death", death),
        },
        "ICANS findings",
    )
    result = grade_icans(obs)
    emit(result, as_json, lambda console: _render_grade("ICANS", result, console))


@app.command("cres")
def cres(
    cartox10: Annotated[int | None, typer.Option(help="CARTOX-10 score 0-10.")] = None,
    obtunded: Annotated[bool, typer.Option(help="Obtunded, cannot be assessed.")] = False,
    papilloedema_stage: Annotated[int, typer.Option(help="Papilloedema stage 0-5.")] = 0,
    csf_pressure_mmhg: Annotated[
        float | None, typer.Option(help="CSF opening pressure, mmHg.")
    ] = None,
    cerebral_oedema: Annotated[bool, typer.Option(help="Cerebral oedema on imaging.")] = False,
    seizure: Annotated[
        str,
        typer.Option(
            help="none, partial, non-convulsive-benzodiazepine-responsive, generalised, "
            "convulsive-status, non-convulsive-status."
        ),
    ] = "none",
    motor_weakness: Annotated[bool, typer.Option(help="New motor weakness.")] = False,
    death: Annotated[bool, typer.Option(help="Death due to CRES.")] = False,
    as_json: JsonOption = False,
) -> None:
    """CARTOX CRES grade (Neelapu 2018, Table 3)."""
    from hyposti.safety.cres import CresObservation, grade_cres

    obs = _observation(
        CresObservation,
        {
            "cartox10": ("--cartox10", cartox10),
            "obtunded": ("--obtunded", obtunded),
            "papilloedema_stage": ("--papilloedema-stage", papilloedema_stage),
            "csf_opening_pressure_mmhg": ("--csf-pressure-mmhg", csf_pressure_mmhg),
            "cerebral_oedema": ("--cerebral-oedema", cerebral_oedema),
            "seizure": ("--seizure", seizure),
            "motor_weakness": ("--motor-weakness", motor_weakness),
            "death_due_to_cres": ("--death", death),
        },
        "CRES findings",
    )
    result = grade_cres(obs)
    emit(result, as_json, lambda console: _render_grade("CRES", result, console))


def _render_lab(result: LabGrade, console: Console) -> None:
    if result.grade is None:
        console.print(
            f"[b]{result.criterion}[/b] {result.value:g} {result.unit}: not gradable — "
            f"{result.not_gradable_reason}",
            highlight=False,
        )
    else:
        console.print(
            f"[b]{result.criterion} grade {result.grade}[/b] ({result.value:g} {result.unit}): "
            f"{result.ctcae_text}",
            highlight=False,
        )
        console.print(f"rule: {result.deciding_rule}", highlight=False, markup=False)
    if result.assumption:
        console.print(f"[yellow]assumed:[/] {result.assumption}", highlight=False)
    for grade, text in result.clinical_only_grades.items():
        console.print(f"grade {grade} needs clinical findings: {text}", highlight=False)


@app.command("lab")
def lab(
    test: Annotated[str, typer.Option(help="CTCAE lab term, e.g. 'Platelet count decreased'.")],
    value: Annotated[float, typer.Option(help="The lab value.")],
    unit: Annotated[str, typer.Option(help="Its unit (SI, e.g. 10^9/L, g/L, mmol/L).")],
    lln: Annotated[float | None, typer.Option(help="Lower limit of normal.")] = None,
    uln: Annotated[float | None, typer.Option(help="Upper limit of normal.")] = None,
    baseline: Annotated[float | None, typer.Option(help="Pre-treatment value.")] = None,
    as_json: JsonOption = False,
) -> None:
    """CTCAE v5.0 grade of a lab value (admiral ncictcaev5 criteria, SI units)."""
    from hyposti.safety.lab_grading import grade_lab

    result = grade_lab(test, value, unit, lln=lln, uln=uln, baseline=baseline)
    emit(asdict(result), as_json, lambda console: _render_lab(result, console))


@app.command("lab-tests")
def lab_tests(as_json: JsonOption = False) -> None:
    """List the lab criteria `grade lab` knows, their unit and the grades a value can reach."""
    from hyposti.safety.lab_grading import LabCriterion, lab_criteria

    def needs(c: LabCriterion) -> list[str]:
        return [v for v in c.variables if v != "AVAL"]

    criteria = lab_criteria()
    rows = [
        {
            "test": c.name,
            "ctcae_term": c.ctcae_term,
            "unit": c.unit or "same unit as LLN/ULN/baseline",
            "value_graded": list(c.value_graded),
            "needs": needs(c),
        }
        for c in criteria
    ]

    def render(console: Console) -> None:
        table = FoldingTable(title="CTCAE v5.0 lab criteria")
        for col in ("test", "unit", "grades from value", "needs"):
            table.add_column(col)
        for c, r in zip(criteria, rows, strict=True):
            table.add_row(
                c.name, str(r["unit"]), ",".join(map(str, c.value_graded)), ", ".join(needs(c))
            )
        console.print(table)

    emit(rows, as_json, render)
