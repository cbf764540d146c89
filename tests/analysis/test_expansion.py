"""The expansion review against hand counts and scipy's beta posterior."""

import pytest
from scipy.stats import beta as beta_dist

from hyposti.analysis.expansion import ExpansionPatient, expansion_review
from hyposti.protocol import load_protocol


def patients(dlts: str, responses: str = "") -> list[ExpansionPatient]:
    """'TNx' = DLT, no DLT, not evaluable; responses 'RN?' = responder, not, not yet assessed."""
    responses = responses.ljust(len(dlts), "?")
    return [
        ExpansionPatient(
            subject_id=f"E{i + 1:02d}",
            dlt={"T": True, "N": False, "x": None}[d],
            responder={"R": True, "N": False, "?": None}[r],
        )
        for i, (d, r) in enumerate(zip(dlts, responses, strict=True))
    ]


SPEC = load_protocol().expansion  # Beta(0.5, 1.5), theta 0.33, c 0.9, 21 patients; Simon 1/10, 4/21


def test_three_dlts_in_the_first_three_cross_the_boundary() -> None:
    # Beta(0.5 + 3, 1.5 + 0): P(p > 0.33) exceeds 0.9, while 2 of 2 (Beta(2.5, 1.5)) does not.
    assert beta_dist.sf(0.33, 3.5, 1.5) > 0.9 > beta_dist.sf(0.33, 2.5, 1.5)
    review = expansion_review(SPEC, patients("TxTTN"))
    monitoring = review.monitoring
    assert (monitoring.crossed_at_n, monitoring.crossed_with_dlts) == (3, 3)
    assert monitoring.crossed_by == "E04"  # the non-evaluable E02 is not counted
    assert (monitoring.evaluable, monitoring.dlts) == (4, 3)
    assert monitoring.posterior == pytest.approx(beta_dist.sf(0.33, 3.5, 2.5), abs=1e-12)


def test_no_crossing_reports_where_the_cohort_stands() -> None:
    review = expansion_review(SPEC, patients("NNTNN"))
    monitoring = review.monitoring
    assert monitoring.crossed_at_n is None
    assert (monitoring.evaluable, monitoring.dlts) == (5, 1)
    # 5 patients: the smallest count with P(p > 0.33 | y of 5) > 0.9, found by scipy directly.
    expected = min(y for y in range(6) if beta_dist.sf(0.33, 0.5 + y, 1.5 + 5 - y) > 0.9)
    assert monitoring.stop_now_if_dlt_ge == expected
    assert "continue" in monitoring.reason


def test_simon_stage_one_stops_with_at_most_one_responder_of_ten() -> None:
    stopped = expansion_review(SPEC, patients("N" * 10, "R" + "N" * 9)).response
    assert stopped.stage_one_responders == 1
    assert stopped.stage_one.endswith("stop for futility")
    assert stopped.final == "stopped after stage 1: not promising"
    going_on = expansion_review(SPEC, patients("N" * 10, "RR" + "N" * 8)).response
    assert "continue to 21" in going_on.stage_one


def test_simon_final_bound_needs_more_than_four_of_twenty_one() -> None:
    five = expansion_review(SPEC, patients("N" * 21, "RR" + "N" * 8 + "RRR" + "N" * 8)).response
    four = expansion_review(SPEC, patients("N" * 21, "RR" + "N" * 8 + "RR" + "N" * 9)).response
    assert five.final.endswith("promising") and "not" not in five.final
    assert four.final.endswith("not promising")
    partial = expansion_review(SPEC, patients("N" * 12, "RR")).response
    assert partial.stage_one.startswith("stage 1 incomplete: 2 of 10 assessed")
    # 2 of the 21 assessed (both responders): 19 to go, promising beyond r = 4.
    assert partial.final == (
        "19 of 21 patients still to be assessed; promising if more than 4 respond"
    )
    assert set(expansion_review(SPEC, patients("")).to_dict()) == {
        "patients", "monitoring", "response",
    }  # fmt: skip


def test_a_simulated_trials_dataset_reads_back_the_crossing_the_trial_acted_on() -> None:
    from hyposti.analysis.expansion import expansion_patients
    from hyposti.analysis.tumour import assess_responses
    from hyposti.virtual.tables import trial_dataset
    from hyposti.virtual.trial import simulate_trial

    protocol = load_protocol()
    strict = protocol.expansion.toxicity_monitoring.model_copy(
        # Beta(1,1), theta 0.05, c 0.95: the first DLT among the first 6 patients crosses.
        update={"prior_a": 1.0, "prior_b": 1.0, "theta": 0.05, "threshold": 0.95}
    )
    no_futility = protocol.expansion.response_design.model_copy(update={"futility_stop": False})
    expansion = protocol.expansion.model_copy(
        update={"toxicity_monitoring": strict, "response_design": no_futility}
    )
    protocol = protocol.model_copy(update={"expansion": expansion})
    trial = simulate_trial(1, protocol=protocol)
    ds = trial_dataset(trial)
    found = expansion_patients(ds, assess_responses(ds, protocol.response))
    infused = [s.subject_id for s, _ in trial.courses if s.phase == "expansion"]
    assert sorted(p.subject_id for p in found) == sorted(infused)
    for p in found:
        verdict = trial.adjudications[p.subject_id]
        assert p.dlt == (verdict.has_dlt if verdict.evaluability == "evaluable" else None)
    review = expansion_review(expansion, found)
    (stop,) = trial.expansion_stops
    assert review.monitoring.crossed_by is not None
    assert f"{review.monitoring.crossed_by}'s DLT review" in stop.reason
