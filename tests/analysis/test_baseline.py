"""Baseline characteristics and exposure of the example trial, checked by hand (ICH E3 11.2, 12.1).

The example dataset (hyposti.data.example) has six treated patients: S01-S03 at DL1 (1e6 cells/kg),
aged 51-53, weighing 61-63 kg; S04-S06 at DL2 (3e6 cells/kg), aged 54-56, weighing 64-66 kg; all
ECOG 1, HER2 60%; each received nab-paclitaxel 150 mg/m2 once and cyclophosphamide 20 mg/kg twice.
"""

import pandas as pd
import pytest

from hyposti.analysis.baseline import baseline_and_exposure
from hyposti.data.dataset import TrialDataset
from hyposti.data.example import example_dataset

CAR_T = "HypoSti.CAR-HER2 T cells"


def by_level(groups):
    return {g.dose_level: g for g in groups}


def test_baseline_by_dose_level_by_hand():
    result = baseline_and_exposure(example_dataset(), CAR_T)
    base = by_level(result.baseline)
    assert list(base) == ["1", "2", "all"]  # S07 and S08 never started preconditioning
    assert (base["1"].n, base["2"].n, base["all"].n) == (3, 3, 6)
    # ages 51, 52, 53 -> median 52; all six: 51..56 -> median (53 + 54) / 2 = 53.5
    assert (base["1"].age_years.median, base["1"].age_years.minimum) == (52, 51)
    assert base["all"].age_years.median == 53.5
    # DL1: F, M, F -> F 2 of 3 = 66.7%, listed in the variable's own order
    assert [(c.value, c.n) for c in base["1"].sex] == [("F", 2), ("M", 1)]
    assert base["1"].sex[0].percent == pytest.approx(200 / 3)
    assert [(c.value, c.n, c.percent) for c in base["all"].ecog] == [("1", 6, 100.0)]
    # three breast, three gastric: ties ordered by name
    assert [(c.value, c.n) for c in base["all"].tumour_type] == [("breast", 3), ("gastric", 3)]


def test_exposure_by_hand():
    exposure = by_level(baseline_and_exposure(example_dataset(), CAR_T).exposure)
    dl2 = exposure["2"]
    assert (dl2.n_preconditioned, dl2.n_infused) == (3, 3)
    assert dl2.car_t_cells_per_kg.median == 3e6
    # 3e6 cells/kg x 64, 65, 66 kg = 1.92e8, 1.95e8, 1.98e8 cells
    assert dl2.car_t_total_cells.median == pytest.approx(1.95e8)
    assert dl2.car_t_total_cells.minimum == pytest.approx(1.92e8)
    cyclo = exposure["all"].preconditioning["cyclophosphamide (mg/kg)"]
    assert (cyclo.n, cyclo.median) == (12, 20.0)  # two administrations x six patients
    assert exposure["all"].preconditioning["nab-paclitaxel (mg/m2)"].n == 6


def test_a_preconditioned_patient_never_infused_counts_as_exposed_to_chemotherapy_only():
    ds = example_dataset()
    subjects = ds.subjects.copy()
    subjects.loc[subjects["subject_id"] == "S06", "infusion_date"] = pd.NaT
    exposure = ds.exposure.loc[
        ~((ds.exposure["subject_id"] == "S06") & (ds.exposure["product"] == CAR_T))
    ]
    frames = ds.tables()
    for name in ("kinetics", "dlt_evaluations"):  # only infused patients have these
        frames[name] = frames[name].loc[frames[name]["subject_id"] != "S06"]
    # cohort 2 then holds two DLT-evaluable patients (S04, S05), as its escalation row must say
    frames["escalation"] = frames["escalation"].assign(n_patients=[3, 2])
    frames.update(subjects=subjects, exposure=exposure)
    dl2 = by_level(baseline_and_exposure(TrialDataset.from_frames(**frames), CAR_T).exposure)["2"]
    assert (dl2.n_preconditioned, dl2.n_infused) == (3, 2)
    assert dl2.car_t_total_cells.n == 2
    assert dl2.preconditioning["nab-paclitaxel (mg/m2)"].n == 3
