"""The shipped protocol against the registry record, and the loader's problem reports."""

import re
from pathlib import Path

import pytest
import yaml

from hyposti.errors import ProtocolError
from hyposti.protocol import load_protocol, parse_protocol, shipped_protocol_path


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _shipped_data() -> dict:
    return yaml.safe_load(shipped_protocol_path().read_text(encoding="utf-8"))


def _broken(mutate) -> str:
    data = _shipped_data()
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False)


def test_every_criterion_is_the_registry_text_verbatim(registry_text):
    criteria = load_protocol().eligibility.criteria
    assert [c.id for c in criteria] == [f"I{i}" for i in range(1, 11)] + [
        f"E{i}" for i in range(1, 16)
    ]
    record = _squash(registry_text)
    for c in criteria:
        number = int(c.id[1:])
        assert f"{number}. {_squash(c.text)}" in record, c.id


def test_dose_levels_and_regimen_match_the_registry(registry_text):
    p = load_protocol()
    assert [d.cells_per_kg for d in p.investigational_product.dose_levels] == [1e6, 3e6, 1e7]
    for exponent, mantissa in (("6", "1"), ("6", "3"), ("7", "1")):
        assert f"{mantissa}×10^{exponent}cells/kg" in registry_text.replace(" ", "")
    nab, cyclo = p.preconditioning
    assert (nab.dose_basis, nab.dose_min, nab.dose_max, nab.days) == ("mg/m2", 100, 200, (-5,))
    assert (cyclo.dose_basis, cyclo.dose_min, cyclo.dose_max, cyclo.days) == (
        "mg/kg",
        15,
        30,
        (-3, -2),
    )
    assert _squash(nab.registry_text) in _squash(registry_text)
    assert _squash(cyclo.registry_text) in _squash(registry_text)


def test_identifiers_enrolment_and_endpoints_match_the_registry(registry_text):
    p = load_protocol()
    assert p.identifiers.nct_id == "NCT05681650"
    assert "CHN-PLAGH-BT-076" in p.identifiers.secondary_ids
    assert "Estimated Enrollment : | 30 participants" in registry_text
    assert (p.enrolment.escalation_min, p.enrolment.expansion_min) == (9, 10)
    assert (p.enrolment.expansion_max, p.enrolment.total_estimated) == (21, 30)
    assert len(p.endpoints) == 9
    record = _squash(registry_text)
    for ep in p.endpoints:
        assert _squash(ep.definition) in record, ep.id
        assert _squash(ep.title) in record, ep.id


def test_ambiguities_keep_the_literal_text_and_a_selectable_alternative(registry_text):
    p = load_protocol()
    mtd = p.design.mtd_rule
    assert _squash(mtd.registry_text) in _squash(registry_text)
    assert "registry-literal" in mtd.alternatives and mtd.reading == p.design.variant
    ecog = next(r for r in p.eligibility.readings if "ECOG" in r.registry_text)
    assert "0 or 2" in ecog.registry_text and ecog.reading == "ECOG 0-2"


def test_a_differently_shaped_protocol_loads(boin_protocol_path):
    p = load_protocol(boin_protocol_path)
    assert p.num_doses == 5
    assert (p.design.method, p.design.target_toxicity) == ("boin", 0.25)


def test_decreasing_dose_levels_are_reported_with_path_and_line():
    def swap(data):
        levels = data["investigational_product"]["dose_levels"]
        levels[1]["cells_per_kg"], levels[2]["cells_per_kg"] = 1.0e7, 3.0e6

    with pytest.raises(ProtocolError) as info:
        parse_protocol(_broken(swap), "bad.yaml")
    (problem,) = info.value.problems
    assert problem.startswith("investigational_product.dose_levels (line ")
    assert "level 3 (3e+06) is not above level 2 (1e+07)" in problem


def test_every_problem_is_reported_not_just_the_first():
    def spoil(data):
        data["design"]["variant"] = "4+4"
        data["preconditioning"][1]["dose_min"] = 40
        data["eligibility"]["criteria"][0]["id"] = "X1"
        data["design"]["typo_key"] = 1

    with pytest.raises(ProtocolError) as info:
        parse_protocol(_broken(spoil), "bad.yaml")
    text = "\n".join(info.value.problems)
    assert len(info.value.problems) == 4, text
    assert "design.variant" in text and "'4+4'" in text
    assert "preconditioning[1].dose_min" in text and "= 40.0: exceeds dose_max 30" in text
    assert "eligibility.criteria[0].id" in text and "'X1'" in text
    assert "design.typo_key" in text and "Extra inputs are not permitted" in text


def test_a_missing_section_is_named():
    def drop(data):
        del data["response"]

    with pytest.raises(ProtocolError) as info:
        parse_protocol(_broken(drop), "bad.yaml")
    assert any(p.startswith("response") and "Field required" in p for p in info.value.problems)


def test_yaml_syntax_errors_and_unreadable_files_are_problems_not_tracebacks(tmp_path: Path):
    with pytest.raises(ProtocolError, match="not valid YAML"):
        parse_protocol("design: [unclosed", "bad.yaml")
    with pytest.raises(ProtocolError, match="mapping of sections"):
        parse_protocol("- just a list", "bad.yaml")
    with pytest.raises(ProtocolError, match="cannot read the file"):
        load_protocol(tmp_path / "absent.yaml")


def test_start_dose_must_be_a_dose_level():
    def start_high(data):
        data["design"]["start_dose"] = 4

    with pytest.raises(ProtocolError, match=r"start_dose 4 is not a dose level \(1..3\)"):
        parse_protocol(_broken(start_high), "bad.yaml")


def test_a_yaml_syntax_error_gives_the_file_line_and_column_on_one_line():
    # PyYAML's own text named '<unicode string>' and spread over four lines. The ']' that the
    # flow sequence opened on line 1 (column 4, the '[') is missing when line 2 starts a key.
    with pytest.raises(ProtocolError) as info:
        parse_protocol("a: [1, 2\nb: 3\n", "bad.yaml")
    (problem,) = info.value.problems
    assert problem.startswith("not valid YAML: line 2, column 2: did not find expected ',' or ']'")
    assert "(while parsing a flow sequence at line 1, column 4)" in problem
    assert "unicode string" not in problem and "\n" not in problem


def test_a_key_given_twice_is_refused_not_silently_replaced():
    # PyYAML keeps the last of two equal keys: a second `dose_levels:` replaced the first.
    text = shipped_protocol_path().read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() == "dose_levels:")
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    doubled = "\n".join([*lines[: first + 1], f"{indent}  - {{level: 9}}", *lines[first:]])
    with pytest.raises(ProtocolError) as info:
        parse_protocol(doubled, "twice.yaml")
    (problem,) = info.value.problems
    assert f"line {first + 3}, column {len(indent) + 1}:" in problem
    said = f"the key 'dose_levels' appears twice in one mapping (first at line {first + 1})"
    assert said in problem
