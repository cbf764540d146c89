"""I2, I3, I4, I6 boundaries: HER2 30%, failed lines, lesions, 6-month sample, ECOG readings."""

import yaml

from hyposti.eligibility import Verdict
from hyposti.protocol import parse_protocol, shipped_protocol_path
from tests.eligibility.screening_helpers import changed, verdict


def test_her2_exactly_30_percent_is_met_and_just_below_is_not(eligible):
    assert verdict(changed(eligible, disease__her2_percent=30), "I2").verdict == Verdict.MET
    below = verdict(changed(eligible, disease__her2_percent=29.9), "I2")
    assert below.verdict == Verdict.NOT_MET
    assert "HER2 29.9% < 30%" in below.reason


def test_untreated_disease_qualifies_only_without_an_nccn_first_line(eligible):
    untreated = changed(eligible, treatment__prior_therapies=[])
    no_standard = changed(untreated, disease__nccn_standard_first_line_exists=False)
    assert verdict(no_standard, "I2").verdict == Verdict.MET
    with_standard = verdict(untreated, "I2")
    assert with_standard.verdict == Verdict.NOT_MET
    assert "NCCN standard" in with_standard.reason
    unknown = verdict(changed(untreated, disease__nccn_standard_first_line_exists=None), "I2")
    assert unknown.missing_fields == ["disease.nccn_standard_first_line_exists"]


def test_a_line_stopped_for_intolerance_counts_as_failed_but_one_completed_does_not(eligible):
    completed = [
        {
            "regimen": "FOLFOX",
            "kind": "systemic",
            "line": 1,
            "end_date": "2026-06-10",
            "outcome": "completed",
        }
    ]
    assert verdict(changed(eligible, treatment__prior_therapies=completed), "I2").verdict == (
        Verdict.NOT_MET
    )
    completed[0]["outcome"] = "intolerance"
    assert verdict(changed(eligible, treatment__prior_therapies=completed), "I2").verdict == (
        Verdict.MET
    )


def test_every_failing_part_of_i2_is_listed(eligible):
    data = changed(eligible, disease__her2_percent=10, disease__histologically_confirmed=False)
    reason = verdict(data, "I2").reason
    assert "not histologically confirmed" in reason and "HER2 10% < 30%" in reason


def test_one_measurable_lesion_is_enough_and_none_is_not(eligible):
    assert verdict(changed(eligible, disease__measurable_lesions=1), "I3").verdict == Verdict.MET
    assert verdict(changed(eligible, disease__measurable_lesions=0), "I3").verdict == (
        Verdict.NOT_MET
    )


def test_archival_sample_exactly_six_months_before_enrolment_is_accepted(eligible):
    # enrolment 2026-11-27; six calendar months earlier is 2026-05-27
    on = {"kind": "archival_ffpe", "collection_date": "2026-05-27"}
    assert verdict(changed(eligible, sample__tumour_sample=on), "I4").verdict == Verdict.MET
    older = {"kind": "archival_ffpe", "collection_date": "2026-05-26"}
    result = verdict(changed(eligible, sample__tumour_sample=older), "I4")
    assert result.verdict == Verdict.NOT_MET and "before 2026-05-27" in result.reason


def test_refusing_rebiopsy_fails_i4(eligible):
    assert verdict(changed(eligible, sample__rebiopsy_consent=False), "I4").verdict == (
        Verdict.NOT_MET
    )


def test_ecog_reading_0_to_2_admits_1_and_the_literal_reading_does_not(eligible):
    assert verdict(changed(eligible, disease__ecog=2), "I6").verdict == Verdict.MET
    assert verdict(changed(eligible, disease__ecog=3), "I6").verdict == Verdict.NOT_MET
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    i6 = next(c for c in data["eligibility"]["criteria"] if c["id"] == "I6")
    i6["check"]["allowed_ecog"] = [0, 2]
    literal = parse_protocol(yaml.safe_dump(data), "literal ECOG reading")
    result = verdict(changed(eligible, disease__ecog=1), "I6", literal)
    assert result.verdict == Verdict.NOT_MET
    assert "ECOG 1 is not in the allowed set [0, 2]" in result.reason
