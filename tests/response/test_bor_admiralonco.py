"""Best overall response against pharmaverse admiralonco's documented examples.

Source: admiralonco reference pages, Examples sections of ``derive_param_confirmed_bor`` and
``derive_param_bor`` (https://pharmaverse.github.io/admiralonco/reference/; the R data and the
printed AVALC/ADT transcribed here). Their ``filter_source`` (ANL01FL == "Y") and ``source_pd``
(records up to the PD date) are applied to the transcribed records, as our engine's exclusions
do before best response is read.
"""

import datetime as dt

import pytest

from hyposti.response import assess_patient
from hyposti.response.best_response import Code, Visit, best_overall_response
from hyposti.response.records import Response
from tests.response.response_builders import patient, spec, visit

D = dt.date.fromisoformat

# derive_param_confirmed_bor example: ADSL TRTSDT and ADRS OVR records (all ANL01FL == "Y").
CONFIRMED_TRTSDT = {"1": "2020-01-01", "2": "2019-12-12", "3": "2019-11-11", "4": "2019-12-30",
                    "5": "2020-01-01", "6": "2020-02-02", "7": "2020-02-02", "8": "2020-04-01",
                    "9": "2020-03-01"}  # fmt: skip
CONFIRMED_OVR = {
    "1": [("2020-01-01", "PR"), ("2020-02-01", "CR"), ("2020-02-16", "NE"),
          ("2020-03-01", "CR"), ("2020-04-01", "SD")],
    "2": [("2020-01-01", "SD"), ("2020-02-01", "PR"), ("2020-03-01", "SD"),
          ("2020-03-13", "CR")],
    "3": [("2019-11-12", "CR"), ("2019-12-02", "CR"), ("2020-01-01", "SD")],
    "4": [("2020-01-01", "PR"), ("2020-03-01", "SD"), ("2020-04-01", "SD"),
          ("2020-05-01", "PR"), ("2020-05-15", "NON-CR/NON-PD")],
    "5": [("2020-01-01", "PR"), ("2020-01-10", "SD"), ("2020-01-20", "PR"),
          ("2020-05-15", "NON-CR/NON-PD")],
    # source_pd: PD on 2020-04-12, so the CRs of May and June are not considered.
    "6": [("2020-02-06", "PR"), ("2020-02-16", "CR"), ("2020-03-30", "PR"),
          ("2020-04-12", "PD")],
    "7": [("2020-02-06", "PR"), ("2020-02-16", "CR"), ("2020-04-01", "NE")],
    "8": [],
    "9": [("2020-03-16", "CR"), ("2020-04-01", "NE"), ("2020-04-16", "NE"),
          ("2020-05-01", "CR")],
}  # fmt: skip

# The printed CBOR records: (AVALC, ADT). First call: ref_start_window = ref_confirm = 28,
# max_nr_ne = 1, accept_sd = FALSE, missing_as_ne = FALSE.
CBOR_DEFAULT = {"1": ("CR", "2020-02-01"), "2": ("SD", "2020-02-01"), "3": ("SD", "2020-01-01"),
                "4": ("SD", "2020-03-01"), "5": ("NON-CR/NON-PD", "2020-05-15"),
                "6": ("SD", "2020-03-30"), "7": ("NE", "2020-02-06"), "8": ("MISSING", None),
                "9": ("SD", "2020-05-01")}  # fmt: skip
# Second call: max_nr_ne = 2, accept_sd = TRUE, missing_as_ne = TRUE.
CBOR_LENIENT = CBOR_DEFAULT | {"2": ("PR", "2020-02-01"), "8": ("NE", None),
                               "9": ("CR", "2020-03-16")}  # fmt: skip

