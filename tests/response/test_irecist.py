"""iRECIST sequences against Seymour 2017 (Table 2, confirmation and reset rules) by hand."""

import pytest
from pydantic import ValidationError

from hyposti.response import NewLesion, Response, assess_patient
from tests.response.response_builders import day, patient, spec, visit

R = Response


def irecist(baseline, visits, **kw):
    return assess_patient(patient(baseline, visits, **kw), spec(), "irecist")


def responses(r):
    return [p.overall_response for p in r.time_points]


def test_iupd_confirmed_by_a_further_5mm_within_4_to_8_weeks():
    # 50 -> 30 (iPR, nadir 30) -> 40 (+33%, +10 mm: iUPD) -> 45 (+5 mm since iUPD, 28 days).
    r = irecist({"A": 50}, [visit(42, {"A": 30}), visit(84, {"A": 40}), visit(112, {"A": 45})])
    assert responses(r) == [R.IPR, R.IUPD, R.ICPD]
    assert r.progression_date == day(84)  # iPFS event dates to the iUPD that was confirmed
    assert r.bor_unconfirmed is R.IPR
    assert ">= 5 mm above 40 mm at iUPD" in r.time_points[2].rule


def test_same_patient_under_recist_progresses_at_the_first_increase():
    data = patient({"A": 50}, [visit(42, {"A": 30}), visit(84, {"A": 40}), visit(112, {"A": 45})])
    r = assess_patient(data, spec(), "recist11")
    assert [p.overall_response for p in r.time_points] == [R.PR, R.PD, R.PD]
    assert r.progression_date == day(84)


def test_sequential_increases_add_up_towards_confirmation():
    # +4 mm (stays iUPD, still PD against the 30 mm nadir), then +2 mm more: 6 mm since iUPD.
    r = irecist(
        {"A": 50},
        [visit(42, {"A": 30}), visit(84, {"A": 40}), visit(98, {"A": 44}), visit(126, {"A": 46})],
    )
    assert responses(r) == [R.IPR, R.IUPD, R.IUPD, R.ICPD]


def test_increase_seen_earlier_than_4_weeks_does_not_confirm():
    r = irecist(
        {"A": 50},
        [visit(42, {"A": 30}), visit(84, {"A": 40}), visit(98, {"A": 46}), visit(112, {"A": 46})],
    )
    assert responses(r) == [R.IPR, R.IUPD, R.IUPD, R.ICPD]
    assert "too early" in r.time_points[2].rule


def test_an_assessment_later_than_8_weeks_still_confirms_while_iupd_persists():
    # Seymour 2017's 4-8 weeks is when to scan next, not a deadline (reading in force).
    steps = [visit(42, {"A": 30}), visit(84, {"A": 40}), visit(150, {"A": 50})]
    r = irecist({"A": 50}, steps)
    assert responses(r) == [R.IPR, R.IUPD, R.ICPD]
    assert r.progression_date == day(84)
    assert "confirmed 66 days later" in r.time_points[2].rule


def test_the_8_week_window_stays_selectable_and_then_starts_a_new_iupd():
    steps = [visit(42, {"A": 30}), visit(84, {"A": 40}), visit(150, {"A": 50})]
    window = spec(irecist_confirmation="within_max_days", irecist_confirm_max_days=56)
    r = assess_patient(patient({"A": 50}, steps), window, "irecist")
    assert responses(r) == [R.IPR, R.IUPD, R.IUPD]
    assert r.progression_date is None
    assert r.unconfirmed_progression_date == day(150)
    assert "reading within_max_days" in r.time_points[2].rule


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"irecist_confirmation": "within_max_days"}, "is required"),
        ({"irecist_confirm_max_days": 56}, "applies only to"),
        (
            {
                "irecist_confirmation": "within_max_days",
                "irecist_confirm_min_days": 60,
                "irecist_confirm_max_days": 56,
            },
            "exceeds",
        ),
    ],
)
def test_the_window_settings_must_agree(changes, problem):
    with pytest.raises(ValidationError, match=problem):
        spec(**changes)


def test_shrinkage_after_iupd_resets_the_bar():
    # iUPD at 40 mm, back to 30 mm (iPR: -40% from baseline) resets; 38 mm meets iUPD again
    # against the 30 mm nadir and needs its own confirmation (44 mm: +6 mm).
    r = irecist(
        {"A": 50},
        [
            visit(42, {"A": 30}),
            visit(84, {"A": 40}),
            visit(112, {"A": 30}),
            visit(140, {"A": 38}),
            visit(168, {"A": 44}),
        ],
    )
    assert responses(r) == [R.IPR, R.IUPD, R.IPR, R.IUPD, R.ICPD]
    assert "bar resets" in r.time_points[2].rule
    assert r.progression_date == day(140)


def test_response_after_reset_can_be_confirmed():
    r = irecist(
        {"A": 50},
        [visit(42, {"A": 40}), visit(84, {"A": 48}), visit(112, {"A": 30}), visit(140, {"A": 30})],
    )
    assert responses(r) == [R.ISD, R.IUPD, R.IPR, R.IPR]
    assert r.bor_confirmed is R.IPR
    assert (r.first_response_date, r.response_confirmed_date) == (day(112), day(140))


def test_new_lesion_iupd_confirmed_by_a_further_new_lesion():
    x = NewLesion(lesion_id="X", organ="liver")
    y = NewLesion(lesion_id="Y", organ="lung")
    r = irecist({"A": 50}, [visit(42, {"A": 45}, new=[x]), visit(70, {"A": 45}, new=[x, y])])
    assert responses(r) == [R.IUPD, R.ICPD]
    assert "further new lesion" in r.time_points[1].rule


