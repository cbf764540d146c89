"""The analysis's RECIST 1.1 path (vectorised engine on the dataset's tables) against the
per-patient engine run on the same dataset's records: every outcome field must be equal."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hyposti.analysis.tumour import TumourOutcome, assess_responses, tumour_data, tumour_outcome
from hyposti.data import TrialDataset
from hyposti.data.example import example_dataset, example_frames
from hyposti.protocol import load_protocol
from hyposti.response import PatientTumourData, TargetState, assess_patient
from hyposti.virtual.tables import trial_dataset
from hyposti.virtual.trial import simulate_trial
from tests.response.random_patients import random_patient
from tests.response.response_builders import spec

PROTOCOL = load_protocol()
# Inside the random patients' follow-up (reference dates 2025-01-01 + 0-300 days), so that the
# cut-off drops some scans.
CUTOFF = dt.date(2025, 11, 30)


def per_patient(ds: TrialDataset, response_spec=PROTOCOL.response) -> dict[str, TumourOutcome]:
    """The reference: hyposti.response.assess_patient on each patient's records (RECIST 1.1)."""
    out = {}
    for data in tumour_data(ds):
        kept = [a for a in data.assessments if a.date <= ds.data_cutoff.date()]
        data = data.model_copy(update={"assessments": kept})
        out[data.patient_id] = tumour_outcome(assess_patient(data, response_spec, "recist11"))
    return out


def assert_same(ds: TrialDataset, response_spec=PROTOCOL.response) -> dict[str, TumourOutcome]:
    got = assess_responses(ds, response_spec)
    expected = per_patient(ds, response_spec)
    assert got.keys() == expected.keys()
    for sid, outcome in expected.items():
        assert got[sid] == outcome, sid
    return got


def _rows(p: PatientTumourData, sid: str) -> tuple[list[dict], list[dict], list[dict]]:
    """The dataset rows (lesions, scans, measurements) recording one patient's records."""
    lesions = [
        {"subject_id": sid, "lesion_id": b.lesion_id, "organ": b.organ, "lymph_node": b.nodal,
         "category": "target" if b.target else "non-target", "method": "CT"}
        for b in p.lesions
    ]  # fmt: skip
    scans = [{"subject_id": sid, "assessment_date": p.baseline_date, "baseline": True}]
    measures = [
        {"subject_id": sid, "assessment_date": p.baseline_date, "lesion_id": b.lesion_id,
         "state": "measured", "diameter_mm": b.diameter_mm}
        for b in p.lesions
        if b.diameter_mm is not None
    ]  # fmt: skip
    new_ids = set()
    for a in p.assessments:
        status = a.non_target.value if a.non_target is not None else None
        scans.append({"subject_id": sid, "assessment_date": a.date, "baseline": False,
                      "non_target_status": status})  # fmt: skip
        for t in a.targets:
            size = t.diameter_mm if not t.fragments_mm else float(sum(t.fragments_mm))
            measures.append({"subject_id": sid, "assessment_date": a.date,
                             "lesion_id": t.lesion_id, "state": t.state.value,
                             "diameter_mm": size if t.state is TargetState.MEASURED else None,
                             "merged_into": t.merged_into})  # fmt: skip
        for n in a.new_lesions:
            new_ids.add((n.lesion_id, n.organ))
            measures.append({"subject_id": sid, "assessment_date": a.date,
                             "lesion_id": n.lesion_id, "state": n.state.value,
                             "diameter_mm": n.diameter_mm, "equivocal": n.equivocal})  # fmt: skip
    lesions += [
        {"subject_id": sid, "lesion_id": lid, "organ": organ, "lymph_node": False,
         "category": "new"}
        for lid, organ in sorted(new_ids)
    ]  # fmt: skip
    return lesions, scans, measures