# derive_param_bor example: records with ANL01FL == "Y", up to PD (subject 2: 2020-03-01,
# subject 4: 2020-02-01); ref_start_window = 28. Subject 9 is not in that example's ADSL.
BOR_OVR = CONFIRMED_OVR | {
    "2": [("2020-01-01", "SD"), ("2020-02-01", "PR"), ("2020-03-01", "SD")],
    "4": [("2020-01-01", "PR")],
    "6": CONFIRMED_OVR["6"] + [("2020-05-01", "CR"), ("2020-06-01", "CR")],
    "7": [("2020-02-06", "PR"), ("2020-02-16", "CR")],
}
BOR = {"1": ("CR", "2020-02-01"), "2": ("PR", "2020-02-01"), "3": ("CR", "2019-11-12"),
       "4": ("PR", "2020-01-01"), "5": ("PR", "2020-01-01"), "6": ("CR", "2020-02-16"),
       "7": ("CR", "2020-02-16"), "8": ("MISSING", None)}  # fmt: skip


def admiralonco(**changes):
    """admiralonco's arguments as protocol readings; its PR-after-CR rule is always on."""
    values = {
        "min_sd_days": 28,
        "confirmation_min_days": 28,
        "accept_sd_between_pr_and_confirmation": False,
        "max_ne_between_response_and_confirmation": 1,
        "pr_after_cr_breaks_confirmation": True,
    }
    return spec(**(values | changes))


def visits(subject, records=CONFIRMED_OVR):
    start = D(CONFIRMED_TRTSDT[subject])
    return [Visit(D(d), (D(d) - start).days, Code(c)) for d, c in records[subject]]


@pytest.mark.parametrize("subject", sorted(CBOR_DEFAULT))
def test_derive_param_confirmed_bor_example(subject):
    best = best_overall_response(visits(subject), admiralonco(), target_disease=True)
    avalc, adt = CBOR_DEFAULT[subject]
    assert (best.confirmed.value, best.confirmed_date) == (avalc, adt and D(adt))


@pytest.mark.parametrize("subject", sorted(CBOR_LENIENT))
def test_derive_param_confirmed_bor_example_with_two_ne_one_sd_and_missing_as_ne(subject):
    s = admiralonco(
        max_ne_between_response_and_confirmation=2,
        accept_sd_between_pr_and_confirmation=True,
        missing_as_ne=True,
    )
    best = best_overall_response(visits(subject), s, target_disease=True)
    avalc, adt = CBOR_LENIENT[subject]
    assert (best.confirmed.value, best.confirmed_date) == (avalc, adt and D(adt))


@pytest.mark.parametrize("subject", sorted(BOR))
def test_derive_param_bor_example(subject):
    best = best_overall_response(visits(subject, BOR_OVR), admiralonco(), target_disease=True)
    avalc, adt = BOR[subject]
    assert (best.unconfirmed.value, best.unconfirmed_date) == (avalc, adt and D(adt))


def test_pr_after_cr_rule_is_an_option_beside_the_table_3_reading():
    # Subject 6: PR (Feb 6), CR (Feb 16), PR (Mar 30, 53 days after the first PR). Under RECIST
    # 1.1 Table 3 as read here the Mar 30 PR confirms the Feb 6 PR; admiralonco refuses a PR
    # after a CR inside the confirmation period and reads SD (the Mar 30 PR, day 57 >= 28).
    recist = admiralonco(pr_after_cr_breaks_confirmation=False)
    table_3 = best_overall_response(visits("6"), recist, target_disease=True)
    assert (table_3.confirmed, table_3.confirmed_date) == (Code.PR, D("2020-02-06"))
    assert table_3.response_confirmed_date == D("2020-03-30")
    strict = best_overall_response(visits("6"), admiralonco(), target_disease=True)
    assert (strict.confirmed, strict.first_response_date) == (Code.SD, None)


def test_a_patient_with_no_assessment_is_missing_or_ne():
    none = patient({"A": 50}, [])
    r = assess_patient(none, spec())
    assert (r.bor_confirmed, r.bor_unconfirmed) == (Response.MISSING, Response.MISSING)
    assert r.bor_confirmed_date is None and "missing_as_ne=false" in r.bor_confirmed_reason
    assert assess_patient(none, spec(missing_as_ne=True)).bor_confirmed is Response.NE
    assert assess_patient(none, spec(), "irecist").bor_confirmed is Response.MISSING
    # Every assessment after new anticancer therapy: none counts, so MISSING as well.
    after_therapy = patient({"A": 50}, [visit(56, {"A": 30})], therapy_day=50)
    assert assess_patient(after_therapy, spec()).bor_confirmed is Response.MISSING
