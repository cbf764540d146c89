"""3+3 family: rule-by-rule decisions (Korn et al. 1994) and closed-form operating figures."""

import itertools
from math import comb, prod

import numpy as np
import pytest

from hyposti.design import Cohort, ThreePlusThree, exact_oc, fit
from hyposti.errors import InputError

CONVENTIONAL = ThreePlusThree.variant("conventional", 3)
REGISTRY = ThreePlusThree.variant("registry-literal", 3)
ESCALATION_ONLY = ThreePlusThree.variant("escalation-only", 3)


def pass_escalation_only(p: float) -> float:
    """Storer 1989: P(escalate past a dose) = (1-p)^3 + 3p(1-p)^5."""
    return (1 - p) ** 3 + 3 * p * (1 - p) ** 5


# (design, history, next dose or None, MTD or None): each line read off the rules of the
# reference note (Korn et al. 1994; registry text of NCT05681650).
CASES = [
    (CONVENTIONAL, "1NNN", 2, None),
    (CONVENTIONAL, "1NNT", 1, None),
    (CONVENTIONAL, "1NTT", None, None),
    (CONVENTIONAL, "1NNT 1NNN", 2, None),
    (CONVENTIONAL, "1NNT 1NNT", None, None),
    (CONVENTIONAL, "1NNN 2NTT", 1, None),
    (CONVENTIONAL, "1NNN 2NTT 1NNN", None, 1),
    (CONVENTIONAL, "1NNN 2NTT 1NNT", None, 1),
    (CONVENTIONAL, "1NNN 2NTT 1NTT", None, None),
    (CONVENTIONAL, "1NNT 1NNN 2TTN", None, 1),
    (CONVENTIONAL, "1NNN 2NNN 3NNN", 3, None),
    (CONVENTIONAL, "1NNN 2NNN 3NNN 3NNT", None, 3),
    (CONVENTIONAL, "1NNN 2NNN 3NNN 3NTT", 2, None),
    (CONVENTIONAL, "1NNN 2NNN 3NNN 3NTT 2NNN", None, 2),
    (CONVENTIONAL, "1NNN 2NNN 3NNT 3NNN", None, 3),
    (REGISTRY, "1NNN 2NTT", 2, None),
    (REGISTRY, "1NNN 2NTT 2NNN", None, 2),
    (REGISTRY, "1NNN 2TTT", 1, None),
    (REGISTRY, "1NNN 2NNT 2NNT", None, 2),
    (REGISTRY, "1NNN 2NNT 2NTT", 1, None),
    (REGISTRY, "1NNN 2NNT 2NTT 1NTT", None, 1),
    (REGISTRY, "1NNN 2NNT 2NTT 1TTT", None, None),
    (ESCALATION_ONLY, "1NNN 2NTT", None, 1),
    (ESCALATION_ONLY, "1NTT", None, None),
    (ESCALATION_ONLY, "1NNN 2NNN 3NNN", None, 3),
    (ESCALATION_ONLY, "1NNN 2NNN 3NNT 3NNN", None, 3),
    (ESCALATION_ONLY, "1NNN 2NNN 3NNT 3NNT", None, 2),
]


@pytest.mark.parametrize(("design", "history", "next_dose", "mtd"), CASES)
def test_rule_by_rule(design: ThreePlusThree, history: str, next_dose: int, mtd: int) -> None:
    decision = fit(design, history)
    assert decision.next_dose == next_dose
    assert decision.stop == (next_dose is None)
    assert decision.mtd == mtd
    assert decision.reason


def test_registry_and_conventional_differ_exactly_at_two_dlts() -> None:
    """The readings differ only when the current dose shows 2 DLTs (2/3 or 2/6)."""
    for size, dlts in [(3, k) for k in range(4)] + [(6, k) for k in range(7)]:
        first = "N" * (3 - min(dlts, 3)) + "T" * min(dlts, 3)
        history = "1NNN 2" + first
        if size == 6:
            rest = dlts - min(dlts, 3)
            history += " 2" + "N" * (3 - rest) + "T" * rest
        a, b = fit(CONVENTIONAL, history), fit(REGISTRY, history)
        differ = (a.next_dose, a.mtd) != (b.next_dose, b.mtd)
        assert differ == (dlts == 2), history


def test_registry_literal_accepts_two_of_six_conventional_does_not() -> None:
    conventional = fit(CONVENTIONAL, "1NNN 2TNN 2NTN")
    registry = fit(REGISTRY, "1NNN 2TNN 2NTN")
    assert (conventional.next_dose, conventional.stop) == (1, False)
    assert (registry.stop, registry.mtd) == (True, 2)
    assert "2/6" in registry.reason


