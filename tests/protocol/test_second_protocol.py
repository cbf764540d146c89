"""A differently shaped protocol drives the same engines: nothing is tied to NCT05681650."""

import datetime as dt

import pytest
import yaml

from hyposti.design import Boin, design_from_protocol, fit
from hyposti.errors import ProtocolError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path
from hyposti.safety import adjudicate, parse_patient


def _patient(onset: str, grade: int, car_t: str) -> dict:
    return {
        "patient_id": "GD2-007",
        "dose_level": 2,
        "cohort": 2,
        "preconditioning_start": "2026-01-05",
        "infusion": "2026-01-10",
        "last_follow_up": "2026-02-20",
        "adverse_events": [
            {
                "id": "AE1",
                "term": "Hypertension",
                "grade": grade,
                "onset": onset,
                "serious": False,
                "attribution": {
                    "car_t": car_t,
                    "nab_paclitaxel": "unrelated",
                    "cyclophosphamide": "unrelated",
                },
            }
        ],
    }


def test_its_design_is_boin_at_its_target(boin_protocol_path):
    design = design_from_protocol(load_protocol(boin_protocol_path))
    assert isinstance(design, Boin)
    assert (design.num_doses, design.target, design.max_n) == (5, 0.25, 30)
    # Liu & Yuan 2015: target 0.25 gives lambda_e = 0.1968, lambda_d = 0.2984.
    table = design.boundaries()
    assert (table.lambda_e, table.lambda_d) == pytest.approx((0.1968, 0.2984), abs=5e-5)
    # 1/3 DLT at dose 1: 0.333 > lambda_d, so BOIN de-escalates; at dose 1 it stays there.
    assert fit(design, "1NNT").next_dose == 1
    assert fit(design, "1NNN").next_dose == 2


def test_its_dlt_definition_is_its_own(boin_protocol_path):
    spec = load_protocol(boin_protocol_path).dlt
    today = dt.date(2026, 3, 1)
    # Grade 3 hypertension, probably related, day 21: a DLT under this protocol's clause.
    inside = adjudicate(parse_patient(_patient("2026-01-31", 3, "probable")), spec, today)
    assert inside.events[0].is_dlt
    # Day 22 is outside its 21-day window; 'possible' is not related enough here.
    late = adjudicate(parse_patient(_patient("2026-02-01", 3, "probable")), spec, today)
    assert not late.events[0].is_dlt
    possible = adjudicate(parse_patient(_patient("2026-01-20", 4, "possible")), spec, today)
    assert not possible.events[0].is_dlt
    # The same grade 3 event is no DLT under NCT05681650 (grade 4 needed outside CRS/skin).
    shipped = adjudicate(
        parse_patient(_patient("2026-01-20", 3, "probable")), load_protocol().dlt, today
    )
    assert not shipped.events[0].is_dlt


def test_a_rule_without_its_section_is_refused_at_load():
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    del data["organ_function"]
    with pytest.raises(ProtocolError, match=r"criterion I7 \(rule 'organ_function'\) needs"):
        parse_protocol(yaml.safe_dump(data), "no-thresholds.yaml")
