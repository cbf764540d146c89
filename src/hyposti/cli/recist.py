"""`hyposti recist FILE.json`: RECIST 1.1 or iRECIST response of patients, with the reasons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hyposti.cli.inputs import protocol_option
from hyposti.cli.output import emit
from hyposti.cli.tables import FoldingTable
from hyposti.data.input_file import read_json
from hyposti.errors import InputError, RecordError, validation_problems

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from hyposti.response import PatientResponse, PatientTumourData
    from hyposti.response.patient import Criteria


def _patients() -> TypeAdapter[list[PatientTumourData]]:
    from pydantic import TypeAdapter

    from hyposti.response.records import PatientTumourData

    return TypeAdapter(list[PatientTumourData])


def read_patients(path: Path) -> list[PatientTumourData]:
    """One patient object, a list of them, or {"patients": [...]} from a JSON file."""
    from pydantic import ValidationError

    payload: Any = read_json("FILE", path)
    if isinstance(payload, dict) and "patients" in payload:
        payload = payload["patients"]
    one = isinstance(payload, dict)
    try:
        return _patients().validate_python([payload] if one else payload)
    except ValidationError as exc:
        # one problem a line, each under the path the file uses: "lesions[0]..." for one
        # patient, "patients[1].lesions[0]..." for a list (pydantic alone gave "[1].lesions")
        def locate(loc: tuple[Any, ...]) -> tuple[Any, ...]:
            if one:  # every location starts at the list's [0] that wrapped the patient
                return loc[1:]
            return ("patients", *loc) if loc else loc

        problems = validation_problems(exc, locate=locate)
        raise RecordError("patient tumour data", problems) from None


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "" if value is None else format(value, spec)


def _render(results: list[PatientResponse], console: Console) -> None:
    for r in results:
        title = (
            f"Patient {r.patient_id} ({r.criteria}); baseline sum {_fmt(r.baseline_sum_mm, 'g')} mm"
        )
        table = FoldingTable(title=title, caption="TL, NTL, NL: target, non-target, new lesions")
        # At 80 columns the date stays whole and other cells fold (NON-CR/NON-PD has no space).
        table.add_column("date", no_wrap=True)
        for name in ("day", "sum mm", "% base", "% nadir", "TL", "NTL", "NL"):
            table.add_column(name)
        table.add_column("overall", style="bold")
        for p in r.time_points:
            table.add_row(
                str(p.date),
                str(p.study_day),
                _fmt(p.sum_mm, "g"),
                _fmt(p.pct_from_baseline),
                _fmt(p.pct_from_nadir),
                p.target_response.value if p.target_response else "",
                p.non_target_response.value if p.non_target_response else "",
                p.new_lesions.value,
                p.overall_response.value + ("" if p.included else " (excluded)"),
            )
        console.print(table)
        for p in r.time_points:
            why = p.rule + (f" [excluded: {p.excluded_because}]" if p.excluded_because else "")
            console.print(f"{p.date}: {why}", highlight=False, markup=False)
        console.print(
            f"Best overall response (confirmed): {r.bor_confirmed.value} - "
            f"{r.bor_confirmed_reason}",
            highlight=False,
            markup=False,
        )
        console.print(
            f"Best overall response (unconfirmed): {r.bor_unconfirmed.value} - "
            f"{r.bor_unconfirmed_reason}",
            highlight=False,
            markup=False,
        )
        dates = {
            "first response": r.first_response_date,
            "confirmed on": r.response_confirmed_date,
            "progression": r.progression_date,
            "unconfirmed progression (iUPD)": r.unconfirmed_progression_date,
            "last adequate assessment": r.last_adequate_assessment_date,
        }
        summary = [f"{k}: {v}" for k, v in dates.items() if v is not None]
        summary.append(f"best % change: {_fmt(r.best_pct_change)}")
        console.print("; ".join(summary), highlight=False, markup=False)
        for flag in r.data_quality_flags:
            console.print(f"flag: {flag}", style="yellow", highlight=False, markup=False)
        console.print()


def recist(
    file: Annotated[
        Path | None, typer.Argument(help="Patient tumour data (JSON): one patient or a list.")
    ] = None,
    criteria: Annotated[str, typer.Option("--criteria", help="recist11 or irecist.")] = "recist11",
    protocol_file: Annotated[
        Path | None, typer.Option("--protocol", help="Protocol YAML (default: NCT05681650).")
    ] = None,
    schema: Annotated[bool, typer.Option("--schema", help="Print the input JSON schema.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Tumour response by RECIST 1.1 (Eisenhauer 2009) or iRECIST (Seymour 2017), with reasons."""
    from hyposti.response.patient import assess_patient

    if schema:
        print(json.dumps(_patients().json_schema(), indent=2))
        return
    if file is None:
        raise InputError("FILE", None, "a patient JSON file is required (or --schema)")
    if criteria not in ("recist11", "irecist"):
        raise InputError("--criteria", criteria, "must be recist11 or irecist")
    chosen: Criteria = "irecist" if criteria == "irecist" else "recist11"
    spec = protocol_option(protocol_file).response
    results = [assess_patient(p, spec, chosen) for p in read_patients(file)]
    payload = {"criteria": chosen, "patients": results}
    emit(payload, as_json, lambda console: _render(results, console))
