"""Operating characteristics: the ratio estimator's Monte Carlo SE against hand arithmetic."""

from dataclasses import replace

import numpy as np
import pytest

from hyposti.errors import InputError
from hyposti.twin.operating import TrialCounts, operating_characteristics


def counts(mtd, patients, responders, crs3=(0, 0), dlt=(0, 0)):
    return TrialCounts(
        mtd=mtd,
        patients=patients,
        responders=responders,
        pfs_known=patients,
        pfs_free=responders,
        crs3=crs3,
        dlt_evaluable=patients,
        dlt=dlt,
    )


def test_rates_and_standard_errors_by_hand():
    trials = [
        counts(1, (3, 0), (1, 0)),
        counts(1, (3, 0), (0, 0)),
        counts(2, (3, 6), (2, 3)),
    ]
    oc = operating_characteristics(trials)
    dose1, dose2 = oc["doses"]
    # Dose 1: r = 3/9; residuals y - r n = 0, -1, 1 -> sum of squares 2; SE = sqrt(2 / (3 * 2))
    # / mean n 3 = 0.19245 — the SE of the per-trial proportions 1/3, 0, 2/3 (sd 1/3, / sqrt 3).
    assert dose1["orr"] == pytest.approx(1 / 3)
    assert dose1["orr_se"] == pytest.approx(np.sqrt(2 / 6) / 3)
    assert dose1["orr_se"] == pytest.approx(np.std([1 / 3, 0, 2 / 3], ddof=1) / np.sqrt(3))
    # Dose 2 used by one trial of three: r = 3/6; residuals 0, 0, 0 -> SE 0.
    assert dose2["orr"] == pytest.approx(0.5) and dose2["orr_se"] == pytest.approx(0.0)
    # Selection: MTD 1, 1, 2 -> P = 2/3 and 1/3; Morris 2019 Table 6: SE sqrt(p (1 - p) / M)
    # = sqrt(2/9 / 3) = 0.27217.
    assert dose1["p_select"] == pytest.approx(2 / 3)
    assert dose1["p_select_se"] == pytest.approx(0.2721655)
    assert oc["p_no_mtd"] == 0.0
    assert oc["mean_patients"] == pytest.approx(5.0)


def test_a_dose_never_given_has_no_rate():
    oc = operating_characteristics([counts(0, (3, 0), (0, 0)), counts(0, (3, 0), (1, 0))])
    assert oc["doses"][1]["orr"] is None and oc["doses"][1]["orr_se"] is None
    assert oc["p_no_mtd"] == 1.0


def test_one_trial_has_no_standard_error():
    with pytest.raises(InputError, match="trials"):
        operating_characteristics([counts(1, (3, 0), (0, 0))])


def test_expansion_stops_are_proportions_of_all_trials_by_hand():
    """Three trials under the rules: one stopped by Simon's stage 1, one whose toxicity
    crossing came after the last patient (fired, stopped nothing), one without a stop."""
    base = counts(1, (3, 0), (0, 0))
    trials = [
        replace(base, expansion_rules=True, expansion_fired=("simon_futility",),
                expansion_stopped=True),
        replace(base, expansion_rules=True, expansion_fired=("toxicity_monitoring",)),
        replace(base, expansion_rules=True),
    ]  # fmt: skip
    e = operating_characteristics(trials)["expansion"]
    se_third = np.sqrt(1 / 3 * 2 / 3 / 3)  # Morris 2019 Table 6: sqrt(p (1 - p) / M) = 0.2722
    assert e["p_stopped"] == pytest.approx(1 / 3) and e["p_stopped_se"] == pytest.approx(se_third)
    assert e["rules"] == {
        "toxicity_monitoring": {"p": pytest.approx(1 / 3), "se": pytest.approx(se_third)},
        "simon_futility": {"p": pytest.approx(1 / 3), "se": pytest.approx(se_third)},
    }
    # Without the rules there is nothing to count, and no expansion block.
    assert "expansion" not in operating_characteristics([base, base])
