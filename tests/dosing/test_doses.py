"""Per-patient doses: ranges refused with the range in the message, rounding applied once."""

import math

import pytest
import yaml

from hyposti.dosing import patient_doses
from hyposti.errors import InputError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path


def _doses(**kwargs):
    arguments = {"weight_kg": 70, "height_cm": 170, "dose_level": 1} | kwargs
    return patient_doses(load_protocol(), **arguments)


def test_doses_for_170_cm_70_kg_by_hand():
    record = _doses(dose_level=2, agent_doses={"nab-paclitaxel": 125, "cyclophosphamide": 20})
    # BSA 1.81812 -> 1.82 m2; 125 x 1.82 = 227.5 -> 228 mg; 20 x 70 = 1400 mg on days -3, -2
    assert record.body.bsa_m2_used == 1.82
    nab, cyclo = record.preconditioning
    assert (nab.mg_exact, nab.mg_per_day, nab.study_days) == (pytest.approx(227.5), 228, [-5])
    assert (cyclo.mg_per_day, cyclo.study_days, cyclo.course_total_mg) == (1400, [-3, -2], 2800)
    # 3 x 10^6 cells/kg x 70 kg = 2.10 x 10^8
    assert record.car_t.total_cells == 2.1e8 and record.car_t.label == "dose 2"


def test_cell_count_is_rounded_to_3_significant_figures():
    record = _doses(weight_kg=70.35, dose_level=3)
    # 1 x 10^7 x 70.35 = 7.035 x 10^8 -> 7.04 x 10^8 (half up)
    assert record.car_t.total_cells_exact == pytest.approx(7.035e8)
    assert record.car_t.total_cells == 7.04e8


@pytest.mark.parametrize("dose", [100, 200])
def test_range_ends_are_accepted(dose):
    record = _doses(agent_doses={"nab-paclitaxel": dose})
    assert record.preconditioning[0].mg_per_day == round(dose * 1.82)


@pytest.mark.parametrize(
    ("agent", "dose", "message"),
    [
        ("nab-paclitaxel", 99.9, "outside the protocol range 100-200 mg/m2"),
        ("nab-paclitaxel", 201, "outside the protocol range 100-200 mg/m2"),
        ("cyclophosphamide", 14, "outside the protocol range 15-30 mg/kg"),
        ("cyclophosphamide", 31, "outside the protocol range 15-30 mg/kg"),
        ("cyclophosphamide", math.nan, "outside the protocol range 15-30 mg/kg"),
    ],
)
def test_out_of_range_doses_are_refused_with_the_range(agent, dose, message):
    with pytest.raises(InputError, match=message):
        _doses(agent_doses={agent: dose})


@pytest.mark.parametrize(
    ("weight", "height", "field", "message"),
    [
        (-70, 170, "weight_kg", "positive"),
        (0, 170, "weight_kg", "positive"),
        (700, 170, "weight_kg", "30-250 kg"),
        (70, 1.7, "height_cm", "120-230 cm"),
        (math.inf, 170, "weight_kg", "positive"),
    ],
)
def test_implausible_body_sizes_are_refused(weight, height, field, message):
    with pytest.raises(InputError, match=message) as info:
        _doses(weight_kg=weight, height_cm=height)
    assert info.value.field == field


def test_unknown_dose_level_and_agent_are_refused():
    with pytest.raises(InputError, match=r"1\.\.3"):
        _doses(dose_level=4)
    with pytest.raises(InputError, match="nab-paclitaxel, cyclophosphamide"):
        _doses(agent_doses={"fludarabine": 30})


def test_mg_per_m2_needs_a_height():
    with pytest.raises(InputError, match="give the height"):
        _doses(height_cm=None, agent_doses={"nab-paclitaxel": 150})


def test_agents_not_given_are_listed_not_guessed():
    record = _doses(agent_doses={"cyclophosphamide": 15})
    assert [a.agent for a in record.preconditioning] == ["cyclophosphamide"]
    assert record.not_computed == ["nab-paclitaxel: give a dose within 100-200 mg/m2"]


def test_the_protocol_bsa_cap_applies_after_rounding():
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    data["dosing"]["bsa_cap_m2"] = 2.0
    capped = parse_protocol(yaml.safe_dump(data), "capped")
    # 190 cm, 100 kg: Mosteller sqrt(19000 / 3600) = 2.2973 -> 2.30, capped to 2.0
    record = patient_doses(
        capped, weight_kg=100, height_cm=190, dose_level=1, agent_doses={"nab-paclitaxel": 100}
    )
    assert record.body.bsa_m2_rounded == 2.30 and record.body.capped
    assert record.preconditioning[0].mg_per_day == 200


def test_dubois_can_be_chosen_per_call():
    record = _doses(bsa_formula="dubois", agent_doses={"nab-paclitaxel": 100})
    assert record.body.bsa_formula == "dubois" and record.body.bsa_m2_used == 1.81
    assert record.preconditioning[0].mg_per_day == 181
