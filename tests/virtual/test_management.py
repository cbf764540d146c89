"""The protocol's CRS/ICANS algorithm applied to virtual patients (CARTOX, Neelapu 2018, Table 3
and 5): tocilizumab 8 mg/kg at most 800 mg for CRS >= 2; dexamethasone 10 mg q6h for CRS >= 3 and
ICANS >= 2."""

import datetime as dt

import pytest
from pydantic import ValidationError

from hyposti.protocol import load_protocol
from hyposti.protocol.management_spec import ManagementRule
from hyposti.virtual.management import management_rows, rule_dose_mg

SPEC = load_protocol().toxicity_management
ONSET, END = dt.date(2024, 1, 3), dt.date(2024, 1, 9)


def ae(ae_id, scale, grade, term="Cytokine release syndrome"):
    return {"subject_id": "S1", "ae_id": ae_id, "term": term, "scale": scale, "grade": grade,
            "onset_date": ONSET, "resolution_date": END}  # fmt: skip


def test_weight_based_dose_is_capped():
    tocilizumab = SPEC.rules[0]
    assert rule_dose_mg(tocilizumab, 62.0) == pytest.approx(496.0)  # 8 x 62
    assert rule_dose_mg(tocilizumab, 120.0) == 800.0  # 8 x 120 = 960, capped
    assert rule_dose_mg(SPEC.rules[1], 120.0) == 10.0  # dexamethasone 10 mg flat


def test_each_rule_the_grade_meets_gives_one_record():
    rows = management_rows(
        70.0,
        [
            ae("A1", "ASTCT 2019 CRS", 1),
            ae("A2", "ASTCT 2019 CRS", 3),
            ae("A3", "ASTCT 2019 ICANS", 2, "Encephalopathy"),
        ],
        SPEC,
    )
    assert [(r["ae_id"], r["medication"], r["dose"]) for r in rows] == [
        ("A2", "tocilizumab", 560.0),  # 8 mg/kg x 70 kg
        ("A2", "dexamethasone", 10.0),
        ("A3", "dexamethasone", 10.0),
    ]
    # a single tocilizumab dose is one day's; dexamethasone every 6 h runs to resolution
    assert (rows[0]["end_date"], rows[0]["interval_hours"]) == (ONSET, None)
    assert (rows[1]["end_date"], rows[1]["interval_hours"]) == (END, 6)
    assert len({r["medication_id"] for r in rows}) == 3


def test_no_algorithm_no_records():
    assert management_rows(70.0, [ae("A2", "ASTCT 2019 CRS", 4)], None) == []


def test_a_cap_on_a_flat_dose_is_refused():
    with pytest.raises(ValidationError, match="max_dose_mg caps a mg/kg dose"):
        ManagementRule(scale="ASTCT 2019 CRS", min_grade=2, medication="x", dose=10,
                       dose_unit="mg", max_dose_mg=800, source="s")  # fmt: skip
