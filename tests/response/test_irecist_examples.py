"""iRECIST against the published examples: Seymour 2017 Table 3 and the EORTC iRECIST FAQ.

Seymour L et al. iRECIST: guidelines for response criteria for use in trials testing
immunotherapeutics. Lancet Oncol 2017;18:e143-e152, Table 3 ("Scenarios of assignments of best
overall response using iRECIST"; target disease at baseline, confirmation of CR/PR not
required). Each scenario is built from measurements whose time-point responses are the table's,
worked by hand in the comments (baseline target 50 mm, one non-target lesion). EORTC RECIST
working group, iRECIST questions and clarifications (recist.eortc.org/irecist): scans less than
4 weeks after iUPD; increases after iUPD add up.
"""

import pytest

from hyposti.response import NewLesion, Response, assess_patient
from tests.response.response_builders import day, patient, spec, visit

R = Response
LIVER = NewLesion(lesion_id="L1", organ="liver", diameter_mm=12)
LIVER_GONE = NewLesion(lesion_id="L1", organ="liver", state="disappeared")


def irecist(visits, **changes):
    return assess_patient(patient({"A": 50}, visits), spec(**changes), "irecist")


def table_3(visits):
    """Table 3 assumes no confirmation of CR/PR: iBOR is the best time point."""
    return irecist(visits, confirmation_required=False)


# Scans every 8 weeks. Worked values: PD needs the sum >= 20% and >= 5 mm above the nadir;
# iCPD needs >= 5 mm more than at iUPD (or another listed change); PR is <= 35 mm (-30%).
SCENARIOS = {
    # Example 1: iCR, iCR, iUPD, iCPD -> iCR. Target gone (nadir 0 mm); 10 mm back is PD
    # (+10 mm over 0); 16 mm is 6 mm above the 10 mm at iUPD.
    1: (
        [visit(56, {"A": "disappeared"}, nt="CR"), visit(112, {"A": "disappeared"}, nt="CR"),
         visit(168, {"A": 10}, nt="CR"), visit(224, {"A": 16}, nt="CR")],
        [R.ICR, R.ICR, R.IUPD, R.ICPD],
        R.ICR,
    ),
    # Example 2: iUPD, iPR, iCR -> iCR. A new liver lesion is iUPD; gone with the target at
    # 30 mm (-40%) resets to iPR; everything gone is iCR.
    2: (
        [visit(56, {"A": 45}, new=[LIVER]), visit(112, {"A": 30}, new=[LIVER_GONE]),
         visit(168, {"A": "disappeared"}, nt="CR", new=[LIVER_GONE])],
        [R.IUPD, R.IPR, R.ICR],
        R.ICR,
    ),
    # Example 3: iUPD, iPR, iPR -> iPR.
    3: (
        [visit(56, {"A": 45}, new=[LIVER]), visit(112, {"A": 30}, new=[LIVER_GONE]),
         visit(168, {"A": 30}, new=[LIVER_GONE])],
        [R.IUPD, R.IPR, R.IPR],
        R.IPR,
    ),
    # Example 4: iUPD, iSD, iPR -> iPR. 45 mm is -10% (iSD) once the new lesion is gone.
    4: (
        [visit(56, {"A": 45}, new=[LIVER]), visit(112, {"A": 45}, new=[LIVER_GONE]),
         visit(168, {"A": 30}, new=[LIVER_GONE])],
        [R.IUPD, R.ISD, R.IPR],
        R.IPR,
    ),
    # Example 5: iUPD, iSD, iSD -> iSD. 62 mm is +24%, +12 mm over the 50 mm nadir (iUPD);
    # 54 mm is +8% over the nadir (not PD) and +8% over baseline (SD): the bar resets.
    5: (
        [visit(56, {"A": 62}), visit(112, {"A": 54}), visit(168, {"A": 54})],
        [R.IUPD, R.ISD, R.ISD],
        R.ISD,
    ),
    # Example 6: iUPD, iCPD -> iCPD. 68 mm is 6 mm above the 62 mm at iUPD.
    6: (
        [visit(56, {"A": 62}), visit(112, {"A": 68})],
        [R.IUPD, R.ICPD],
        R.ICPD,
    ),
    # Example 7: iUPD, iUPD (no iCPD), iCPD -> iCPD. 64 mm is only 2 mm above 62 mm but still
    # +28% over the nadir (iUPD persists); 67 mm is 5 mm above the iUPD's 62 mm, 112 days after
    # it: the increases add up and confirm with no deadline.
    7: (
        [visit(56, {"A": 62}), visit(112, {"A": 64}), visit(168, {"A": 67})],
        [R.IUPD, R.IUPD, R.ICPD],
        R.ICPD,
    ),
    # Example 8: iUPD, NE, NE, NE, NE -> iUPD.
    8: (
        [visit(56, {"A": 62})] + [visit(d, {"A": "not_evaluated"}) for d in (112, 168, 224, 280)],
        [R.IUPD, R.NE, R.NE, R.NE, R.NE],
        R.IUPD,
    ),
}  # fmt: skip


