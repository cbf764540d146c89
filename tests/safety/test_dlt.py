"""DLT adjudication: each clause of the NCT05681650 definition, the window, relatedness,
evaluability and bad input. Expected verdicts are read from the registry's definition: "related
adverse events within the first 28 days ... grade 3 or higher CRS or CRES, grade 3 or higher
cutaneous/ mucosal toxicity, and any other grade 4 toxicities"."""

from __future__ import annotations

import datetime as dt

import pytest

from hyposti.errors import InputError, RecordError
from hyposti.protocol import load_protocol
from hyposti.safety.dlt import adjudicate, parse_patient

SPEC = load_protocol().dlt
PRODUCTS = load_protocol().product_ids
INFUSION = dt.date(2026, 3, 6)
TODAY = dt.date(2026, 6, 1)
RELATED = {"car_t": "probable", "nab_paclitaxel": "unlikely", "cyclophosphamide": "unlikely"}


def _day(n: int) -> str:
    return (INFUSION + dt.timedelta(days=n)).isoformat()


def _ae(term, grade, day, scale="CTCAE v5.0", car_t="probable", **extra):
    return {
        "term": term,
        "grade": grade,
        "scale": scale,
        "onset": _day(day),
        "serious": grade >= 3,
        "attribution": RELATED | {"car_t": car_t},
    } | extra


def _patient(*events, follow_up=35, infusion=True, **extra):
    return parse_patient(
        {
            "patient_id": "P01",
            "dose_level": 1,
            "cohort": 1,
            "preconditioning_start": _day(-5),
            "infusion": INFUSION.isoformat() if infusion else None,
            "last_follow_up": _day(follow_up),
            "adverse_events": list(events),
        }
        | extra,
        PRODUCTS,
    )


def _verdict(event, **patient):
    adj = adjudicate(_patient(event, **patient), SPEC, TODAY)
    return adj.events[0]


@pytest.mark.parametrize(
    ("event", "clause", "is_dlt"),
    [
        # Clause 1: grade >= 3 CRS or CRES (ICANS is CRES's ASTCT successor).
        (_ae("Cytokine release syndrome", 3, 2, "ASTCT 2019 CRS"), "crs_cres", True),
        (_ae("Cytokine release syndrome", 2, 2, "ASTCT 2019 CRS"), "crs_cres", False),
        (_ae("Cytokine release syndrome", 3, 2), "crs_cres", True),
        (_ae("Encephalopathy", 3, 6, "ASTCT 2019 ICANS"), "crs_cres", True),
        (_ae("Encephalopathy", 2, 6, "ASTCT 2019 ICANS"), "crs_cres", False),
        (_ae("Encephalopathy", 4, 6, "CARTOX CRES"), "crs_cres", True),
        # Clause 2: grade >= 3 cutaneous (skin SOC) or mucosal toxicity.
        (_ae("Rash maculo-papular", 3, 10), "cutaneous_mucosal", True),
        (_ae("Rash maculo-papular", 2, 10), "cutaneous_mucosal", False),
        (_ae("Mucositis oral", 3, 10), "cutaneous_mucosal", True),
        (_ae("Rectal mucositis", 2, 10), "cutaneous_mucosal", False),
        # Clause 3: any other toxicity at grade 4 (or fatal).
        (_ae("Neutrophil count decreased", 4, 5), "other", True),
        (_ae("Neutrophil count decreased", 3, 5), "other", False),
        (_ae("Encephalopathy", 3, 6), "other", False),  # CTCAE-graded: not CRES
        (_ae("Sepsis", 5, 20), "other", True),
    ],
)
def test_each_clause_at_and_below_its_threshold(event, clause, is_dlt):
    verdict = _verdict(event)
    assert verdict.clause == clause
    assert verdict.is_dlt is is_dlt
    if is_dlt:
        assert verdict.reasons[0].startswith(f"DLT under {clause}")
    else:
        assert verdict.reasons[0].startswith("below threshold")


@pytest.mark.parametrize("car_t", ["possible", "probable", "definite"])
def test_related_attributions_count(car_t):
    assert _verdict(_ae("Mucositis oral", 3, 4, car_t=car_t)).is_dlt