def dataset_of(patients: list[PatientTumourData]) -> TrialDataset:
    """The example trial's tables with its tumour data replaced by ``patients``' records."""
    frames = example_frames()
    template = frames["subjects"].iloc[0].to_dict()
    subjects, lesions, scans, measures, disposition, exposure = [], [], [], [], [], []
    for i, p in enumerate(patients):
        sid = f"R{i:03d}"
        infusion = pd.Timestamp(p.reference_date)
        subjects.append(
            {**template, "subject_id": sid, "infusion_date": infusion,
             "consent_date": infusion - pd.Timedelta(days=40),
             "enrolment_date": infusion - pd.Timedelta(days=30),
             "preconditioning_start_date": infusion - pd.Timedelta(days=5)}
        )  # fmt: skip
        # an infused subject has its CAR-T row (hyposti.data.integrity)
        exposure.append(
            {"subject_id": sid, "product": "HypoSti.CAR-HER2 T cells", "administration_date":
             infusion, "study_day": 0, "dose": 1e6, "dose_unit": "cells/kg"}
        )  # fmt: skip
        disposition.append(
            {"subject_id": sid, "last_contact_date": pd.Timestamp(CUTOFF),
             "new_therapy_date": p.new_anticancer_therapy_date}
        )  # fmt: skip
        rows = _rows(p, sid)
        lesions += rows[0]
        scans += rows[1]
        measures += rows[2]
    return TrialDataset.from_frames(
        study=frames["study"].assign(data_cutoff=pd.Timestamp(CUTOFF)),
        subjects=pd.DataFrame(subjects),
        lesions=pd.DataFrame(lesions),
        tumour_assessments=pd.DataFrame(scans),
        lesion_measurements=pd.DataFrame(measures),
        disposition=pd.DataFrame(disposition),
        exposure=pd.DataFrame(exposure),
    )


def test_example_dataset_gives_the_per_patient_answers():
    got = assert_same(example_dataset())
    # Hand-read in tests/analysis/test_efficacy.py: S01 PR, S03 CR (confirmed).
    assert got["S01"].bor_confirmed.value == "PR" and got["S03"].bor_confirmed.value == "CR"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"cr_followed_by_pr": "first_cr_was_pr"},
        {"confirmation_required": False},
        # every reading of the best-response rules, so that each reason's words are compared
        {"confirmation_required": False, "min_sd_days": 56},
        {"accept_sd_between_pr_and_confirmation": True,
         "max_ne_between_response_and_confirmation": 0},
        {"missing_as_ne": True, "pr_after_cr_breaks_confirmation": True},
        {"cr_followed_by_pr": "first_cr_was_pr", "pr_after_cr_breaks_confirmation": True},
    ],
)  # fmt: skip
def test_random_patients_give_the_per_patient_answers(changes):
    rng = np.random.default_rng(20251128)
    patients = [random_patient(rng, f"R{i:03d}") for i in range(150)]
    # Some baselines a reader got wrong, so that baseline data-quality flags are compared too:
    # a non-measurable 8 mm target (RECIST 1.1 s3.1: >= 10 mm) and a normal 8 mm node kept.
    for i in range(0, len(patients), 7):
        lesions = [
            b.model_copy(update={"diameter_mm": 8.0}) if b.lesion_id == "T0" else b
            for b in patients[i].lesions
        ]
        patients[i] = patients[i].model_copy(update={"lesions": lesions})
    ds = dataset_of(patients)
    got = assert_same(ds, spec(**changes))
    flags = [f for o in got.values() for f in o.data_quality_flags]
    assert any("not measurable" in f for f in flags)
    assert any(a.date > CUTOFF for p in patients for a in p.assessments)


def test_a_simulated_trial_gives_the_per_patient_answers():
    # Virtual tumours: nodes, non-targets, new lesions (equivocal ones confirmed later), therapy.
    ds = trial_dataset(simulate_trial(3, patients=150))
    assert_same(ds)


def test_a_trial_with_no_scan_yet_has_no_tumour_outcome():
    # the service's first weeks: patients infused, nobody scanned (found through the API test)
    from hyposti.analysis.tumour import assess_responses
    from hyposti.protocol import load_protocol

    frames = example_dataset().tables()
    for name in ("lesions", "tumour_assessments", "lesion_measurements"):
        frames[name] = frames[name].iloc[0:0]
    ds = TrialDataset.from_frames(**frames)
    assert assess_responses(ds, load_protocol().response) == {}
