"""The twin report: calibration against the published targets and the arms at every dose."""

import math
import re

import pytest

from hyposti.protocol import load_protocol
from hyposti.report.twin import render_twin_html
from hyposti.report.twin_figures import calibration_rows
from hyposti.twin.evidence import twin_evidence
from hyposti.twin.parameters import load_twin_parameters
from hyposti.virtual.parameters import load_parameters

PROTOCOL = load_protocol()


@pytest.fixture(scope="module")
def evidence():
    return twin_evidence(
        load_twin_parameters(), load_parameters(), PROTOCOL, seed=5, patients_per_cell=4,
        clinical_patients=500,
    ).to_dict()  # fmt: skip


def test_calibration_rows_hold_the_published_targets(evidence):
    rows = {r["figure"]: r for r in calibration_rows(evidence)}
    # Stein 2019 Table 2 and Feng 2018, read independently of the modules.
    assert rows["Cmax median, copies/ug"]["target"] == 24_000
    assert rows["Cmax log SD"]["target"] == pytest.approx(math.sqrt(2.4))
    assert rows["Tmax median, d"]["target"] == 9.3
    assert rows["AUC0-28 median, copies·d/ug"]["target"] == 172_000
    assert rows["ORR"]["target"] == pytest.approx(1 / 11)
    # The interval of a median is exp(+-1.96 SE) around it on the log scale.
    cmax = rows["Cmax median, copies/ug"]
    assert math.log(cmax["high"] / cmax["value"]) == pytest.approx(
        1.959964 * evidence["kinetic_fit"]["log_median_se"]["cmax"]
    )


def test_report_shows_every_dose_and_arm_and_three_figures(evidence):
    html = render_twin_html(evidence, PROTOCOL)
    for level, dose in ((1, "1e6"), (2, "3e6"), (3, "1e7")):  # the registry's three doses
        for arm in ("gated", "conventional"):
            assert re.search(rf"DL{level} \({dose}/kg\)</td><td>{arm}</td>", html)
    assert html.count("<svg") == 3
    assert 'id="calibration"' in html and 'id="comparison"' in html
    assert 'href="http' not in html and "<script" not in html  # namespaces only, nothing fetched
