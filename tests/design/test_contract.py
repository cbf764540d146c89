"""One contract over every design: properties of any history the design itself produces."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.design import Boin, Crm, ThreePlusThree, exact_oc, fit, parse_outcomes
from hyposti.design.outcomes import tally

DESIGNS = [
    ThreePlusThree.variant("conventional", 4),
    ThreePlusThree.variant("registry-literal", 4),
    ThreePlusThree.variant("escalation-only", 4),
    Boin(num_doses=4, target=0.3, max_n=24),
    Boin(num_doses=4, target=0.25, max_n=24, n_earlystop=9),
    Crm(num_doses=4, target=0.25, skeleton=(0.08, 0.16, 0.25, 0.38), max_n=24),
]
SETTINGS = settings(max_examples=60, deadline=None)


def follow(design, dlt_counts: list[int]) -> str:
    """The history the design produces when successive cohorts have these DLT counts."""
    cohorts: list[str] = []
    dose = design.start_dose
    size = design.cohort_size
    for dlts in dlt_counts:
        cohorts.append(f"{dose}" + "N" * (size - dlts) + "T" * dlts)
        decision = fit(design, " ".join(cohorts))
        if decision.stop:
            break
        dose = decision.next_dose
    return " ".join(cohorts)


histories = st.lists(st.integers(0, 3), min_size=1, max_size=8)


@pytest.mark.parametrize("design", DESIGNS, ids=repr)
@SETTINGS
@given(dlt_counts=histories)
def test_never_recommends_an_eliminated_untried_or_too_toxic_dose(design, dlt_counts) -> None:
    history = follow(design, dlt_counts)
    decision = fit(design, history)
    n, y = tally(parse_outcomes(history, design.num_doses), design.num_doses)
    highest_tried = int(np.flatnonzero(n).max()) + 1
    if decision.next_dose is not None:
        assert decision.next_dose <= highest_tried + 1, "skipped an untried dose"
    if decision.mtd is not None:
        assert n[decision.mtd - 1] > 0, "selected an untried dose"
    if isinstance(design, Boin):
        first_out = int(design.first_eliminated(n[None, :], y[None, :])[0])
        for dose in (decision.next_dose, decision.mtd):
            assert dose is None or dose < first_out, "recommended an eliminated dose"
    if isinstance(design, ThreePlusThree):
        above = [j + 1 for j in range(design.num_doses) if y[j] > design.accept]
        for dose in (decision.next_dose, decision.mtd):
            assert dose is None or not above or dose < above[0], "dose above the MTD"


@pytest.mark.parametrize("design", DESIGNS, ids=repr)
@SETTINGS
@given(dlt_counts=histories, patient=st.integers(0, 2))
def test_an_extra_dlt_never_makes_a_design_escalate(design, dlt_counts, patient) -> None:
    history = follow(design, dlt_counts)
    *before, last = history.split()
    if last[1 + patient] == "T":
        return
    worse = " ".join([*before, last[: 1 + patient] + "T" + last[2 + patient :]])
    current = int(last[0])
    original, with_dlt = fit(design, history), fit(design, worse)
    if with_dlt.next_dose is not None and with_dlt.next_dose > current:
        assert original.next_dose is not None and original.next_dose > current


@pytest.mark.parametrize("design", DESIGNS[:4], ids=repr)
@settings(max_examples=15, deadline=None)
@given(tox=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4))
def test_selection_probabilities_sum_to_one(design, tox) -> None:
    oc = exact_oc(design, sorted(tox))
    assert oc.prob_select.sum() == pytest.approx(1.0, abs=1e-9)
    assert oc.expected_n_at_dose.sum() <= (design.max_n or 6 * design.num_doses) + 1e-9


@pytest.mark.parametrize("design", DESIGNS, ids=repr)
@SETTINGS
@given(dlt_counts=histories, evaluable=st.integers(1, 2), data=st.data())
def test_an_incomplete_cohort_stays_or_gives_the_decision_every_completion_gives(
    design, dlt_counts, evaluable, data
) -> None:
    """After each patient: wait at the dose, unless the pending patients cannot change a decision
    to stop, stay or de-escalate (escalation always waits for the whole cohort).

    The completions are decided by the complete-cohort path, one full history each.
    """
    history = follow(design, dlt_counts)
    *before, last = history.split()
    letters = data.draw(st.text(alphabet="NT", min_size=evaluable, max_size=evaluable))
    partial = " ".join([*before, last[0] + letters])
    pending = design.cohort_size - evaluable
    answers = set()
    for extra in range(pending + 1):
        full = fit(design, partial + "T" * extra + "N" * (pending - extra))
        answers.add((full.next_dose, full.stop, full.mtd))
    decision = fit(design, partial)
    current = int(last[0])
    settled = answers.pop() if len(answers) == 1 else None
    if settled is not None and (settled[1] or settled[0] <= current):
        assert (decision.next_dose, decision.stop, decision.mtd) == settled
    else:
        assert (decision.next_dose, decision.stop) == (current, False)
        assert decision.reason.startswith(f"cohort incomplete: {evaluable} of 3 evaluable")
    assert decision.deviations == ()
