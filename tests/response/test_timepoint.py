"""RECIST 1.1 time-point response against Eisenhauer 2009 Tables 1-2 and section 4.3 rules."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyposti.response import NewLesion, NewLesionStatus, NonTargetStatus, Response, assess_patient
from hyposti.response.timepoint import meets_pd, meets_pr, overall_response
from tests.response.response_builders import patient, spec, visit

R, N, NEW = Response, NonTargetStatus, NewLesionStatus

# Eisenhauer 2009 Table 1 (target disease present), one line per row of the published table;
# 'Non-PD or not all evaluated' and 'Any' rows are expanded over every value they cover.
TABLE_1 = [
    (R.CR, N.CR, NEW.NONE, R.CR),
    (R.CR, N.NON_CR_NON_PD, NEW.NONE, R.PR),
    (R.CR, N.NE, NEW.NONE, R.PR),
    (R.PR, N.NON_CR_NON_PD, NEW.NONE, R.PR),
    (R.PR, N.CR, NEW.NONE, R.PR),
    (R.PR, N.NE, NEW.NONE, R.PR),
    (R.SD, N.NON_CR_NON_PD, NEW.NONE, R.SD),
    (R.SD, N.CR, NEW.NONE, R.SD),
    (R.SD, N.NE, NEW.NONE, R.SD),
    (R.NE, N.NON_CR_NON_PD, NEW.NONE, R.NE),
    (R.NE, N.CR, NEW.NONE, R.NE),
    *[(R.PD, n, new, R.PD) for n in N for new in (NEW.NONE, NEW.UNEQUIVOCAL)],
    *[(t, N.PD, new, R.PD) for t in (R.CR, R.PR, R.SD, R.NE) for new in NEW],
    *[(t, n, NEW.UNEQUIVOCAL, R.PD) for t in (R.CR, R.PR, R.SD, R.NE) for n in N],
]

# Eisenhauer 2009 Table 2 (non-target disease only).
TABLE_2 = [
    (N.CR, NEW.NONE, R.CR),
    (N.NON_CR_NON_PD, NEW.NONE, R.NON_CR_NON_PD),
    (N.NE, NEW.NONE, R.NE),
    (N.PD, NEW.NONE, R.PD),
    (N.PD, NEW.UNEQUIVOCAL, R.PD),
    (N.CR, NEW.UNEQUIVOCAL, R.PD),
    (N.NON_CR_NON_PD, NEW.UNEQUIVOCAL, R.PD),
]


@pytest.mark.parametrize(("target", "non_target", "new", "expected"), TABLE_1)
def test_table_1_rows(target, non_target, new, expected):
    result, rule = overall_response(target, non_target, new)
    assert result is expected
    assert rule.startswith("RECIST 1.1 Table 1")


@pytest.mark.parametrize(("non_target", "new", "expected"), TABLE_2)
def test_table_2_rows(non_target, new, expected):
    result, rule = overall_response(None, non_target, new)
    assert result is expected
    assert rule.startswith("RECIST 1.1 Table 2")


def test_equivocal_new_lesion_alone_is_not_progression():
    result, rule = overall_response(R.SD, N.NON_CR_NON_PD, NEW.EQUIVOCAL)
    assert result is R.SD
    assert "equivocal" in rule


def _points(baseline, visits, **kw):
    return assess_patient(patient(baseline, visits, **kw), spec()).time_points


def test_progression_is_measured_from_the_nadir_not_baseline():
    # Baseline 100 mm, nadir 60 mm; 73 mm is 27% below baseline but +21.7% and +13 mm over nadir.
    pts = _points({"A": 100}, [visit(42, {"A": 60}), visit(84, {"A": 73})])
    assert [p.overall_response for p in pts] == [R.PR, R.PD]
    assert pts[1].nadir_mm == 60
    assert pts[1].pct_from_baseline == pytest.approx(-27.0)
    assert pts[1].pct_from_nadir == pytest.approx(100 * 13 / 60)


def test_twenty_percent_needs_five_mm_absolute():
    # Nadir 20 mm: 24 mm is +20% but +4 mm (SD); 25 mm is +25% and +5 mm (PD).
    assert _points({"A": 20}, [visit(42, {"A": 24})])[0].target_response is R.SD
    assert _points({"A": 20}, [visit(42, {"A": 25})])[0].target_response is R.PD


def test_exactly_twenty_percent_and_thirty_percent_are_enough():
    # 50 -> 60 mm is exactly +20% and +10 mm: PD. 50 -> 35 mm is exactly -30%: PR.
    assert _points({"A": 50}, [visit(42, {"A": 60})])[0].target_response is R.PD
    assert _points({"A": 50}, [visit(42, {"A": 35})])[0].target_response is R.PR
    assert _points({"A": 50}, [visit(42, {"A": 35.1})])[0].target_response is R.SD


def test_nodes_below_10mm_are_cr_with_a_non_zero_sum():
    pts = _points({"A": 30, "N1": 20}, [visit(42, {"A": "disappeared", "N1": 8})], nodal=("N1",))
    assert pts[0].sum_mm == 8
    assert pts[0].target_response is R.CR
    assert pts[0].overall_response is R.PR  # non-target still present: Table 1 row CR/non-CR


def test_node_at_10mm_is_not_cr():
    pts = _points({"A": 30, "N1": 20}, [visit(42, {"A": "disappeared", "N1": 10})], nodal=("N1",))
    assert pts[0].target_response is R.PR


def test_too_small_to_measure_counts_5mm_and_is_not_cr():
    pts = _points({"A": 20, "B": 20}, [visit(42, {"A": "too_small_to_measure", "B": 10})])
    assert pts[0].sum_mm == 15  # 5 + 10
    assert pts[0].target_response is R.PR
    # A lesion the radiologist did measure below 5 mm keeps its measurement.
    assert _points({"A": 20}, [visit(42, {"A": 3})])[0].sum_mm == 3


def test_split_lesion_adds_fragments_and_merged_lesions_take_the_coalesced_diameter():
    split = _points({"A": 40}, [visit(42, {"A": [12, 10]})])
    assert split[0].sum_mm == 22
    merged = _points({"A": 20, "B": 20}, [visit(42, {"A": 35, "B": ("merged", "A")})])
    assert merged[0].sum_mm == 35


def test_missing_lesion_gives_ne_unless_the_rest_already_shows_pd():
    # Eisenhauer 2009 s4.4.2 example: baseline 50 mm over three lesions; two lesions alone at
    # 80 mm at follow-up is PD whatever the third measures.
    pd_case = _points(
        {"A": 20, "B": 20, "C": 10}, [visit(42, {"A": 40, "B": 40, "C": "not_evaluated"})]
    )
    assert pd_case[0].target_response is R.PD
    assert pd_case[0].sum_mm is None and pd_case[0].measured_sum_mm == 80
    ne_case = _points(
        {"A": 20, "B": 20, "C": 10}, [visit(42, {"A": 20, "B": 20, "C": "not_evaluated"})]
    )
    assert ne_case[0].target_response is R.NE
    assert ne_case[0].overall_response is R.NE


def test_equivocal_new_lesion_confirmed_later_dates_pd_to_its_first_scan():
    equivocal = NewLesion(lesion_id="X", organ="liver", equivocal=True)
    confirmed = NewLesion(lesion_id="X", organ="liver")
    r = assess_patient(
        patient(
            {"A": 50},
            [
                visit(42, {"A": 45}),
                visit(84, {"A": 44}, new=[equivocal]),
                visit(126, {"A": 44}, new=[confirmed]),
            ],
        ),
        spec(),
    )
    assert [p.overall_response for p in r.time_points] == [R.SD, R.PD, R.PD]
    assert "s4.3.5" in r.time_points[1].rule
    assert r.progression_date == r.time_points[1].date
    assert not r.time_points[2].included


def test_unconfirmed_equivocal_new_lesion_is_not_progression():
    equivocal = NewLesion(lesion_id="X", organ="liver", equivocal=True)
    r = assess_patient(patient({"A": 50}, [visit(42, {"A": 45}, new=[equivocal])]), spec())
    assert r.time_points[0].overall_response is R.SD
    assert r.progression_date is None


def test_no_non_target_disease_lets_target_cr_be_overall_cr():
    pts = _points({"A": 30}, [visit(42, {"A": "disappeared"}, nt=None)], non_target=False)
    assert pts[0].overall_response is R.CR
    assert pts[0].sum_mm == 0


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 3000), st.integers(0, 3000), st.integers(1, 3000))
def test_thresholds_match_exact_integer_arithmetic(sum_tenths, nadir_tenths, base_tenths):
    # Sums in tenths of a millimetre, as recorded; the exact rules in integers: PD needs
    # 5 x increase >= nadir and increase >= 5 mm; PR needs 10 x decrease >= 3 x baseline.
    s, n, b = sum_tenths / 10, nadir_tenths / 10, base_tenths / 10
    increase = sum_tenths - nadir_tenths
    assert meets_pd(s, n) == (increase >= 50 and 5 * increase >= nadir_tenths)
    assert meets_pr(s, b) == (10 * (base_tenths - sum_tenths) >= 3 * base_tenths)
