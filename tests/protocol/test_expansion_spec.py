"""The expansion section: the registry's "10 to 21" read as a Simon design, and the monitoring."""

import re

import pytest
import yaml

from hyposti.design.simon_two_stage import SimonDesign, simon_characteristics, simon_designs
from hyposti.design.toxicity_monitoring import ToxicityMonitor
from hyposti.errors import ProtocolError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _broken(mutate) -> str:
    data = yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False)


def test_the_registry_sentence_is_kept_verbatim(registry_text) -> None:
    expansion = load_protocol().expansion
    assert _squash(expansion.registry_text) in _squash(registry_text)


def test_the_design_in_force_is_simons_optimal_design_for_its_error_rates() -> None:
    simon = load_protocol().expansion.response_design
    found = getattr(simon_designs(simon.p0, simon.p1, simon.alpha, simon.beta), simon.kind)
    assert (found.design.r1, found.design.n1, found.design.r, found.design.n) == (
        simon.r1, simon.n1, simon.r, simon.n,
    )  # fmt: skip
    # A first stage of 10 and 21 in all: the registry's "additional 10 to 21 patients".
    enrolment = load_protocol().enrolment
    assert (simon.n1, simon.n) == (enrolment.expansion_min, enrolment.expansion_max)


def test_the_reading_quotes_the_exact_figures_of_its_designs() -> None:
    simon = load_protocol().expansion.response_design
    text = _squash(simon.reading.reading)
    figures = simon_characteristics(SimonDesign(simon.r1, simon.n1, simon.r, simon.n), 0.1, 0.35)
    assert f"type I error {figures.alpha:.3f}" in text
    assert f"power {figures.power:.3f}" in text
    assert f"E[N | p0] {figures.en_p0:.1f}" in text
    assert f"P(early stop | p0) {figures.pet_p0:.2f}" in text
    # The first alternative is the minimax design for its own error rates.
    minimax = simon_designs(0.05, 0.30, 0.025, 0.10).minimax
    assert str(minimax.design) == "0/10, 3/21"
    assert _squash(simon.reading.alternatives[0]).startswith("minimax 0/10, 3/21")


def test_the_monitoring_rationale_quotes_the_exact_stopping_probabilities() -> None:
    spec = load_protocol().expansion.toxicity_monitoring
    rule = ToxicityMonitor(spec.prior_a, spec.prior_b, spec.theta, spec.threshold, spec.max_n)
    why = _squash(spec.why)
    for p in (0.2, 0.33, 0.4, 0.5):
        assert f"{p:.2f} with probability" in why or f"{p:.2f} with" in why
        assert f" {rule.operating(p).prob_stop:.2f}" in why
    table = rule.boundaries().stop_if_dlt_ge
    assert (table[2], table[3], table[5], table[6], table[7], table[20]) == (3, 4, 4, 5, 5, 11)
    assert "stops at 3 of 3, 4 of 4-6, 5 of 7-8" in why and "11 of 21" in why


def test_a_protocol_without_an_expansion_section_still_loads(boin_protocol_path) -> None:
    assert load_protocol(boin_protocol_path).expansion is None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["expansion"]["response_design"].update(r1=10),
            "response_design.r1 .* = 10: must be below n1",
        ),
        (lambda d: d["expansion"]["response_design"].update(n=25), "exceeds enrolment"),
        (lambda d: d["expansion"]["toxicity_monitoring"].update(theta=1.2), "theta"),
        (lambda d: d["expansion"]["toxicity_monitoring"].update(prior_b=0), "prior_b"),
        (lambda d: d["expansion"]["toxicity_monitoring"].update(stop_at=3), "stop_at"),
    ],
)
def test_a_broken_expansion_section_is_refused_with_its_path(mutate, message) -> None:
    with pytest.raises(ProtocolError, match=message) as caught:
        parse_protocol(_broken(mutate), "broken.yaml")
    assert "expansion" in str(caught.value)
