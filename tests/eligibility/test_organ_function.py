"""I7: Cockcroft-Gault by hand, each threshold at its boundary, the exceptions, the 14-day window.

Labs of the example record are dated 2026-11-18; the first study dose is 2026-11-30.
"""

import pytest

from hyposti.eligibility import Verdict, cockcroft_gault
from tests.eligibility.screening_helpers import changed, verdict


def test_cockcroft_gault_matches_hand_arithmetic():
    # (140 - 40) x 72 / (72 x 1.0) = 100 mL/min; x 0.85 for a woman = 85
    assert cockcroft_gault(40, 72, 1.0, female=False) == pytest.approx(100.0)
    assert cockcroft_gault(40, 72, 1.0, female=True) == pytest.approx(85.0)
    # (140 - 65) x 60 / (72 x 1.25) = 4500 / 90 = 50
    assert cockcroft_gault(65, 60, 1.25, female=False) == pytest.approx(50.0)


def _lab(value, date="2026-11-18", uln=None):
    return {"value": value, "date": date} | ({"uln": uln} if uln is not None else {})


@pytest.mark.parametrize(
    ("field", "at_limit", "beyond"),
    [
        ("anc_10e9_per_l", 1.0, 0.99),
        ("platelets_10e9_per_l", 75, 74),
        ("haemoglobin_g_dl", 8.0, 7.9),
        ("lvef_percent", 50, 49),
        ("spo2_room_air_percent", 92, 91),
    ],
)
def test_minimum_thresholds_are_inclusive(eligible, field, at_limit, beyond):
    assert verdict(changed(eligible, **{f"labs__{field}": _lab(at_limit)}), "I7").verdict == (
        Verdict.MET
    )
    assert verdict(changed(eligible, **{f"labs__{field}": _lab(beyond)}), "I7").verdict == (
        Verdict.NOT_MET
    )


def test_bilirubin_at_1_5_uln_is_met_and_gilbert_allows_3_uln(eligible):
    # ULN 1.2 mg/dL: 1.5 x ULN = 1.8 (1.7999999999999998 in binary floating point)
    assert verdict(changed(eligible, labs__total_bilirubin=_lab(1.8, uln=1.2)), "I7").verdict == (
        Verdict.MET
    )
    high = changed(eligible, labs__total_bilirubin=_lab(2.4, uln=1.2))
    assert verdict(high, "I7").verdict == Verdict.NOT_MET
    assert verdict(changed(high, labs__gilbert_syndrome=True), "I7").verdict == Verdict.MET
    unknown = verdict(changed(high, labs__gilbert_syndrome=None), "I7")
    assert unknown.missing_fields == ["labs.gilbert_syndrome"]
    beyond = changed(
        eligible, labs__total_bilirubin=_lab(3.7, uln=1.2), labs__gilbert_syndrome=True
    )
    assert verdict(beyond, "I7").verdict == Verdict.NOT_MET


def test_transaminases_at_2_5_uln_and_5_uln_with_liver_metastases(eligible):
    assert verdict(changed(eligible, labs__alt=_lab(100, uln=40)), "I7").verdict == Verdict.MET
    high = changed(eligible, labs__ast=_lab(180, uln=40))
    assert verdict(high, "I7").verdict == Verdict.NOT_MET
    assert verdict(changed(high, disease__liver_metastases=True), "I7").verdict == Verdict.MET
    very_high = changed(eligible, labs__ast=_lab(201, uln=40), disease__liver_metastases=True)
    assert verdict(very_high, "I7").verdict == Verdict.NOT_MET


def test_creatinine_clearance_exactly_50_is_met(eligible):
    # born 1961-01-01: 65 on 2026-11-18; male 60 kg, creatinine 1.25 -> 50 mL/min by hand
    base = changed(
        eligible,
        demographics__date_of_birth="1961-01-01",
        demographics__sex="male",
        demographics__weight_kg=60,
        demographics__child_bearing_potential=None,
    )
    at = verdict(changed(base, labs__serum_creatinine_mg_dl=_lab(1.25)), "I7")
    assert at.verdict == Verdict.MET
    assert at.values["creatinine_clearance_ml_min"] == pytest.approx(50.0)
    below = verdict(changed(base, labs__serum_creatinine_mg_dl=_lab(1.26)), "I7")
    assert below.verdict == Verdict.NOT_MET and "49.6 mL/min" in below.reason


def test_coagulation_limit_is_waived_on_anticoagulation(eligible):
    high = changed(eligible, labs__inr=_lab(2.5, uln=1.2))
    assert verdict(high, "I7").verdict == Verdict.NOT_MET
    assert verdict(changed(high, labs__on_anticoagulation=True), "I7").verdict == Verdict.MET


def test_labs_exactly_14_days_before_the_first_dose_count_and_15_do_not(eligible):
    at = changed(eligible, labs__anc_10e9_per_l=_lab(2.0, "2026-11-16"))
    assert verdict(at, "I7").verdict == Verdict.MET
    old = verdict(changed(eligible, labs__anc_10e9_per_l=_lab(2.0, "2026-11-15")), "I7")
    assert old.verdict == Verdict.MISSING_DATA
    assert old.missing_fields == ["labs.anc_10e9_per_l"]
    assert "15 days before the first dose" in old.reason


def test_every_missing_lab_is_named(eligible):
    data = changed(eligible, labs__lvef_percent=None, labs__aptt=None)
    assert verdict(data, "I7").missing_fields == ["labs.lvef_percent", "labs.aptt"]
