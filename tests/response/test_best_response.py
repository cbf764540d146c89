"""Best overall response against Eisenhauer 2009 Table 3, confirmation and exclusion rules."""

import pytest

from hyposti.response import Response, assess_patient
from tests.response.response_builders import day, patient, spec, visit

R = Response
# One target of 100 mm at baseline, no non-target disease, so Table 1 gives CR for a target CR.
SIZE = {"CR": "disappeared", "PR": 60, "SD": 71, "NE": "not_evaluated"}  # 71: SD even after 60


def course(*steps, **spec_changes):
    """steps: (study day, 'CR'|'PR'|'SD'|'NE'|size in mm)."""
    visits = [
        visit(d, {"A": SIZE.get(s, s) if isinstance(s, str) else s}, nt=None) for d, s in steps
    ]
    return assess_patient(patient({"A": 100}, visits, non_target=False), spec(**spec_changes))


# (first time point, subsequent, best response when the first is on day 56 (>= 42, SD duration
# met), best response when it is on day 28 (SD duration not met)) — Eisenhauer 2009 Table 3.
# A PD after a CR (nadir 0 mm) is a 10 mm reappearance; after a PR (nadir 60 mm), 80 mm.
TABLE_3 = [
    ("CR", "CR", R.CR, R.CR),
    ("CR", "PD", R.SD, R.PD),
    ("CR", "NE", R.SD, R.NE),
    ("PR", "CR", R.PR, R.PR),
    ("PR", "PR", R.PR, R.PR),
    ("PR", "PD", R.SD, R.PD),
    ("PR", "NE", R.SD, R.NE),
    ("NE", "NE", R.NE, R.NE),
]


@pytest.mark.parametrize(("first", "then", "met", "not_met"), TABLE_3)
def test_table_3_rows(first, then, met, not_met):
    later = (10 if first == "CR" else 80) if then == "PD" else then
    assert course((56, first), (84, later)).bor_confirmed is met
    assert course((28, first), (56, later)).bor_confirmed is not_met


def test_table_3_pr_then_sd_is_sd():
    r = course((56, "PR"), (84, "SD"))
    assert r.bor_confirmed is R.SD
    assert "not confirmed" in r.bor_confirmed_reason


def test_table_3_cr_then_sd_is_sd_or_pd():
    # A single 15 mm node: 9 mm is CR (nodes < 10 mm), 11 mm is SD (-27%, +2 mm over nadir 9 mm).
    def node(first_day):
        data = patient(
            {"N": 15},
            [visit(first_day, {"N": 9}, nt=None), visit(first_day + 28, {"N": 11}, nt=None)],
            nodal=("N",),
            non_target=False,
        )
        return assess_patient(data, spec())

    met, not_met = node(56), node(28)
    assert [p.target_response for p in met.time_points] == [R.CR, R.SD]
    assert met.bor_confirmed is R.SD
    assert not_met.bor_confirmed is R.PD
    assert met.data_quality_flags and "Table 3 note a" in met.data_quality_flags[0]


def test_table_3_cr_then_pr_is_flagged_and_read_as_the_protocol_says():
    # 4 mm reappearing after CR: -96% from baseline (PR), +4 mm over the 0 mm nadir (not PD).
    as_pd = course((56, "CR"), (84, 4))
    assert as_pd.time_points[1].overall_response is R.PD
    assert as_pd.bor_confirmed is R.SD
    assert as_pd.progression_date == day(84)
    assert "CR on" in as_pd.data_quality_flags[0]
    assert course((28, "CR"), (56, 4)).bor_confirmed is R.PD
    as_pr = course((56, "CR"), (84, 4), cr_followed_by_pr="first_cr_was_pr")
    assert as_pr.bor_confirmed is R.PR
    assert as_pr.progression_date is None
    assert as_pr.data_quality_flags


