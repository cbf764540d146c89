"""Dose paths: every branch agrees with fitting its full history, and path probabilities add up."""

import numpy as np
import pytest

from hyposti.design import Boin, ThreePlusThree, dose_paths, exact_oc, fit
from hyposti.errors import InputError

CONVENTIONAL = ThreePlusThree.variant("conventional", 2)


def walk(node: dict, history: str):
    here = f"{history} {node['cohort']}".strip()
    yield here, node
    for child in node.get("children", []):
        yield from walk(child, here)


def test_every_node_is_the_decision_for_its_full_history() -> None:
    design = Boin(num_doses=3, target=0.3, max_n=30)
    tree = dose_paths(design, 3, "1NNN").to_dict()
    assert tree["root"] == fit(design, "1NNN").to_dict()
    seen = 0
    for child in tree["children"]:
        for history, node in walk(child, "1NNN"):
            decision = fit(design, history)
            assert (node["next_dose"], node["mtd"], node["stop"]) == (
                decision.next_dose,
                decision.mtd,
                decision.stop,
            )
            assert node["reason"] == decision.reason
            seen += 1
    assert seen == 4 + 16 + 64


def test_paths_through_a_whole_3_plus_3_give_its_exact_operating_characteristics() -> None:
    """Summing stop nodes of the full tree (no merging) reproduces the DP (merging) results."""
    tox = [0.2, 0.4]
    tree = dose_paths(CONVENTIONAL, cohorts=4, true_tox=tox)
    select = np.zeros(3)
    for level in tree.levels:
        stopped = level.next_dose == 0
        np.add.at(select, level.mtd[stopped], level.probability[stopped])
    np.testing.assert_allclose(select, exact_oc(CONVENTIONAL, tox).prob_select, atol=1e-12)


def test_probabilities_of_each_level_add_up_to_the_running_trials() -> None:
    tree = dose_paths(ThreePlusThree.variant("conventional", 3), 3, true_tox=[0.1, 0.3, 0.5])
    first = tree.levels[0]
    assert first.probability.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(first.probability, [0.9**3, 3 * 0.1 * 0.81, 3 * 0.01 * 0.9, 0.001])
    distribution = tree.dose_distribution()
    np.testing.assert_allclose(distribution.sum(axis=1), 1.0)
    assert distribution[0, 1] == 1.0


def test_cohort_notation_and_keys() -> None:
    tree = dose_paths(CONVENTIONAL, 1).to_dict()
    assert [c["cohort"] for c in tree["children"]] == ["1NNN", "1NNT", "1NTT", "1TTT"]
    assert set(tree["children"][0]) == {
        "cohort",
        "next_dose",
        "stop",
        "mtd",
        "probability",
        "reason",
    }
    assert tree["children"][0]["probability"] is None


def test_a_finished_trial_has_no_paths() -> None:
    tree = dose_paths(CONVENTIONAL, 2, "1NTT")
    assert tree.root.stop and tree.levels == ()


def test_too_many_cohorts_is_refused() -> None:
    with pytest.raises(InputError) as err:
        dose_paths(CONVENTIONAL, 40)
    assert err.value.field == "cohorts"


def test_an_incomplete_last_cohort_is_completed_first() -> None:
    # "1N": 2 patients pending at dose 1; with p = 0.1 there, the completions 1NNN, 1NNT, 1NTT
    # have probabilities 0.9^2 = 0.81, 2 (0.1)(0.9) = 0.18 and 0.1^2 = 0.01.
    design = ThreePlusThree.variant("conventional", 3)
    tree = dose_paths(design, 2, "1N", true_tox=[0.1, 0.2, 0.3]).to_dict()
    first = tree["children"]
    assert [c["cohort"] for c in first] == ["1NNN", "1NNT", "1NTT"]
    assert [c["probability"] for c in first] == pytest.approx([0.81, 0.18, 0.01], abs=1e-12)
    for child in first:
        for history, node in walk(child, ""):
            decision = fit(design, history)
            assert (node["next_dose"], node["stop"], node["mtd"]) == (
                decision.next_dose,
                decision.stop,
                decision.mtd,
            )
