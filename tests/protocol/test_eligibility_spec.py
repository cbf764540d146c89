"""The eligibility, organ-function and steroid-table sections: shipped values and refused edits."""

import pytest
import yaml

from hyposti.errors import ProtocolError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path
from hyposti.protocol.eligibility_spec import CorticosteroidEquivalence, OrganFunctionSpec


def _with(mutate) -> str:
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False)


def _criterion(data, cid):
    return next(c for c in data["eligibility"]["criteria"] if c["id"] == cid)


def test_every_shipped_criterion_has_a_rule():
    assert all(c.check is not None for c in load_protocol().eligibility.criteria)


def test_registry_numbers_are_the_rule_parameters():
    checks = {c.id: c.check for c in load_protocol().eligibility.criteria}
    assert checks["I1"].life_expectancy_more_than_months == 3
    assert checks["I2"].her2_min_percent == 30
    assert checks["I4"].max_age_months == 6
    assert checks["I5"].washout_more_than_days == 28
    assert checks["I5"].max_residual_toxicity_grade == 1
    assert checks["I7"].within_days_before_first_dose == 14
    assert checks["E3"].prednisone_equivalent_max_mg_per_day == 10
    assert checks["E3"].within_days_of_enrolment == 14
    assert checks["E10"].test_within_days_before_enrolment == 7
    assert checks["E11"].within_years_before_first_dose == 3
    assert checks["E12"].within_days_of_enrolment == 30
    assert checks["E14"].unhealed_more_than_days == 30
    assert checks["E15"].within_days_of_enrolment == 28


def test_steroid_table_is_liu_2013_table_1():
    table = load_protocol().corticosteroid_equivalence.equivalent_dose_mg
    assert table == {
        "prednisone": 5,
        "prednisolone": 5,
        "methylprednisolone": 4,
        "triamcinolone": 4,
        "hydrocortisone": 20,
        "cortisone": 25,
        "dexamethasone": 0.75,
        "betamethasone": 0.6,
    }


def test_sponsor_editable_sections_are_labelled():
    assert OrganFunctionSpec.sponsor_editable and CorticosteroidEquivalence.sponsor_editable
    limits = load_protocol().organ_function
    assert (limits.anc_min_10e9_per_l, limits.platelets_min_10e9_per_l) == (1.0, 75)
    assert limits.creatinine_clearance_min_ml_min == 50


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: _criterion(d, "I6")["check"].update(allowed_ecog=[0, 6]), "ECOG grades run 0-5"),
        (
            lambda d: _criterion(d, "I2")["check"].update(her2_min_percent=130),
            "criteria[1].check.diagnosis_her2_prior_therapy.her2_min_percent",
        ),
        (lambda d: _criterion(d, "E3")["check"].update(rule="steroids"), "criteria[12].check"),
        (lambda d: _criterion(d, "E4")["check"].update(conditions=["gout"]), "conditions"),
        (lambda d: _criterion(d, "I1")["check"].update(typo=1), "typo"),
        (
            lambda d: d["organ_function"].update(alt_ast_max_x_uln_liver_metastases=2),
            "liver-metastasis",
        ),
        (
            lambda d: d["corticosteroid_equivalence"].update(reference_drug="cortisol"),
            "reference_drug",
        ),
    ],
)
def test_invalid_eligibility_edits_are_reported(mutate, where):
    with pytest.raises(ProtocolError) as info:
        parse_protocol(_with(mutate), "edited")
    assert where in str(info.value)
