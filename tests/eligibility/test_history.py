"""E1, E2, E4-E9, E11, E13, E14 boundaries and the judgement criteria.

Screening 2026-11-20, enrolment 2026-11-27, first study dose 2026-11-30.
"""

import pytest

from hyposti.eligibility import Verdict
from tests.eligibility.screening_helpers import changed, verdict

TREATED_CNS = {
    "brain_metastases": True,
    "active_cns_disease": False,
    "radiotherapy_end_date": "2026-08-27",
    "cns_symptoms": False,
    "on_corticosteroids_for_cns": False,
    "brain_mri_date": "2026-11-10",
}


def test_brain_metastases_irradiated_exactly_3_months_before_enrolment_are_admitted(eligible):
    result = verdict(changed(eligible, history__cns=TREATED_CNS), "E2")
    assert result.verdict == Verdict.MET
    late = TREATED_CNS | {"radiotherapy_end_date": "2026-08-28"}
    assert verdict(changed(eligible, history__cns=late), "E2").verdict == Verdict.NOT_MET


@pytest.mark.parametrize(
    ("field", "value"),
    [("cns_symptoms", True), ("on_corticosteroids_for_cns", True), ("active_cns_disease", True)],
)
def test_symptoms_steroids_or_active_cns_disease_exclude(eligible, field, value):
    data = changed(eligible, history__cns=TREATED_CNS | {field: value})
    assert verdict(data, "E2").verdict == Verdict.NOT_MET


def test_treated_brain_metastases_need_a_screening_mri(eligible):
    no_mri = {k: v for k, v in TREATED_CNS.items() if k != "brain_mri_date"}
    result = verdict(changed(eligible, history__cns=no_mri), "E2")
    assert result.verdict == Verdict.MISSING_DATA
    assert result.missing_fields == ["history.cns.brain_mri_date"]


def _cancer(last_treatment, category="other", cured=False, concurrent=False):
    return [
        {
            "description": "breast cancer",
            "category": category,
            "diagnosis_date": "2019-05-01",
            "last_treatment_date": last_treatment,
            "curatively_treated": cured,
            "concurrent": concurrent,
        }
    ]


@pytest.mark.parametrize(
    ("last_treatment", "expected"),
    [("2023-11-30", Verdict.NOT_MET), ("2023-11-29", Verdict.MET)],
)
def test_other_cancer_within_3_years_of_the_first_dose_excludes(eligible, last_treatment, expected):
    data = changed(eligible, history__prior_cancers=_cancer(last_treatment))
    assert verdict(data, "E11").verdict == expected


def test_listed_exceptions_need_curative_treatment(eligible):
    recent = "2026-01-10"
    cured = _cancer(recent, "superficial_bladder_t1", cured=True)
    assert verdict(changed(eligible, history__prior_cancers=cured), "E11").verdict == Verdict.MET
    uncured = _cancer(recent, "superficial_bladder_t1", cured=False)
    assert verdict(changed(eligible, history__prior_cancers=uncured), "E11").verdict == (
        Verdict.NOT_MET
    )


def test_concurrent_cancer_excludes_whatever_its_dates(eligible):
    # last treated 2019-06-01, over 3 years before the first dose: excluded only as concurrent
    data = changed(eligible, history__prior_cancers=_cancer("2019-06-01", concurrent=True))
    assert verdict(data, "E11").verdict == Verdict.NOT_MET


@pytest.mark.parametrize(
    ("surgery", "expected"), [("2026-10-21", Verdict.MET), ("2026-10-20", Verdict.NOT_MET)]
)
def test_wound_unhealed_more_than_30_days_excludes(eligible, surgery, expected):
    # 2026-10-21 is 30 days before the screening date, 2026-10-20 is 31
    wounds = [{"surgery_date": surgery, "healed": False}]
    assert verdict(changed(eligible, history__surgical_wounds=wounds), "E14").verdict == expected


@pytest.mark.parametrize(
    ("criterion", "flag"),
    [
        ("E4", "severe_monoclonal_antibody_hypersensitivity"),
        ("E5", "study_drug_allergy"),
        ("E9", "hiv_or_aids"),
        ("E13", "haemorrhagic_tendency"),
        ("E1", "autoimmune_disease"),
        ("E7", "interstitial_lung_disease"),
        ("E8", "active_systemic_infection"),
    ],
)
def test_a_recorded_condition_excludes_even_with_an_attestation(eligible, criterion, flag):
    result = verdict(changed(eligible, **{f"history__{flag}": True}), criterion)
    assert result.verdict == Verdict.NOT_MET
    assert flag.replace("_", " ") in result.reason


def test_judgement_criteria_wait_for_an_attestation(eligible):
    data = changed(eligible, attestations=[])
    for criterion in ("E1", "E6", "E7", "E8"):
        result = verdict(data, criterion)
        assert result.verdict == Verdict.NEEDS_JUDGEMENT
        assert "investigator to judge" in result.reason


def test_an_attestation_names_who_and_when(eligible):
    result = verdict(eligible, "E7")
    assert result.verdict == Verdict.MET
    assert result.attestation.investigator == "Dr A. Investigator"
    assert "attested by Dr A. Investigator on 2026-11-20: spirometry normal" in result.reason


def test_a_negative_attestation_excludes(eligible):
    attest = [
        {
            "criterion_id": "E6",
            "satisfied": False,
            "investigator": "Dr B",
            "attested_on": "2026-11-20",
            "note": "active alcohol misuse",
        }
    ]
    result = verdict(changed(eligible, attestations=attest), "E6")
    assert result.verdict == Verdict.NOT_MET and "active alcohol misuse" in result.reason
