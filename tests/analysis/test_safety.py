"""Safety tables of the hand-built example trial, counted by hand from its AE table."""

import math

import pandas as pd
import pytest
from scipy.integrate import quad

from hyposti.analysis.safety import DltEvent, escalation_history, safety_analysis
from hyposti.data import TrialDataset
from hyposti.data.example import example_dataset, example_frames
from hyposti.protocol import load_protocol


@pytest.fixture(scope="module")
def safety():
    return safety_analysis(example_dataset(), load_protocol())


def test_trae_worst_grade_per_dose_level(safety):
    total = safety.trae.rows[0].by_dose
    # DL1: S01 worst 3 (neutropenia, cyclophosphamide probable), S02 1, S03 2
    assert total["1"].by_worst_grade == {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0}
    # DL2: S04 worst 4, S05 3, S06 5 (sepsis possibly related to preconditioning)
    assert total["2"].by_worst_grade == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert (total["all"].any, total["all"].grade_3_plus, total["all"].n) == (6, 4, 6)


def test_unrelated_or_pre_preconditioning_events_are_not_counted(safety):
    terms = {r.term for r in safety.trae.rows}
    assert "Nausea" not in terms  # S03: day -6, before preconditioning, unrelated


def test_crs_icans_by_grade(safety):
    crs = safety.syndromes["CRS"]
    assert crs["1"].by_worst_grade["1"] == 1 and crs["1"].by_worst_grade["2"] == 1
    assert crs["2"].by_worst_grade["3"] == 1 and crs["all"].any == 4
    assert safety.syndromes["ICANS"]["all"].any == 1


def test_dlt_escalation_and_deaths(safety):
    dlt = {d.dose_level: d for d in safety.dlt}
    assert (dlt[1].n_dlt, dlt[1].n_evaluable) == (0, 3)
    assert dlt[2].dlt_events == (DltEvent("S05", "Cytokine release syndrome", 3),)
    cohorts = safety.escalation.cohorts
    assert "escalate to dose 2" in cohorts[0].rule_recommendation
    assert "treat 3 more patients at dose 2" in cohorts[1].rule_recommendation
    deaths = {d.subject_id: d for d in safety.deaths}
    assert deaths["S06"].study_day == 20 and deaths["S06"].within_30_days_of_infusion
    assert deaths["S06"].treatment_related_grade5_aes == ("Sepsis",)
    assert deaths["S02"].treatment_related_grade5_aes == ()
    # DLT window days 0-28 (registry): S06 died on day 20 inside it, S02 long after
    assert deaths["S06"].inside_dlt_window and not deaths["S02"].inside_dlt_window


def test_a_death_inside_the_dlt_window_carries_the_subjects_dlt_evaluation():
    frames = example_frames()
    ev = frames["dlt_evaluations"]
    why = "died on day 20 (sepsis) inside the DLT window without a DLT"
    ev.loc[ev["subject_id"] == "S06", "reason"] = why
    ev.loc[ev["subject_id"] == "S02", "reason"] = "followed through day 28 without a DLT"
    found = safety_analysis(TrialDataset.from_frames(**frames), load_protocol()).deaths
    by_id = {d.subject_id: d for d in found}
    assert by_id["S06"].dlt_evaluation == why
    assert by_id["S02"].dlt_evaluation is None  # died on day 200: outside the window


def test_events_after_the_data_cutoff_are_not_counted():
    frames = example_frames()
    late = (
        frames["adverse_events"]
        .iloc[[0]]
        .assign(ae_id="AE99", grade=4, onset_date=pd.Timestamp("2025-07-15"), resolution_date=None)
    )
    frames["adverse_events"] = pd.concat([frames["adverse_events"], late], ignore_index=True)
    frames["disposition"].loc[0, "death_date"] = pd.Timestamp("2025-07-20")
    frames["disposition"].loc[0, "last_contact_date"] = pd.Timestamp("2025-07-20")
    out = safety_analysis(TrialDataset.from_frames(**frames), load_protocol())
    assert out.trae.rows[0].by_dose["1"].by_worst_grade["4"] == 0
    assert [d.subject_id for d in out.deaths] == ["S06", "S02"]


def with_design(**fields):
    protocol = load_protocol()
    design = protocol.design.model_copy(update={"variant": None, "max_n": 18, **fields})
    return protocol.model_copy(update={"design": design})


def test_boin_protocol_replays_the_recorded_cohorts():
    # Liu & Yuan 2015, Table 1, target 0.3: lambda_e 0.236, lambda_d 0.358.
    # Cohort 1: 0/3 at dose 1 <= 0.236, escalate; cohort 2: 1/3 = 0.333 at dose 2, stay.
    esc = escalation_history(example_dataset(), with_design(method="boin", target_toxicity=0.3))
    assert esc.design == "boin (target 0.3)" and esc.replay_note is None
    first, second = (c.rule_recommendation for c in esc.cohorts)
    assert first.endswith("escalate to dose 2")
    assert second.endswith("stay at dose 2")


def test_crm_protocol_replays_against_the_posterior_computed_by_quadrature():
    # Empiric model p_j = s_j ** exp(b), b ~ N(0, 1.34) (O'Quigley 1990; dfcrm defaults):
    # posterior mean of b after 0/3 at dose 1 and 1/3 at dose 2, by scipy quad.
    skeleton = (0.05, 0.12, 0.25)

    def likelihood(b: float) -> float:
        p1, p2 = (s ** math.exp(b) for s in skeleton[:2])
        return (1 - p1) ** 3 * p2 * (1 - p2) ** 2 * math.exp(-(b**2) / (2 * 1.34))

    mass = quad(likelihood, -10, 10)[0]
    mean = quad(lambda b: b * likelihood(b), -10, 10)[0] / mass
    rates = [s ** math.exp(mean) for s in skeleton]
    nearest = min(range(3), key=lambda j: abs(rates[j] - 0.25)) + 1
    protocol = with_design(method="crm", target_toxicity=0.25, skeleton=list(skeleton))
    esc = escalation_history(example_dataset(), protocol)
    second = esc.cohorts[1].rule_recommendation
    assert f"[{', '.join(f'{r:.2f}' for r in rates)}]" in second
    assert second.endswith(f"stay at dose {nearest}") and nearest == 2


def test_a_design_that_cannot_be_built_is_named_not_replayed():
    esc = escalation_history(
        example_dataset(), with_design(method="boin", target_toxicity=0.3, max_n=None)
    )
    assert "max_n" in esc.replay_note
    assert all(c.rule_recommendation is None for c in esc.cohorts)


def test_mtd_rule_reading_in_force_is_reported(safety):
    # nct05681650.yaml design.mtd_rule: reading conventional (<= 1 DLT in 6), registry text beside
    esc = safety.escalation
    assert esc.mtd_rule_reading == "conventional"
    assert esc.mtd_rule_text.startswith("Maximum tolerated dose is defined as the highest dose")