@pytest.mark.parametrize("p", [0.0, 0.1, 0.25, 0.5, 0.9])
def test_single_dose_closed_forms(p: float) -> None:
    q = 1 - p
    escalation_only = exact_oc(ThreePlusThree.variant("escalation-only", 1), [p])
    assert escalation_only.prob_select[1] == pytest.approx(pass_escalation_only(p), abs=1e-12)
    conventional = exact_oc(ThreePlusThree.variant("conventional", 1), [p])
    assert conventional.prob_select[1] == pytest.approx(q**6 + 6 * p * q**5, abs=1e-12)
    assert conventional.expected_n == pytest.approx(3 + 3 * (q**3 + 3 * p * q**2), abs=1e-12)
    registry = exact_oc(ThreePlusThree.variant("registry-literal", 1), [p])
    at_most_two = sum(comb(6, k) * p**k * q ** (6 - k) for k in range(3))
    assert registry.prob_select[1] == pytest.approx(at_most_two, abs=1e-12)
    assert registry.prob_select[1] - conventional.prob_select[1] == pytest.approx(
        15 * p**2 * q**4, abs=1e-12
    )


@pytest.mark.parametrize(
    "tox",
    [
        (0.05, 0.15, 0.3, 0.45),
        (0.3, 0.3, 0.3, 0.3),
        (0.0, 0.0, 1.0, 1.0),
        tuple(0.02 * k for k in range(1, 15)),  # 14 doses: state keys too long for one int64
    ],
)
def test_escalation_only_closed_form_for_several_doses(tox: tuple[float, ...]) -> None:
    """P(MTD = k) = prod_{i<=k} q_i (1 - q_{k+1}); E[n_k] = reach_k (3 + 9 p(1-p)^2)."""
    oc = exact_oc(ThreePlusThree.variant("escalation-only", len(tox)), list(tox))
    passes = [pass_escalation_only(p) for p in tox]
    reach = [prod(passes[:k]) for k in range(len(tox))]
    expected_select = [1 - passes[0]] + [
        reach[k] * passes[k] * (1 - passes[k + 1]) for k in range(len(tox) - 1)
    ]
    expected_select.append(prod(passes))
    np.testing.assert_allclose(oc.prob_select, expected_select, atol=1e-12)
    per_dose = [reach[k] * (3 + 9 * p * (1 - p) ** 2) for k, p in enumerate(tox)]
    np.testing.assert_allclose(oc.expected_n_at_dose, per_dose, atol=1e-12)
    dlts = sum(reach[k] * 3 * p * (1 + 3 * p * (1 - p) ** 2) for k, p in enumerate(tox))
    assert oc.expected_dlt == pytest.approx(dlts, abs=1e-12)


@pytest.mark.parametrize(("p1", "p2"), [(0.1, 0.3), (0.2, 0.5), (0.05, 0.05)])
def test_conventional_two_doses_by_hand(p1: float, p2: float) -> None:
    """Korn et al. 1994 rule worked through by hand for two doses (see the branch comments)."""
    q1, q2 = 1 - p1, 1 - p2
    zero_of_3 = q1**3  # dose 1: 0/3, escalate with 3 there
    one_of_3_then_0 = 3 * p1 * q1**2 * q1**3  # dose 1: 1/3 then 0/3, escalate with 6 there
    # Dose 2 is the top dose: 0/3 -> 3 more, <=1/6 passes; 1/3 -> 3 more, 0/3 passes.
    top_passes = q2**3 * (q2**3 + 3 * p2 * q2**2) + 3 * p2 * q2**2 * q2**3
    # Dose 2 fails: with 3 at dose 1, 3 more there and <=1 DLT in them gives MTD 1; with 6 at
    # dose 1 the MTD is dose 1.
    second_three_ok = q1**3 + 3 * p1 * q1**2
    select_2 = (zero_of_3 + one_of_3_then_0) * top_passes
    select_1 = zero_of_3 * (1 - top_passes) * second_three_ok + one_of_3_then_0 * (1 - top_passes)
    oc = exact_oc(ThreePlusThree.variant("conventional", 2), [p1, p2])
    np.testing.assert_allclose(
        oc.prob_select, [1 - select_1 - select_2, select_1, select_2], atol=1e-12
    )


def test_registry_selects_at_least_as_high_as_conventional() -> None:
    """Accepting 2/6 can only move the MTD up: P(MTD >= k) is larger for every k."""
    tox = [0.1, 0.2, 0.35]
    conventional = exact_oc(CONVENTIONAL, tox).prob_select
    registry = exact_oc(REGISTRY, tox).prob_select
    for k in range(1, 4):
        assert registry[k:].sum() >= conventional[k:].sum() - 1e-12


def test_sample_size_cap_stops_with_the_best_dose_so_far() -> None:
    design = ThreePlusThree.variant("conventional", 3, max_n=9)
    decision = fit(design, "1NNT 1NNN 2NNN")
    assert decision.stop and decision.mtd == 1
    assert "cap of 9" in decision.reason


