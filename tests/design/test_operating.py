"""Exact operating characteristics: probabilities sum to one, expectations are consistent."""

import numpy as np
import pytest

from hyposti.design import Boin, Crm, ThreePlusThree, exact_oc
from hyposti.errors import InputError

DESIGNS = [
    ThreePlusThree.variant("conventional", 4),
    ThreePlusThree.variant("registry-literal", 4),
    ThreePlusThree.variant("escalation-only", 4),
    Boin(num_doses=4, target=0.3, max_n=18),
    Crm(num_doses=4, target=0.25, skeleton=(0.1, 0.2, 0.3, 0.45), max_n=12),
]
TOX = [0.05, 0.15, 0.3, 0.5]


@pytest.mark.parametrize("design", DESIGNS, ids=repr)
def test_probabilities_sum_to_one_and_expectations_are_consistent(design) -> None:
    oc = exact_oc(design, TOX)
    assert oc.prob_select.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(oc.prob_select >= 0)
    assert oc.expected_n == pytest.approx(oc.expected_n_at_dose.sum(), abs=1e-12)
    # Each patient at dose j has a DLT with probability p_j, so E[DLT] = sum_j p_j E[n_j].
    assert oc.expected_dlt == pytest.approx(float(np.dot(TOX, oc.expected_n_at_dose)), abs=1e-10)


def test_fixed_sample_designs_always_use_max_n_without_early_stops() -> None:
    oc = exact_oc(Boin(num_doses=3, target=0.3, max_n=12), [0.0, 0.0, 0.0])
    assert oc.expected_n == pytest.approx(12.0)
    np.testing.assert_allclose(oc.prob_select, [0, 0, 0, 1])


def test_json_keys() -> None:
    data = exact_oc(DESIGNS[0], TOX).to_dict()
    assert {"prob_select", "expected_n", "expected_dlt", "expected_n_at_dose"} <= set(data)
    assert len(data["prob_select"]) == 5


@pytest.mark.parametrize("tox", [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 1.2], [0.1, -0.1, 0.2, 0.3]])
def test_bad_true_toxicity_is_refused(tox: list[float]) -> None:
    with pytest.raises(InputError) as err:
        exact_oc(DESIGNS[0], tox)
    assert err.value.field == "true_tox"
