"""One patient's doses at a dose level: preconditioning mg per day and total CAR-T cells.

Ranges come from the protocol's regimen (registry: nab-paclitaxel 100-200 mg/m2 day -5,
cyclophosphamide 15-30 mg/kg days -3 and -2, cells/kg per dose level); rounding and the BSA cap
from its `dosing` section. Each quantity is rounded once, where it is reported.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from hyposti.dosing.bsa import body_surface_area, check_body_size
from hyposti.dosing.rounding import round_half_up, round_significant, round_to_step
from hyposti.errors import InputError, ProtocolError
from hyposti.protocol import Protocol
from hyposti.protocol.dosing_spec import BsaFormula, DosingSpec
from hyposti.protocol.model import PreconditioningAgent


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class BodySize(Frozen):
    weight_kg: float
    height_cm: float | None
    bsa_formula: BsaFormula | None
    bsa_m2_exact: float | None
    bsa_m2_rounded: float | None
    bsa_cap_m2: float | None
    bsa_m2_used: float | None
    capped: bool


class AgentDose(Frozen):
    """A preconditioning agent: the chosen dose per m2 or kg and the mg given on each day."""

    agent: str
    dose_basis: str
    dose_per_unit: float
    range_min: float
    range_max: float
    basis_amount: float
    mg_exact: float
    mg_per_day: float
    study_days: list[int]
    course_total_mg: float


class CellDose(Frozen):
    dose_level: int
    label: str
    cells_per_kg: float
    weight_kg: float
    total_cells_exact: float
    total_cells: float
    significant_figures: int


class DoseRecord(Frozen):
    """The doses of one patient, with the rounding rules applied, ready for a pharmacy order."""

    protocol_id: str
    body: BodySize
    preconditioning: list[AgentDose]
    car_t: CellDose
    not_computed: list[str]
    rounding_rules: list[str]


def dosing_spec(protocol: Protocol) -> DosingSpec:
    if protocol.dosing is None:
        raise ProtocolError("protocol", ["dose calculation needs the 'dosing' section"])
    return protocol.dosing


def rounding_rules(spec: DosingSpec) -> list[str]:
    """The rounding in force, in words, as printed beside every dose record."""
    cap = f"capped at {spec.bsa_cap_m2:g} m2" if spec.bsa_cap_m2 else "no cap"
    return [
        f"BSA rounded half-up to {spec.bsa_decimals} decimals, {cap}; the rounded BSA is dosed",
        f"chemotherapy mg rounded half-up to the nearest {spec.mg_rounding_step:g} mg, once",
        f"CAR-T total cells rounded half-up to {spec.cells_significant_figures} significant "
        "figures",
    ]


def _agent_dose(
    agent: PreconditioningAgent, dose: float, body: BodySize, spec: DosingSpec
) -> AgentDose:
    field = f"{agent.name} {agent.dose_basis}"
    if not math.isfinite(dose) or not agent.dose_min <= dose <= agent.dose_max:
        raise InputError(
            field,
            dose,
            f"outside the protocol range {agent.dose_min:g}-{agent.dose_max:g} {agent.dose_basis}",
        )
    if agent.dose_basis == "mg/m2":
        if body.bsa_m2_used is None:
            raise InputError("height_cm", None, f"{agent.name} is dosed per m2: give the height")
        amount = body.bsa_m2_used
    else:
        amount = body.weight_kg
    exact = dose * amount
    per_day = round_to_step(exact, spec.mg_rounding_step)
    return AgentDose(
        agent=agent.name,
        dose_basis=agent.dose_basis,
        dose_per_unit=dose,
        range_min=agent.dose_min,
        range_max=agent.dose_max,
        basis_amount=amount,
        mg_exact=exact,
        mg_per_day=per_day,
        study_days=sorted(agent.days),
        course_total_mg=per_day * len(agent.days),
    )


def body_size(
    protocol: Protocol, weight_kg: float, height_cm: float | None, bsa_formula: BsaFormula | None
) -> BodySize:
    """Checked weight and height with the BSA (exact, rounded, capped) that doses use."""
    spec = dosing_spec(protocol)
    check_body_size(weight_kg, height_cm, spec.weight_kg_plausible, spec.height_cm_plausible)
    if height_cm is None:
        return BodySize(
            weight_kg=weight_kg,
            height_cm=None,
            bsa_formula=None,
            bsa_m2_exact=None,
            bsa_m2_rounded=None,
            bsa_cap_m2=spec.bsa_cap_m2,
            bsa_m2_used=None,
            capped=False,
        )
    formula = bsa_formula or spec.bsa_formula
    exact = body_surface_area(height_cm, weight_kg, formula)
    rounded = round_half_up(exact, spec.bsa_decimals)
    capped = spec.bsa_cap_m2 is not None and rounded > spec.bsa_cap_m2
    return BodySize(
        weight_kg=weight_kg,
        height_cm=height_cm,
        bsa_formula=formula,
        bsa_m2_exact=exact,
        bsa_m2_rounded=rounded,
        bsa_cap_m2=spec.bsa_cap_m2,
        bsa_m2_used=spec.bsa_cap_m2 if capped else rounded,
        capped=capped,
    )


def patient_doses(
    protocol: Protocol,
    *,
    weight_kg: float,
    height_cm: float | None,
    dose_level: int,
    agent_doses: dict[str, float] | None = None,
    bsa_formula: BsaFormula | None = None,
) -> DoseRecord:
    """Doses at ``dose_level`` for this body size; ``agent_doses`` maps a preconditioning agent's
    name to the chosen mg/m2 or mg/kg (within the protocol range). Agents not given are listed
    in ``not_computed`` rather than dosed at a guessed value."""
    spec = dosing_spec(protocol)
    levels = {d.level: d for d in protocol.investigational_product.dose_levels}
    if dose_level not in levels:
        raise InputError(
            "dose_level", dose_level, f"not a dose level of the protocol (1..{len(levels)})"
        )
    chosen = dict(agent_doses or {})
    agents = {a.name: a for a in protocol.preconditioning}
    unknown = sorted(set(chosen) - set(agents))
    if unknown:
        raise InputError(
            "agent",
            unknown[0],
            f"not a preconditioning agent of the protocol ({', '.join(agents)})",
        )
    body = body_size(protocol, weight_kg, height_cm, bsa_formula)
    regimen = [
        _agent_dose(agents[name], chosen[name], body, spec) for name in agents if name in chosen
    ]
    level = levels[dose_level]
    exact_cells = level.cells_per_kg * weight_kg
    return DoseRecord(
        protocol_id=protocol.identifiers.nct_id,
        body=body,
        preconditioning=regimen,
        car_t=CellDose(
            dose_level=dose_level,
            label=level.label,
            cells_per_kg=level.cells_per_kg,
            weight_kg=weight_kg,
            total_cells_exact=exact_cells,
            total_cells=round_significant(exact_cells, spec.cells_significant_figures),
            significant_figures=spec.cells_significant_figures,
        ),
        not_computed=[
            f"{a.name}: give a dose within {a.dose_min:g}-{a.dose_max:g} {a.dose_basis}"
            for a in protocol.preconditioning
            if a.name not in chosen
        ],
        rounding_rules=rounding_rules(spec),
    )
