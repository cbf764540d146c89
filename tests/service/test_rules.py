"""Illegal moves are refused with the rule named: order of treatment, one infusion, eligibility,
dose ranges, future dates; and the doses stored are the dosing engine's."""

from __future__ import annotations

import datetime as dt

import pytest

from hyposti.errors import InputError
from hyposti.service.errors import RefusedError
from hyposti.service.services.treatment import administration_record
from tests.service.conftest import SITE, START

pytestmark = pytest.mark.django_db

CAR_T = "HypoSti.CAR-HER2 T cells"


def give(users, product: str, day: int, subject_id: str = "P01") -> object:
    date = START.date() + dt.timedelta(days=day)
    now = dt.datetime.combine(date, dt.time(12), dt.UTC)
    return administration_record(user=users["research_coordinator"], now=now,
                                 subject_id=subject_id, product=product,
                                 administration_date=date)  # fmt: skip


def test_stored_doses_are_the_engines(enrolled) -> None:
    record = enrolled("P01")
    # Mosteller BSA sqrt(165 * 62 / 3600) = sqrt(2.8417) = 1.6857 -> 1.69 m2 (2 decimals);
    # nab-paclitaxel 150 mg/m2 x 1.69 = 253.5 mg; cyclophosphamide 20 mg/kg x 62 = 1240 mg;
    # dose level 1: 1e6 cells/kg x 62 kg = 6.2e7 cells.
    computed = record.computed
    assert computed["body"]["bsa_m2_used"] == pytest.approx(1.69)
    by_agent = {a["agent"]: a for a in computed["preconditioning"]}
    assert by_agent["cyclophosphamide"]["mg_exact"] == pytest.approx(1240.0)
    assert by_agent["nab-paclitaxel"]["mg_exact"] == pytest.approx(253.5)
    assert computed["car_t"]["total_cells_exact"] == pytest.approx(6.2e7)


def test_a_dose_outside_the_protocol_range_is_refused(enrolled, users) -> None:
    from hyposti.service.services.treatment import dosing_record

    enrolled("P01")
    with pytest.raises(InputError, match=r"outside the protocol range 15-30 mg/kg"):
        dosing_record(user=users["research_coordinator"], now=START, subject_id="P01",
                      weight_kg=62, height_cm=165,
                      agent_doses={"nab-paclitaxel": 150, "cyclophosphamide": 35})  # fmt: skip


def test_infusion_before_preconditioning_is_refused(enrolled, users) -> None:
    enrolled("P01")
    with pytest.raises(RefusedError, match="infusion needs preconditioning first"):
        give(users, CAR_T, 0)


def test_second_infusion_is_refused(enrolled, users) -> None:
    from hyposti.service.models import Participant

    enrolled("P01")
    for product, day in (("nab-paclitaxel", 0), ("cyclophosphamide", 2),
                         ("cyclophosphamide", 3), (CAR_T, 5)):  # fmt: skip
        give(users, product, day)
    p = Participant.objects.get(subject_id="P01")
    assert (p.state, p.infusion_date) == ("dlt_window", START.date() + dt.timedelta(days=5))
    with pytest.raises(RefusedError, match="only one infusion"):
        give(users, CAR_T, 6)


def test_preconditioning_on_a_day_the_protocol_does_not_give_it_is_refused(enrolled, users):
    enrolled("P01")
    give(users, "nab-paclitaxel", 0)  # day -5
    with pytest.raises(RefusedError, match=r"study day -4; cyclophosphamide is given on days"):
        give(users, "cyclophosphamide", 1)


def test_future_dated_data_are_refused(enrolled, users) -> None:
    enrolled("P01")
    tomorrow = START.date() + dt.timedelta(days=1)
    with pytest.raises(RefusedError, match="is in the future"):
        administration_record(user=users["research_coordinator"], now=START, subject_id="P01",
                              product="nab-paclitaxel", administration_date=tomorrow)  # fmt: skip


def test_enrolment_needs_consent_and_an_eligible_screening(users, screening_record) -> None:
    from hyposti.service.services.enrolment import participant_enrol, study_start
    from hyposti.service.services.participants import participant_create
    from hyposti.service.services.participants import screening_record as sc

    crc = users["research_coordinator"]
    study_start(user=users["administrator"], now=START)
    participant_create(user=crc, now=START, subject_id="U01", site_code=SITE, sex="F",
                       age_years=50)  # fmt: skip
    with pytest.raises(RefusedError, match="consented participant"):
        participant_enrol(user=crc, now=START, subject_id="U01", enrolment_date=START.date())
    record = screening_record("U01")
    record["attestations"] = []  # E1, E6, E7, E8 then await the investigator's judgement
    screening = sc(user=crc, now=START, subject_id="U01", record=record)
    assert screening.status == "pending_review"
    assert screening.result["pending_review"] == ["E1", "E6", "E7", "E8"]


def test_attestation_needs_the_password_and_is_signed(users, screening_record) -> None:
    from hyposti.service.selectors import signatures_of
    from hyposti.service.services.participants import (
        participant_consent,
        participant_create,
        screening_attest,
    )
    from hyposti.service.services.participants import screening_record as sc

    crc, inv = users["research_coordinator"], users["investigator"]
    participant_create(user=crc, now=START, subject_id="U02", site_code=SITE, sex="F",
                       age_years=50)  # fmt: skip
    participant_consent(user=crc, now=START, subject_id="U02", consent_date=START.date())
    record = screening_record("U02")
    record["attestations"] = [a for a in record["attestations"] if a["criterion_id"] != "E7"]
    assert sc(user=crc, now=START, subject_id="U02", record=record).status == "pending_review"
    with pytest.raises(RefusedError, match="re-enter your password"):
        screening_attest(user=inv, now=START, subject_id="U02", criterion_id="E7",
                         satisfied=True, note="spirometry normal", password="wrong")  # fmt: skip
    done = screening_attest(user=inv, now=START, subject_id="U02", criterion_id="E7",
                            satisfied=True, note="spirometry normal",
                            password="correct horse battery staple")  # fmt: skip
    assert done.status == "eligible"
    (signature,) = signatures_of(done)
    assert (signature["printed_name"], signature["meaning"], signature["valid"]) == (
        "Dr Investigator", "responsibility", True)  # fmt: skip
    # screened twice (record, then attestation): the dataset keeps the verdicts in force, one
    # row per criterion, E7 now met
    from hyposti.service.dataset_io import export_dataset
    from hyposti.service.models import Study

    Study.objects.get_or_create(study_id="NCT05681650", defaults={"data_cutoff": START.date()})
    rows = export_dataset().screening
    rows = rows.loc[rows["subject_id"] == "U02"]
    assert len(rows) == 25 and rows["criterion_id"].is_unique
    assert bool(rows.set_index("criterion_id").loc["E7", "met"])