@pytest.mark.parametrize("example", sorted(SCENARIOS))
def test_seymour_2017_table_3_best_overall_response(example):
    visits, time_points, ibor = SCENARIOS[example]
    r = table_3(visits)
    assert [p.overall_response for p in r.time_points] == time_points
    assert r.bor_confirmed is ibor


def test_table_3_example_7_under_the_8_week_window_never_confirms():
    visits, _, _ = SCENARIOS[7]
    r = irecist(
        visits,
        confirmation_required=False,
        irecist_confirmation="within_max_days",
        irecist_confirm_max_days=56,
    )
    # 67 mm on day 168 is 112 days after the iUPD of day 56: a new iUPD, not iCPD.
    assert [p.overall_response for p in r.time_points] == [R.IUPD, R.IUPD, R.IUPD]
    assert r.bor_confirmed is R.IUPD and r.progression_date is None


def test_increases_after_iupd_add_up_across_assessments():
    # FAQ: 62 mm at iUPD, then +2, +2 and +1 mm at 8-week scans: 67 mm is 5 mm above the iUPD.
    r = irecist([visit(56, {"A": 62}), visit(112, {"A": 64}), visit(168, {"A": 66}),
                 visit(224, {"A": 67})])  # fmt: skip
    assert [p.overall_response for p in r.time_points] == [R.IUPD, R.IUPD, R.IUPD, R.ICPD]
    assert r.progression_date == day(56)


# FAQ "Can imaging be used to confirm progression, even when done LESS than four weeks after the
# scans that showed iUPD": iUPD at time point 3 for new liver lesions; 14 days later an
# unscheduled CT for new symptoms shows a new lesion at a new site: that scan assigns iCPD.
FAQ_COURSE = [visit(42, {"A": 45}), visit(84, {"A": 45}), visit(126, {"A": 45}, new=[LIVER])]
BRAIN = NewLesion(lesion_id="B1", organ="brain")


def test_faq_unscheduled_scan_for_symptoms_with_a_further_new_lesion_confirms_early():
    early = visit(140, {"A": 45}, new=[LIVER, BRAIN]).model_copy(
        update={"unscheduled_for_symptoms": True}
    )
    r = irecist([*FAQ_COURSE, early])
    assert [p.overall_response for p in r.time_points] == [R.ISD, R.ISD, R.IUPD, R.ICPD]
    assert r.progression_date == day(126)
    assert "unscheduled scan for a new symptom or sign 14 days" in r.time_points[3].rule


def test_faq_early_scan_not_for_symptoms_or_showing_growth_only_is_disregarded():
    routine = visit(140, {"A": 45}, new=[LIVER, BRAIN])
    grown = NewLesion(lesion_id="L1", organ="liver", diameter_mm=20)
    growth_only = visit(140, {"A": 45}, new=[grown]).model_copy(
        update={"unscheduled_for_symptoms": True}
    )
    for early in (routine, growth_only):
        # The FAQ's scan 4.5 weeks (32 days) after iUPD: a further new liver lesion and the
        # first one 8 mm larger confirm iCPD.
        second_liver = NewLesion(lesion_id="L2", organ="liver")
        later = visit(158, {"A": 45}, new=[grown, second_liver])
        r = irecist([*FAQ_COURSE, early, later])
        responses = [p.overall_response for p in r.time_points]
        assert responses == [R.ISD, R.ISD, R.IUPD, R.IUPD, R.ICPD]
        assert "too early, disregarded" in r.time_points[3].rule
        assert r.progression_date == day(126)


def test_an_equivocal_new_lesion_confirmed_later_dates_iupd_to_its_first_scan():
    # RECIST 1.1 (Eisenhauer 2009) s4.3.5: PD dates to the scan where the lesion was first seen.
    first_seen = NewLesion(lesion_id="E", organ="liver", equivocal=True, diameter_mm=12)
    confirmed = NewLesion(lesion_id="E", organ="liver", diameter_mm=18)
    r = irecist([visit(56, {"A": 45}, new=[first_seen]), visit(112, {"A": 45}, new=[confirmed])])
    # Backdated: iUPD on day 56; 18 mm is 6 mm above the 12 mm new-lesion target at iUPD.
    assert [p.overall_response for p in r.time_points] == [R.IUPD, R.ICPD]
    assert r.progression_date == day(56)
    assert "PD dated to this scan" in r.time_points[0].rule
    never = NewLesion(lesion_id="E", organ="liver", equivocal=True, diameter_mm=12)
    unresolved = irecist([visit(56, {"A": 45}, new=[never]), visit(112, {"A": 45}, new=[never])])
    assert [p.overall_response for p in unresolved.time_points] == [R.ISD, R.ISD]
