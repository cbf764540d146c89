"""The twin's parameter file: complete, documented, and refused when it breaks a rule."""

import math

import pytest
import yaml

from hyposti.errors import InputError, ProtocolError
from hyposti.twin.parameters import NAMES, default_parameters_path, load_twin_parameters

PARAMS = load_twin_parameters()


def test_every_parameter_is_documented():
    assert set(PARAMS.parameters) == set(NAMES)
    for p in PARAMS.parameters.values():
        assert p.basis in ("lit", "est") and p.unit and len(p.source) > 10


def test_stein_variances_become_the_stated_cvs():
    # Stein 2019 Table 2 log-variances: Tmax 0.38, alpha 0.91. CV = sqrt(exp(w2) - 1):
    # sqrt(exp(0.38) - 1) = sqrt(0.4623) = 0.680; sqrt(exp(0.91) - 1) = sqrt(1.4843) = 1.218.
    assert PARAMS.parameters["tmax_days"].cv == pytest.approx(0.680, abs=0.015)
    assert PARAMS.parameters["contraction_alpha_per_day"].cv == pytest.approx(1.218, abs=0.02)
    # log SD is sqrt(ln(1 + cv^2)): back to sqrt(0.38) = 0.616 within the CV's rounding.
    assert PARAMS.parameters["tmax_days"].log_sd == pytest.approx(math.sqrt(0.38), abs=0.01)


def test_published_anchors():
    assert PARAMS.value("tmax_days") == 9.3  # Stein 2019
    # alpha is fitted to Stein 2019's AUC0-28 (tests/twin/test_kinetic_calibration.py); its
    # source must still give Stein's typical 0.16 /d.
    assert "alpha 0.16 /d" in PARAMS.parameters["contraction_alpha_per_day"].source
    assert PARAMS.value("hypoxia_threshold_mmhg") == pytest.approx(7.6)  # 1% O2
    assert PARAMS.tumour_types["pancreatic carcinoma"].po2_median_mmhg == 2.7  # McKeown 2014
    assert PARAMS.tumour_types["breast carcinoma"].po2_median_mmhg == 10.0  # McKeown 2014


def _write(tmp_path, data):
    path = tmp_path / "twin.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _shipped():
    return yaml.safe_load(default_parameters_path().read_text(encoding="utf-8"))


def test_missing_parameter_is_named(tmp_path):
    data = _shipped()
    del data["parameters"]["gate_leak"]
    with pytest.raises(ProtocolError, match="gate_leak"):
        load_twin_parameters(_write(tmp_path, data))


def test_fraction_of_one_or_more_is_refused(tmp_path):
    data = _shipped()
    data["parameters"]["persistent_fraction"]["value"] = 1.2
    with pytest.raises(ProtocolError, match="persistent_fraction"):
        load_twin_parameters(_write(tmp_path, data))


def test_correlations_must_be_positive_definite(tmp_path):
    data = _shipped()
    # rho(a,b) = 0.9, rho(a,c) = 0.9, rho(b,c) = -0.9: determinant 1 - 3(0.81) - 2(0.729) < 0.
    names = ("tmax_days", "contraction_alpha_per_day", "persistence_beta_per_day")
    data["correlations"] = [
        {"first": names[0], "second": names[1], "rho": 0.9, "basis": "est", "source": "test"},
        {"first": names[0], "second": names[2], "rho": 0.9, "basis": "est", "source": "test"},
        {"first": names[1], "second": names[2], "rho": -0.9, "basis": "est", "source": "test"},
    ]
    with pytest.raises(ProtocolError, match="positive definite"):
        load_twin_parameters(_write(tmp_path, data))


def test_scenario_override_validates():
    assert PARAMS.with_values({"gate_leak": 0.1}).value("gate_leak") == 0.1
    with pytest.raises(InputError, match="no_such"):
        PARAMS.with_values({"no_such": 1.0})
    with pytest.raises(Exception, match="gate_fold_change"):
        PARAMS.with_values({"gate_fold_change": 0.5})


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="existing YAML"):
        load_twin_parameters(tmp_path / "absent.yaml")
