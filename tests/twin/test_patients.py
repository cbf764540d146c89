"""A typical patient's derived biology, by hand from the parameter file's typical values."""

import numpy as np
import pytest

from hyposti.twin.gate import gate_from_parameters
from hyposti.twin.parameters import NAMES, load_twin_parameters
from hyposti.twin.patients import TwinPatients, biology
from hyposti.twin.variability import individual_values

P = load_twin_parameters()


def typical_patient(dose: float = 1e6) -> TwinPatients:
    # Two 25 mm target lesions (one reference lesion of antigen each at HER2 share 1), HER2 50%.
    individual = individual_values(P, np.zeros((len(NAMES), 1)))
    return TwinPatients(
        dose_cells_per_kg=np.array([dose]),
        her2_fraction=np.array([0.5]),
        baseline_mm=np.array([[25.0, 25.0, np.nan]]),
        is_target=np.array([[True, True, False]]),
        lesion_po2_mmhg=np.array([[2.7, 10.0, 1.0]]),
        individual=individual,
    )


def test_conventional_car_by_hand():
    bio = biology(typical_patient(), P, gate_from_parameters(P, gated=False))
    v = P.value
    # Tumour antigen 0.5 (1 + 1) = 1; lung 1 x 2.0 = 2; engagement per cell S = 3 / (1e6/1e6).
    assert bio.engagement[0] == pytest.approx(3.0)
    # ln fold = 3.5 x 3 / (3 + 1) = 2.625; Cmax = 1e-4 x 1e6 x exp(2.625) = 1380.4 copies/ug.
    assert bio.kinetics.cmax[0] == pytest.approx(100.0 * np.exp(2.625))
    assert bio.kinetics.rho[0] == pytest.approx(2.625 / 9.3)
    # Engaged share A / (A + 1) = 0.75: Z = 1.3804 x 0.75 = 1.0353; lung part 2/3 of it.
    engaged = 100.0 * np.exp(2.625) / 1000.0 * 0.75
    assert bio.cytokine[0] == pytest.approx(engaged)
    assert bio.lung_injury[0] == pytest.approx(engaged * 2.0 / 3.0)
    # Kill per lesion: rate x tumour/blood ratio x HER2 share x expression 1.
    kill = v("kill_rate_per_day") * v("tumour_to_blood_ratio") * 0.5
    assert bio.kill_per_day[0, :2] == pytest.approx([kill, kill])
    assert np.isnan(bio.kill_per_day[0, 2])


def test_gate_lowers_lung_and_tumour_engagement():
    gated = biology(typical_patient(), P, gate_from_parameters(P, gated=True))
    gate = gate_from_parameters(P, gated=True)
    assert gated.lung_expression[0] == pytest.approx(gate.expression(np.array([100.0]))[0])
    assert gated.lung_expression[0] < 0.1
    # The more hypoxic lesion (pancreas-like 2.7 mmHg) expresses more CAR than the 10 mmHg one.
    assert 1.0 > gated.lesion_expression[0, 0] > gated.lesion_expression[0, 1]
    # Hypoxic share below 7.6 mmHg: Phi(ln(7.6 / 2.7) / 1) = Phi(1.0349) = 0.8496.
    assert gated.hypoxic_fraction[0, 0] == pytest.approx(0.8496, abs=1e-4)


def test_a_larger_dose_expands_less_per_cell():
    # Singh 2021: engagement per cell falls with dose, so the fold expansion falls.
    low = biology(typical_patient(1e6), P, gate_from_parameters(P, gated=False))
    high = biology(typical_patient(1e7), P, gate_from_parameters(P, gated=False))
    assert high.engagement[0] == pytest.approx(low.engagement[0] / 10)
    assert high.kinetics.rho[0] < low.kinetics.rho[0]