def test_confirmation_needs_the_minimum_interval():
    assert course((56, "PR"), (83, "PR")).bor_confirmed is R.SD
    exact = course((56, "PR"), (84, "PR"))
    assert exact.bor_confirmed is R.PR
    assert (exact.first_response_date, exact.response_confirmed_date) == (day(56), day(84))


def test_ne_allowed_between_response_and_confirmation():
    one_ne = ((56, "PR"), (70, "NE"), (98, "PR"))
    assert course(*one_ne).bor_confirmed is R.PR
    assert course(*one_ne, max_ne_between_response_and_confirmation=0).bor_confirmed is R.SD
    two_ne = ((56, "PR"), (70, "NE"), (84, "NE"), (98, "PR"))
    assert course(*two_ne).bor_confirmed is R.SD
    assert course(*two_ne, max_ne_between_response_and_confirmation=2).bor_confirmed is R.PR


def test_one_sd_between_pr_and_confirmation_only_if_the_protocol_accepts_it():
    steps = ((56, "PR"), (70, "SD"), (98, "PR"))
    assert course(*steps).bor_confirmed is R.SD
    assert course(*steps, accept_sd_between_pr_and_confirmation=True).bor_confirmed is R.PR
    two_sd = ((56, "PR"), (70, "SD"), (84, "SD"), (112, "PR"))
    assert course(*two_sd, accept_sd_between_pr_and_confirmation=True).bor_confirmed is R.SD


def test_minimum_sd_duration():
    assert course((42, "SD")).bor_confirmed is R.SD
    assert course((41, "SD")).bor_confirmed is R.NE
    assert course((35, "SD"), (63, 125)).bor_confirmed is R.PD


def test_unconfirmed_best_response_takes_the_best_time_point():
    r = course((28, "CR"), (56, 10))
    assert (r.bor_unconfirmed, r.bor_confirmed) == (R.CR, R.PD)
    assert r.first_unconfirmed_response_date == day(28)
    assert r.first_response_date is None
    no_confirmation = course((28, "PR"), confirmation_required=False)
    assert no_confirmation.bor_confirmed is R.PR


def test_assessments_after_new_therapy_or_progression_are_excluded():
    therapy = assess_patient(
        patient(
            {"A": 100},
            [visit(56, {"A": 60}, nt=None), visit(84, {"A": 50}, nt=None)],
            non_target=False,
            therapy_day=60,
        ),
        spec(),
    )
    assert therapy.bor_confirmed is R.SD
    assert not therapy.time_points[1].included
    assert "new anticancer therapy" in therapy.time_points[1].excluded_because
    after_pd = course((56, "PR"), (84, 80), (112, "PR"), (140, "PR"))
    assert after_pd.bor_confirmed is R.SD
    assert after_pd.progression_date == day(84)
    assert [p.included for p in after_pd.time_points] == [True, True, False, False]


def test_endpoint_dates_and_waterfall_value():
    r = course((42, 65), (84, 50), (126, "NE"), (168, 62))
    # 50 mm nadir; 62 mm is +24% and +12 mm: PD on day 168.
    assert r.bor_confirmed is R.PR
    assert (r.first_response_date, r.response_confirmed_date) == (day(42), day(84))
    assert r.progression_date == day(168)
    assert r.last_adequate_assessment_date == day(168)
    assert r.best_pct_change == pytest.approx(-50.0)
    assert [p.pct_from_baseline for p in r.time_points] == [-35.0, -50.0, None, -38.0]


def test_last_adequate_assessment_skips_ne():
    r = course((42, "SD"), (84, "NE"))
    assert r.last_adequate_assessment_date == day(42)


def test_assessment_on_the_day_new_therapy_starts_is_kept():
    data = patient(
        {"A": 100},
        [visit(56, {"A": 60}, nt=None), visit(84, {"A": 50}, nt=None)],
        non_target=False,
        therapy_day=84,
    )
    r = assess_patient(data, spec())
    assert r.time_points[1].included
    assert r.bor_confirmed is R.PR