def test_new_lesion_targets_kept_apart_and_confirm_by_5mm():
    x12 = NewLesion(lesion_id="X", organ="liver", diameter_mm=12)
    x17 = NewLesion(lesion_id="X", organ="liver", diameter_mm=17)
    r = irecist({"A": 50}, [visit(42, {"A": 45}, new=[x12]), visit(70, {"A": 45}, new=[x17])])
    assert responses(r) == [R.IUPD, R.ICPD]
    assert r.time_points[0].sum_mm == 45  # the new lesion is not added to the target sum
    assert r.time_points[1].new_lesion_target_sum_mm == 17


def test_new_lesion_iupd_persists_without_change_and_resets_on_further_shrinkage():
    # EORTC iRECIST FAQ (scenarios B and F of Seymour 2017's figure): after a new-lesion iUPD,
    # further shrinkage of the baseline targets gives iPR (B); no change in any measurement
    # keeps iUPD (F), as does Table 2's 'no change in new lesions: remains iUPD'.
    x = NewLesion(lesion_id="X", organ="liver", diameter_mm=12)
    scenario_b = irecist({"A": 50}, [visit(42, {"A": 45}, new=[x]), visit(84, {"A": 30}, new=[x])])
    assert responses(scenario_b) == [R.IUPD, R.IPR]
    assert "bar resets" in scenario_b.time_points[1].rule
    scenario_f = irecist(
        {"A": 50},
        [visit(42, {"A": 30}), visit(84, {"A": 30}, new=[x]), visit(126, {"A": 30}, new=[x])],
    )
    assert responses(scenario_f) == [R.IPR, R.IUPD, R.IUPD]
    assert "no further shrinkage" in scenario_f.time_points[2].rule


def test_new_lesion_increases_add_up_to_icpd():
    # FAQ 'How do new lesions define progression?': "a 4mm increase at one assessment, followed
    # at the next assessment by a further 2mm increase meets the criteria for iCPD".
    sizes = (12, 16, 18)
    steps = [
        visit(42 * (k + 1), {"A": 45}, new=[NewLesion(lesion_id="X", organ="liver", diameter_mm=d)])
        for k, d in enumerate(sizes)
    ]
    r = irecist({"A": 50}, steps)
    assert responses(r) == [R.IUPD, R.IUPD, R.ICPD]
    assert "new-lesion target sum 18 mm is >= 5 mm above 12 mm" in r.time_points[2].rule
    assert r.progression_date == day(42)


def test_icr_needs_new_lesions_gone():
    x = NewLesion(lesion_id="X", organ="liver", diameter_mm=12)
    x_gone = NewLesion(lesion_id="X", organ="liver", state="disappeared")
    present = irecist(
        {"A": 50},
        [visit(42, {"A": 45}, new=[x]), visit(70, {"A": "disappeared"}, nt="CR", new=[x])],
    )
    assert responses(present) == [R.IUPD, R.IPR]
    gone = irecist(
        {"A": 50},
        [visit(42, {"A": 45}, new=[x]), visit(70, {"A": "disappeared"}, nt="CR", new=[x_gone])],
    )
    assert responses(gone) == [R.IUPD, R.ICR]


def test_non_target_iupd_confirmed_by_any_further_increase():
    stays = irecist({"A": 50}, [visit(42, {"A": 45}, nt="PD"), visit(70, {"A": 45}, nt="PD")])
    assert responses(stays) == [R.IUPD, R.IUPD]
    grows = irecist(
        {"A": 50},
        [visit(42, {"A": 45}, nt="PD"), visit(70, {"A": 45}, nt="PD", nt_increased=True)],
    )
    assert responses(grows) == [R.IUPD, R.ICPD]


def test_progression_in_a_new_category_confirms():
    r = irecist(
        {"A": 50},
        [visit(42, {"A": 30}), visit(84, {"A": 40}), visit(112, {"A": 41}, nt="PD")],
    )
    assert responses(r) == [R.IPR, R.IUPD, R.ICPD]
    assert "category not progressed" in r.time_points[2].rule


def test_unconfirmed_iupd_at_the_last_assessment_stays_iupd():
    r = irecist({"A": 50}, [visit(28, {"A": 62})])
    assert responses(r) == [R.IUPD]
    assert r.bor_confirmed is R.IUPD
    assert r.progression_date is None and r.unconfirmed_progression_date == day(28)
    with_sd = irecist({"A": 50}, [visit(42, {"A": 45}), visit(84, {"A": 62})])
    assert with_sd.bor_confirmed is R.ISD


def test_under_the_window_reading_an_unchanged_new_lesion_cannot_hold_iupd_past_the_window():
    # 70 days after a new-lesion iUPD (> 56): that iUPD can neither be confirmed nor held, and
    # nothing meets progression criteria again, so the bar resets (45 mm is -10%: iSD).
    x = NewLesion(lesion_id="X", organ="liver", diameter_mm=12)
    steps = [visit(42, {"A": 45}, new=[x]), visit(112, {"A": 45}, new=[x])]
    window = spec(irecist_confirmation="within_max_days", irecist_confirm_max_days=56)
    assert responses(assess_patient(patient({"A": 50}, steps), window, "irecist")) == [
        R.IUPD,
        R.ISD,
    ]
    assert responses(irecist({"A": 50}, steps)) == [R.IUPD, R.IUPD]
