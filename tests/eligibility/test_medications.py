"""E3 and E12 boundaries: 10 mg/day prednisone equivalent, the 14- and 30-day windows.

Equivalent doses (Liu D et al. 2013, Allergy Asthma Clin Immunol 9:30, Table 1): prednisone 5 =
dexamethasone 0.75 = hydrocortisone 20 = methylprednisolone 4 mg. Enrolment is 2026-11-27.
"""

import pytest

from hyposti.eligibility import Verdict, prednisone_equivalent_mg
from hyposti.errors import InputError
from hyposti.protocol import load_protocol
from tests.eligibility.screening_helpers import changed, verdict


@pytest.mark.parametrize(
    ("drug", "dose", "prednisone"),
    [
        ("dexamethasone", 1.5, 10.0),  # 1.5 x 5 / 0.75
        ("hydrocortisone", 40, 10.0),  # 40 x 5 / 20
        ("methylprednisolone", 8, 10.0),  # 8 x 5 / 4
        ("betamethasone", 1.2, 10.0),  # 1.2 x 5 / 0.6
        ("cortisone", 50, 10.0),  # 50 x 5 / 25
        ("Prednisolone", 10, 10.0),
    ],
)
def test_prednisone_equivalents_from_the_table(drug, dose, prednisone):
    table = load_protocol().corticosteroid_equivalence
    assert prednisone_equivalent_mg(drug, dose, table) == pytest.approx(prednisone)


def test_an_unknown_corticosteroid_is_refused_with_the_known_names():
    with pytest.raises(InputError, match=r"equivalence table.*dexamethasone"):
        prednisone_equivalent_mg("deflazacort", 6, load_protocol().corticosteroid_equivalence)


def _steroid(drug, dose, start="2026-11-01", end=None, route="oral"):
    return {"drug": drug, "daily_dose_mg": dose, "route": route, "start_date": start} | (
        {"end_date": end} if end else {}
    )


@pytest.mark.parametrize(
    ("steroids", "expected"),
    [
        ([_steroid("prednisone", 10)], Verdict.MET),
        ([_steroid("prednisone", 10.5)], Verdict.NOT_MET),
        ([_steroid("dexamethasone", 1.5)], Verdict.MET),
        ([_steroid("dexamethasone", 1.6)], Verdict.NOT_MET),
        # concurrent courses add up: 5 + 20 x 5/20 = 10, then 5 + 24 x 5/20 = 11
        ([_steroid("prednisone", 5), _steroid("hydrocortisone", 20)], Verdict.MET),
        ([_steroid("prednisone", 5), _steroid("hydrocortisone", 24)], Verdict.NOT_MET),
        # consecutive courses do not overlap: 8 mg/day at most
        (
            [
                _steroid("prednisone", 8, end="2026-11-15"),
                _steroid("prednisone", 8, start="2026-11-16"),
            ],
            Verdict.MET,
        ),
        # inhaled steroids are not counted (and need not be in the table)
        ([_steroid("fluticasone", 500, route="inhaled")], Verdict.MET),
    ],
)
def test_daily_prednisone_equivalent_above_10_mg_excludes(eligible, steroids, expected):
    assert verdict(changed(eligible, medications__corticosteroids=steroids), "E3").verdict == (
        expected
    )


def test_the_14_day_window_is_inclusive(eligible):
    # enrolment 2026-11-27: the window opens 2026-11-13
    inside = [_steroid("prednisone", 20, start="2026-10-01", end="2026-11-13")]
    outside = [_steroid("prednisone", 20, start="2026-10-01", end="2026-11-12")]
    assert verdict(changed(eligible, medications__corticosteroids=inside), "E3").verdict == (
        Verdict.NOT_MET
    )
    assert verdict(changed(eligible, medications__corticosteroids=outside), "E3").verdict == (
        Verdict.MET
    )


def test_any_immunosuppressant_in_the_window_excludes(eligible):
    drugs = [{"drug": "tacrolimus", "start_date": "2026-01-01"}]
    result = verdict(changed(eligible, medications__immunosuppressants=drugs), "E3")
    assert result.verdict == Verdict.NOT_MET and "tacrolimus" in result.reason


@pytest.mark.parametrize(
    ("date", "expected"), [("2026-10-28", Verdict.NOT_MET), ("2026-10-27", Verdict.MET)]
)
def test_vaccination_exactly_30_days_before_enrolment_excludes(eligible, date, expected):
    vaccines = [{"vaccine": "influenza", "date": date}]
    assert verdict(changed(eligible, medications__vaccinations=vaccines), "E12").verdict == (
        expected
    )


def test_unrecorded_medications_are_missing_not_assumed_absent(eligible):
    result = verdict(changed(eligible, medications__immunosuppressants=None), "E3")
    assert result.missing_fields == ["medications.immunosuppressants"]
