"""A twin trial through the engines, written as the trial dataset and read back by the analysis."""

import numpy as np
import pytest

from hyposti.analysis.trial import analyze_trial
from hyposti.data import read_dataset, write_dataset
from hyposti.design import Cohort, design_from_protocol, fit
from hyposti.eligibility.engine import screen
from hyposti.errors import InputError
from hyposti.protocol import load_protocol
from hyposti.twin.trial import simulate_twin_trial, twin_model
from hyposti.virtual.tables import trial_dataset
from hyposti.virtual.trial import simulate_trial

PROTOCOL = load_protocol()
SEED = 5


@pytest.fixture(scope="module")
def trial():
    return simulate_twin_trial(SEED, twin_model(gated=False), PROTOCOL)


def test_same_seed_same_trial(trial):
    again = simulate_twin_trial(SEED, twin_model(gated=False), PROTOCOL)
    assert again.summary() == trial.summary()


def test_screens_the_synthetic_trials_candidates(trial):
    # The clinic is the synthetic trial's: its first cohort meets the same candidates.
    virtual = simulate_trial(SEED, protocol=PROTOCOL)
    first = trial.escalation[0].subject_ids
    assert first == virtual.escalation[0].subject_ids
    ours = {s.subject_id: s.candidate for s in trial.screened}
    theirs = {s.subject_id: s.candidate for s in virtual.screened}
    assert all(ours[sid] == theirs[sid] for sid in first)


def test_every_enrolled_patient_is_eligible_by_the_engine(trial):
    for s in trial.enrolled:
        assert screen(s.record, PROTOCOL, s.record.enrolment_date).status == "eligible"


def test_escalation_follows_the_design(trial):
    design = design_from_protocol(PROTOCOL)
    cohorts: list[Cohort] = []
    for step in trial.escalation:
        assert step.dose_level == fit(design, cohorts).next_dose
        cohorts.append(step.outcome)
    assert fit(design, cohorts).mtd == trial.mtd


def test_crs_events_carry_the_graders_grade(trial):
    crs = [e for _, c in trial.courses for e in c.events if e.event.term.startswith("Cytokine")]
    assert crs
    for e in crs:
        assert e.event.scale == "ASTCT 2019 CRS"
        assert e.grading.startswith(f"{e.event.scale} grade {e.event.grade}")


def test_dataset_is_read_unchanged_by_the_analysis(trial, tmp_path):
    folder = write_dataset(trial_dataset(trial), tmp_path / "twin", "csv")
    result = analyze_trial(read_dataset(folder), PROTOCOL)
    summary = trial.summary()
    assert result.flow.infused == summary["enrolled"]
    assert result.flow.screened == summary["screened"]
    # The analysis re-derives responses from the written scans with the vectorised RECIST path.
    assert result.efficacy.orr_confirmed["all"].count == summary["responders"]


def test_kinetics_rise_to_a_peak_then_fall(trial):
    # Blood samples of each patient: the highest true level is never the first post-infusion
    # day in the model (expansion), so the reported peak lies after day 1 for most patients.
    peaks = []
    for _, c in trial.courses:
        blood = [(k.study_day, k.copies_per_ug) for k in c.kinetics if k.matrix == "blood"]
        measured = [(d, v) for d, v in blood if v is not None and d > 0]
        if len(measured) >= 3:
            peaks.append(max(measured, key=lambda dv: dv[1])[0])
    assert np.median(peaks) >= 4


def test_bad_seed_is_refused():
    with pytest.raises(InputError, match="seed"):
        simulate_twin_trial(-1)


def test_with_the_expansion_rules_stage_one_futility_stops_where_simon_says(trial):
    """Same seed, same patients: with the rules, the expansion keeps its first n1 patients and
    stops when at most r1 of them respond (Simon 1989), which the run without rules shows; the
    escalation is the same trial's."""
    ruled = simulate_twin_trial(SEED, twin_model(gated=False), PROTOCOL, expansion_rules=True)
    simon = PROTOCOL.expansion.response_design
    expansion = [c for s, c in trial.courses if s.phase == "expansion"]
    kept = [c for s, c in ruled.courses if s.phase == "expansion"]
    assert [c.subject_id for s, c in ruled.courses if s.phase != "expansion"] == [
        c.subject_id for s, c in trial.courses if s.phase != "expansion"
    ]
    first = expansion[: simon.n1]
    responders = sum(c.response.bor_confirmed.value in ("CR", "PR", "iCR", "iPR") for c in first)
    # This seed's conventional CAR: at most r1 = 1 responder among the first 10, so stage 1
    # stops the expansion there; without the rules all 21 are enrolled.
    assert responders <= simon.r1 and len(expansion) > simon.n1
    (stop,) = ruled.expansion_stops
    assert (stop.rule, stop.enrolment_stopped, stop.enrolled_before) == (
        "simon_futility", True, simon.n1,
    )  # fmt: skip
    assert [c.subject_id for c in kept] == [c.subject_id for c in first]
    assert trial.expansion_stops == ()


def test_expansion_rules_need_the_protocols_own_total():
    with pytest.raises(InputError) as err:
        simulate_twin_trial(SEED, twin_model(), PROTOCOL, patients=10, expansion_rules=True)
    assert err.value.field == "expansion_rules"
