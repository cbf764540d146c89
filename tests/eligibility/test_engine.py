"""Overall status, every failure listed, missing fields named, dates and attestations checked."""

import datetime as dt

import pytest

from hyposti.eligibility import ScreeningRecord, ScreeningResult, Verdict, screen
from hyposti.errors import InputError
from hyposti.protocol import load_protocol
from tests.eligibility.screening_helpers import changed

TODAY = dt.date(2026, 11, 20)


def _screen(data, today=TODAY):
    return screen(ScreeningRecord.model_validate(data), load_protocol(), today)


def test_the_eligible_example_meets_all_25_criteria(eligible):
    result = _screen(eligible)
    assert result.status == "eligible"
    assert [c.id for c in result.criteria] == [f"I{i}" for i in range(1, 11)] + [
        f"E{i}" for i in range(1, 16)
    ]
    assert all(c.verdict == Verdict.MET for c in result.criteria)


def test_every_failing_criterion_is_listed(ineligible):
    result = _screen(ineligible)
    assert result.status == "ineligible"
    assert result.failing == ["I1", "I2", "I6", "I7", "E3", "E12"]
    e3 = next(c for c in result.criteria if c.id == "E3")
    # prednisolone 20 mg = 20 mg prednisone (5 = 5)
    assert "20 mg prednisone equivalent" in e3.reason


def test_missing_data_makes_the_record_incomplete_and_names_the_fields(eligible):
    data = changed(eligible, disease__her2_percent=None, enrolment_date=None)
    result = _screen(data)
    assert result.status == "incomplete"
    assert "disease.her2_percent" in result.missing_fields
    assert "enrolment_date" in result.missing_fields


def test_failure_outranks_missing_data(eligible):
    data = changed(eligible, disease__her2_percent=None, disease__ecog=4)
    result = _screen(data)
    assert result.status == "ineligible" and result.failing == ["I6"]


def test_outstanding_judgement_means_pending_review(eligible):
    result = _screen(changed(eligible, attestations=[]))
    assert result.status == "pending_review"
    assert result.pending_review == ["E1", "E6", "E7", "E8"]


def test_the_result_round_trips_through_json(eligible):
    result = _screen(eligible)
    assert ScreeningResult.model_validate_json(result.model_dump_json()) == result


@pytest.mark.parametrize(
    ("paths", "field"),
    [
        (
            {"labs__anc_10e9_per_l": {"value": 2.0, "date": "2026-11-21"}},
            "labs.anc_10e9_per_l.date",
        ),
        (
            {"medications__vaccinations": [{"vaccine": "flu", "date": "2026-12-01"}]},
            "medications.vaccinations[0].date",
        ),
        ({"screening_date": "2026-11-21"}, "screening_date"),
        ({"history__cns__brain_mri_date": "2026-11-25"}, "history.cns.brain_mri_date"),
        (
            {
                "history__prior_cancers": [
                    {
                        "description": "basal cell carcinoma",
                        "category": "non_melanoma_skin_cancer",
                        "diagnosis_date": "2025-02-10",
                        "last_treatment_date": "2026-12-01",
                    }
                ]
            },
            "history.prior_cancers[0].last_treatment_date",
        ),
        (
            {
                "attestations": [
                    {
                        "criterion_id": criterion,
                        "satisfied": True,
                        "investigator": "Dr A",
                        "attested_on": day,
                    }
                    for criterion, day in (("E1", "2026-11-20"), ("E6", "2026-11-21"))
                ]
            },
            "attestations[1].attested_on",
        ),
    ],
)
def test_dates_after_today_are_refused(eligible, paths, field):
    with pytest.raises(InputError) as info:
        _screen(changed(eligible, **paths))
    assert info.value.field == field and "2026-11-20" in str(info.value)


def test_planned_dates_may_lie_ahead_of_today(eligible):
    # enrolment 2026-11-27 and first dose 2026-11-30 are after "today" 2026-11-20: not refused
    assert _screen(eligible).status == "eligible"


@pytest.mark.parametrize(
    ("criterion", "message"),
    [("E12", "decided by the rule 'vaccination'"), ("E99", "no such criterion")],
)
def test_attestations_only_settle_judgement_criteria(eligible, criterion, message):
    attest = [
        {
            "criterion_id": criterion,
            "satisfied": True,
            "investigator": "Dr B",
            "attested_on": "2026-11-20",
        }
    ]
    with pytest.raises(InputError, match=message):
        _screen(changed(eligible, attestations=attest))


def test_a_duplicate_attestation_is_refused(eligible):
    twice = eligible["attestations"] + eligible["attestations"][:1]
    with pytest.raises(InputError, match="attested twice"):
        _screen(changed(eligible, attestations=twice))


def test_a_criterion_without_a_rule_needs_judgement(boin_protocol_path, eligible):
    protocol = load_protocol(boin_protocol_path)
    record = ScreeningRecord.model_validate(changed(eligible, attestations=[]))
    result = screen(record, protocol, TODAY)
    assert result.status == "pending_review"
    assert result.pending_review == ["I1", "I2", "E1"]
