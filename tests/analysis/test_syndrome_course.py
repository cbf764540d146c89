"""CRS/ICANS onset and duration on the example trial, by hand (ADaMIG ADURN: end - start + 1).

Example AEs (hyposti.data.example), infusion = day 0:
  S01 DL1 CRS  onset 2024-01-12 (infused 01-10: day 2), resolved 01-15: 4 days
  S03 DL1 CRS  onset 2024-02-23 (infused 02-20: day 3), resolved 02-27: 5 days
  S04 DL2 CRS  onset 2024-04-03 (infused 04-01: day 2), resolved 04-08: 6 days
  S05 DL2 CRS  onset 2024-04-21 (infused 04-20: day 1), resolved 04-27: 7 days
  S05 DL2 ICANS onset 2024-04-24 (day 4), resolved 04-26: 3 days
"""

import pandas as pd

from hyposti.analysis.syndrome_course import syndrome_course
from hyposti.data.dataset import TrialDataset
from hyposti.data.example import example_dataset


def rows_by(result):
    return {(r.syndrome, r.dose_level): r for r in result.rows}


def test_onset_and_duration_by_hand():
    rows = rows_by(syndrome_course(example_dataset()))
    assert set(rows) == {("CRS", "1"), ("CRS", "2"), ("CRS", "all"), ("ICANS", "2"),
                         ("ICANS", "all")}  # fmt: skip
    crs = rows[("CRS", "all")]
    assert (crs.n_patients, crs.n_episodes, crs.n_unresolved) == (4, 4, 0)
    assert (crs.onset_day.median, crs.onset_day.minimum, crs.onset_day.maximum) == (2, 1, 3)
    assert crs.duration_days.median == 5.5  # 4, 5, 6, 7
    assert rows[("CRS", "1")].onset_day.median == 2.5  # days 2 and 3
    icans = rows[("ICANS", "2")]
    assert (icans.onset_day.median, icans.duration_days.median) == (4, 3)


def test_an_episode_ongoing_at_the_cut_off_has_no_duration():
    ds = example_dataset()
    ae = ds.adverse_events.copy()
    ongoing = (ae["subject_id"] == "S05") & (ae["term"] == "Cytokine release syndrome")
    ae.loc[ongoing, "resolution_date"] = pd.NaT
    frames = ds.tables()
    frames["adverse_events"] = ae
    crs = rows_by(syndrome_course(TrialDataset.from_frames(**frames)))[("CRS", "2")]
    assert (crs.n_episodes, crs.n_unresolved, crs.duration_days.n) == (2, 1, 1)
    assert crs.duration_days.median == 6  # S04 only


def test_management_counts_patients_per_medication_and_states_the_algorithm():
    from hyposti.protocol import load_protocol

    ds = example_dataset()
    frames = ds.tables()
    crs = ds.adverse_events.loc[ds.adverse_events["term"] == "Cytokine release syndrome"]
    s05 = crs.loc[crs["subject_id"] == "S05", "ae_id"].iloc[0]
    s04 = crs.loc[crs["subject_id"] == "S04", "ae_id"].iloc[0]
    frames["medications"] = pd.DataFrame(
        [
            {"subject_id": "S05", "medication_id": "M1", "medication": "tocilizumab",
             "ae_id": s05, "start_date": "2024-04-21", "dose": 520.0, "dose_unit": "mg"},
            {"subject_id": "S05", "medication_id": "M2", "medication": "dexamethasone",
             "ae_id": s05, "start_date": "2024-04-21", "dose": 10.0, "dose_unit": "mg"},
            {"subject_id": "S04", "medication_id": "M3", "medication": "tocilizumab",
             "ae_id": s04, "start_date": "2024-04-03", "dose": 512.0, "dose_unit": "mg"},
        ]
    )  # fmt: skip
    result = syndrome_course(
        TrialDataset.from_frames(**frames), load_protocol().toxicity_management
    )
    rows = rows_by(result)
    assert rows[("CRS", "2")].patients_treated_with == {"dexamethasone": 1, "tocilizumab": 2}
    assert rows[("CRS", "1")].patients_treated_with == {}
    assert rows[("ICANS", "2")].patients_treated_with == {}
    assert result.management_rules[0] == (
        "tocilizumab 8 mg/kg (at most 800 mg) for ASTCT 2019 CRS grade >= 2"
    )