@pytest.mark.parametrize("car_t", ["unrelated", "unlikely"])
def test_unrelated_events_are_not_dlts(car_t):
    verdict = _verdict(_ae("Mucositis oral", 3, 4, car_t=car_t))
    assert not verdict.is_dlt
    assert verdict.reasons == (
        f"not related: attribution to car_t is {car_t!r} (related = possible/probable/definite)",
    )


@pytest.mark.parametrize(("day", "inside"), [(-1, False), (0, True), (28, True), (29, False)])
def test_window_is_days_0_to_28_inclusive(day, inside):
    verdict = _verdict(_ae("Cytokine release syndrome", 3, day, "ASTCT 2019 CRS"))
    assert verdict.study_day == day
    assert verdict.is_dlt is inside
    if not inside:
        assert "outside the DLT window" in verdict.reasons[0]


def test_preconditioning_event_is_an_ae_but_not_a_dlt():
    verdict = _verdict(_ae("Neutrophil count decreased", 4, -3, car_t="unrelated"))
    assert not verdict.is_dlt
    assert len(verdict.reasons) == 2  # outside the window and not related, both stated


def test_evaluable_after_full_follow_up_without_dlt():
    adj = adjudicate(_patient(_ae("Rash maculo-papular", 1, 3), follow_up=28), SPEC, TODAY)
    assert adj.evaluability == "evaluable"
    assert not adj.has_dlt
    assert adj.window_end == INFUSION + dt.timedelta(days=28)


def test_evaluable_by_an_early_dlt_despite_short_follow_up():
    adj = adjudicate(
        _patient(_ae("Cytokine release syndrome", 4, 3, "ASTCT 2019 CRS"), follow_up=5), SPEC, TODAY
    )
    assert adj.evaluability == "evaluable"
    assert "had a DLT" in adj.evaluability_reason


def test_withdrawal_on_day_12_without_dlt_is_not_evaluable():
    adj = adjudicate(_patient(_ae("Rash maculo-papular", 2, 3), follow_up=12), SPEC, TODAY)
    assert adj.evaluability == "not evaluable"
    assert "day 12" in adj.evaluability_reason
    assert "replace" in adj.evaluability_reason


def test_window_still_open_is_pending():
    adj = adjudicate(_patient(follow_up=10), SPEC, INFUSION + dt.timedelta(days=10))
    assert adj.evaluability == "pending"


def test_intercurrent_death_inside_the_window_is_named_and_not_pending():
    # Died on day 10 of pneumonia, reviewed the same day: without the death the window would
    # still be open ("pending"); Le Tourneau 2009: a patient who leaves the window without a
    # DLT is replaced, and the committee must see why.
    died = INFUSION + dt.timedelta(days=10)
    adj = adjudicate(
        _patient(follow_up=10, death=died.isoformat(), death_cause="intercurrent illness"),
        SPEC,
        died,
    )
    assert adj.evaluability == "not evaluable"
    assert adj.evaluability_reason == (
        "died on day 10 (intercurrent illness) inside the DLT window without a DLT: "
        "replace the patient"
    )


def test_death_after_the_window_leaves_an_evaluable_patient_evaluable():
    adj = adjudicate(_patient(follow_up=40, death=_day(40), death_cause="progressive disease"),
                     SPEC, TODAY)  # fmt: skip
    assert adj.evaluability == "evaluable"


def test_a_fatal_dlt_inside_the_window_counts_as_the_dlt():
    adj = adjudicate(
        _patient(
            _ae("Cytokine release syndrome", 5, 6, "ASTCT 2019 CRS"),
            follow_up=6,
            death=_day(6),
            death_cause="adverse event: Cytokine release syndrome",
        ),
        SPEC,
        TODAY,
    )
    assert adj.evaluability == "evaluable" and adj.has_dlt


def test_follow_up_of_a_patient_who_died_ends_at_the_death():
    with pytest.raises(InputError, match="followed to the date of death"):
        adjudicate(_patient(follow_up=20, death=_day(12)), SPEC, TODAY)


def test_not_infused_is_not_evaluable():
    adj = adjudicate(
        _patient(_ae("Anemia", 3, -3, car_t="unrelated"), infusion=False, follow_up=-1),
        SPEC,
        TODAY,
    )
    assert adj.evaluability == "not evaluable"
    assert adj.evaluability_reason == "not infused"
    assert adj.events[0].reasons[0] == "not infused: no DLT window"


