"""A whole twin trial: screening, escalation by the protocol's design, expansion at the RP2D.

The trial is the synthetic trial's own loop (``hyposti.virtual.trial.simulate_trial``: DLT
adjudication by ``hyposti.safety``, the next cohort's dose by the protocol's design, Storer 1989
3+3 or whichever design the protocol file names, non-evaluable patients replaced) with the twin's
course as the clinic's treatment. The result is the synthetic trial's own record, so
``hyposti.virtual.tables.trial_dataset`` writes a twin trial as the trial dataset and
``hyposti analyze`` / ``report`` read it unchanged.
"""

from __future__ import annotations

from functools import partial

from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.twin.course import TwinModel, simulate_twin_course
from hyposti.twin.gate import gate_from_parameters
from hyposti.twin.parameters import TwinParameters, load_twin_parameters
from hyposti.virtual.parameters import SimulationParameters, load_parameters
from hyposti.virtual.trial import SimulatedTrial, check_inputs, simulate_trial

#: Most patients one twin trial may infuse: a phase I/II trial enrols tens; 1,000 already takes
#: seconds per trial, and a bigger number is a slip, not a design.
MAX_PATIENTS = 1000


def twin_model(
    params: TwinParameters | None = None,
    clinic: SimulationParameters | None = None,
    gated: bool = True,
) -> TwinModel:
    """The biology (shipped twin parameters by default), the CAR and the synthetic clinic."""
    params = params or load_twin_parameters()
    return TwinModel(params, gate_from_parameters(params, gated), clinic or load_parameters())


def check_trial_patients(patients: int | None, expansion_rules: bool = False) -> None:
    """Refuse a total outside 1..MAX_PATIENTS (None: the protocol's own total), and a total
    with the expansion's rules, which stop the protocol's own total."""
    if patients is not None and (isinstance(patients, bool) or not 1 <= patients <= MAX_PATIENTS):
        raise InputError("patients", patients, f"a twin trial infuses 1..{MAX_PATIENTS:,} patients")
    if expansion_rules and patients is not None:
        raise InputError(
            "expansion_rules",
            True,
            "the expansion's rules stop the protocol's own total of patients: leave patients unset",
        )


def simulate_twin_trial(
    seed: int,
    model: TwinModel | None = None,
    protocol: Protocol | None = None,
    patients: int | None = None,
    expansion_rules: bool = False,
) -> SimulatedTrial:
    """Run the whole protocol on twin patients; ``patients`` sets the total infused.

    Without ``patients`` the expansion enrols the protocol's estimated total less the escalation,
    kept within its expansion range. By default it runs to that total without the expansion's
    stopping rules, so that sweeps count DLTs over the whole expansion; with ``expansion_rules``
    it stops where the protocol's rules say (toxicity monitoring, Simon's stage-1 futility), as
    the synthetic trial does. RP2D is read as the MTD, as in the synthetic trial.
    """
    check_inputs(seed, None)  # the twin's own bound on patients is the tighter one
    check_trial_patients(patients, expansion_rules)
    model = model or twin_model()
    return simulate_trial(
        seed,
        model.clinic,
        protocol,
        patients,
        treat=partial(simulate_twin_course, model),
        expansion_rules=expansion_rules,
    )