def test_repr_is_readable_and_rebuilds_the_design() -> None:
    text = repr(REGISTRY)
    assert text.startswith("ThreePlusThree(num_doses=3, accept=2, deescalate=True")
    assert eval(text, {"ThreePlusThree": ThreePlusThree}) == REGISTRY


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"num_doses": 3, "accept": 3}, "accept"),
        ({"num_doses": 3, "cohort_size": 4}, "cohort_size"),
        ({"num_doses": 3, "start_dose": 4}, "start_dose"),
        ({"num_doses": 0}, "num_doses"),
        ({"num_doses": 3, "max_n": 10}, "max_n"),
    ],
)
def test_bad_parameters_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        ThreePlusThree(**kwargs)
    assert err.value.field == field


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(InputError, match="conventional, registry-literal, escalation-only"):
        ThreePlusThree.variant("4+4", 3)


@pytest.mark.parametrize("history", ["1NNN 1NNN 1NNN", "1NNNN", "1NN 1NNN"])
def test_histories_a_3_plus_3_cannot_produce_are_refused(history: str) -> None:
    with pytest.raises(InputError, match="3 or 6 patients"):
        fit(CONVENTIONAL, history)


@pytest.mark.parametrize("history", ["1N", "1NT", "1NNN 2T", "1NNN 2NTN 2N"])
def test_an_incomplete_cohort_stays_at_its_dose_as_r_escalation_does(history: str) -> None:
    # R escalation: get_three_plus_three(num_doses = 3) %>% fit("1N") recommends dose 1 with
    # continue TRUE: fewer than 3 (or 6) patients at the dose carry on at that dose
    # (three_plus_three.R, "if (n_d < 3) ... next_dose <- last_dose; cont <- TRUE").
    current = int(history.split()[-1][0])
    for design in (ESCALATION_ONLY, CONVENTIONAL, REGISTRY):
        decision = fit(design, history)
        assert (decision.next_dose, decision.stop) == (current, False)
        assert decision.reason.startswith("cohort incomplete")


def test_a_cohort_opened_with_no_evaluable_patient_yet_waits_for_all_three() -> None:
    # Cohort 2 opened at dose 2 after 0/3 at dose 1 (Korn et al. 1994: escalate), its patients'
    # windows still open: 0..3 DLTs among them lead to different decisions, so nothing is decided.
    # A review of such a cohort must not read as "escalate" (it did, when empty slots were counted
    # as patients without DLT).
    decision = fit(CONVENTIONAL, (Cohort(dose=1, dlts=(False,) * 3), Cohort(dose=2, dlts=())))
    assert (decision.next_dose, decision.stop, decision.deviations) == (2, False, ())
    assert decision.reason == (
        "cohort incomplete: 0 of 3 evaluable at dose 2, stay: the decision waits for 3 more "
        "patients"
    )
    assert fit(CONVENTIONAL, (Cohort(dose=1, dlts=()),)).next_dose == 1
    with pytest.raises(InputError, match=r"cohorts\[0\]\.dlts"):
        fit(CONVENTIONAL, (Cohort(dose=1, dlts=()), Cohort(dose=2, dlts=(False,) * 3)))


def test_two_dlts_in_a_cohort_of_three_decide_before_the_third_patient() -> None:
    # 2 DLTs of the first 2 patients: 2/3 or 3/3 DLTs whatever the third shows, so dose 1 is
    # above the MTD (Korn et al. 1994) and the trial stops with no MTD. R escalation would still
    # say "stay at dose 1" here (it only counts patients); the design's own rule has decided.
    decision = fit(CONVENTIONAL, "1TT")
    assert (decision.stop, decision.mtd) == (True, None)
    assert "whatever the 1 pending patient shows" in decision.reason
    # At dose 2 after 0/3 at dose 1: de-escalate to dose 1 to expand it to 6 (conventional).
    assert fit(CONVENTIONAL, "1NNN 2TT").next_dose == 1
    # Registry-literal accepts 2 DLTs: 2/3 then expands, 3/3 is above the MTD: not decided.
    assert fit(REGISTRY, "1TT").next_dose == 1 and not fit(REGISTRY, "1TT").stop


def test_a_skipped_dose_is_flagged_as_a_deviation() -> None:
    decision = fit(CONVENTIONAL, "1NNN 3NNN")
    assert decision.deviations == (
        "cohort 2 treated at dose 3, skipping untried dose 2, where the design advised dose 2: "
        "escalation goes one level at a time",
    )
    assert fit(CONVENTIONAL, "1NNN 2NNN").deviations == ()


def test_every_variant_has_a_reason_for_every_reachable_decision() -> None:
    for design in (CONVENTIONAL, REGISTRY, ESCALATION_ONLY):
        for outcomes in itertools.product(["NNN", "NNT", "NTT", "TTT"], repeat=2):
            history = f"1{outcomes[0]}"
            first = fit(design, history)
            if first.next_dose:
                history += f" {first.next_dose}{outcomes[1]}"
            assert fit(design, history).reason