@pytest.mark.parametrize(
    ("patient", "field"),
    [
        ({"preconditioning_start": _day(1)}, "infusion"),
        ({"preconditioning_start": _day(0)}, "infusion"),
        ({"last_follow_up": _day(-1)}, "last_follow_up"),
        ({"last_follow_up": "2026-07-01"}, "last_follow_up"),
        ({"adverse_events": [_ae("Anemia", 2, -6)]}, "adverse_events[0].onset"),
        ({"adverse_events": [_ae("Anemia", 2, 40)]}, "adverse_events[0].onset"),
        (
            {
                "adverse_events": [_ae("Anemia", 2, 3, resolution="2026-07-01")],
                "last_follow_up": _day(80),
            },
            "adverse_events[0].resolution",
        ),
    ],
)
def test_impossible_dates_are_refused_naming_the_field(patient, field):
    with pytest.raises(InputError) as info:
        adjudicate(_patient(**patient), SPEC, TODAY)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("event_changes", "problem"),
    [
        ({"grade": 6}, "adverse_events[0].grade = 6: Input should be less than or equal to 5"),
        ({"term": "Neutropenia"}, "adverse_events[0].term = 'Neutropenia': not a CTCAE v5.0 term"),
        # onset day 3 = 2026-03-09, resolution day 1 = 2026-03-07
        (
            {"resolution": _day(1)},
            "adverse_events[0].resolution = 2026-03-07: resolution precedes onset 2026-03-09",
        ),
        ({"dose": 3}, "adverse_events[0].dose = 3: Extra inputs are not permitted"),
        (
            {"onset": "9999-12-31"},
            "adverse_events[0].onset = '9999-12-31': a trial date lies between 1900-01-01 and "
            "2199-12-31",
        ),
    ],
)
def test_bad_event_records_are_refused_naming_field_value_and_rule(event_changes, problem):
    # one problem, the field once, no "Value error," prefix and no record dumped as the value
    with pytest.raises(RecordError) as info:
        _patient(_ae("Anemia", 2, 3) | event_changes)
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(problem)


def test_duplicate_event_ids_are_refused():
    events = [_ae("Anemia", 2, 3, id="AE1"), _ae("Fatigue", 1, 4, id="AE1")]
    with pytest.raises(InputError) as info:
        adjudicate(_patient(*events), SPEC, TODAY)
    assert info.value.field == "adverse_events[1].id"


def test_unknown_term_suggests_closest():
    with pytest.raises(RecordError, match="Cytokine release syndrome"):
        _patient(_ae("Cytokine release syndrom", 3, 2))


def test_an_attribution_to_a_product_the_protocol_does_not_give_is_refused_naming_it():
    event = _ae("Anemia", 2, 3)
    event["attribution"] = event["attribution"] | {"fludarabine": "possible"}
    with pytest.raises(InputError) as info:
        _patient(_ae("Fatigue", 1, 4), event)
    assert info.value.field == "adverse_events[1].attribution.fludarabine"
    assert info.value.value == "possible"
    assert "car_t, nab_paclitaxel, cyclophosphamide" in info.value.rule


def test_a_product_the_protocol_gives_left_without_attribution_is_refused_naming_it():
    event = _ae("Anemia", 2, 3)
    del event["attribution"]["cyclophosphamide"]
    with pytest.raises(InputError) as info:
        _patient(event)
    assert info.value.field == "adverse_events[0].attribution.cyclophosphamide"
    assert info.value.value is None
    assert "needs an attribution" in info.value.rule


def test_adjudication_refuses_an_event_without_the_attribution_the_dlt_rule_asks():
    # A record built for another protocol (no 'car_t' product) cannot be adjudicated by this one.
    record = parse_patient(
        {
            "patient_id": "P01",
            "dose_level": 1,
            "cohort": 1,
            "preconditioning_start": _day(-5),
            "infusion": INFUSION.isoformat(),
            "last_follow_up": _day(35),
            "adverse_events": [
                _ae("Anemia", 2, 3) | {"attribution": {"gd2_car_t": "probable"}},
            ],
        },
        ("gd2_car_t",),
    )
    with pytest.raises(InputError) as info:
        adjudicate(record, SPEC, TODAY)
    assert info.value.field == "adverse_events[0].attribution.car_t"
    assert "dlt.related_product" in info.value.rule
