"""The parameter file: every default documented with its source, invalid files refused in full."""

import re
from pathlib import Path

import pytest
import yaml

from hyposti.errors import InputError, ProtocolError
from hyposti.virtual.parameters import default_parameters_path, load_parameters

KEY = re.compile(r"^  ([a-z_0-9]+):")


def undocumented_keys(text: str) -> list[str]:
    """Section keys with no comment block citing [lit] or [est] above them in their section.

    Walking up from a key, sibling keys and nested values are skipped (a group of keys may share
    one comment); the first comment block met must cite its source.
    """
    lines = text.splitlines()
    missing = []
    for number, line in enumerate(lines):
        match = KEY.match(line)
        if not match:
            continue
        k = number - 1
        while k >= 0 and not lines[k].startswith("  #") and lines[k].startswith("  "):
            k -= 1
        block = []
        while k >= 0 and lines[k].startswith("  #"):
            block.append(lines[k])
            k -= 1
        if not re.search(r"\[(lit|est)\]", " ".join(block)):
            missing.append(match.group(1))
    return missing


def test_every_parameter_sits_under_a_comment_citing_lit_or_est() -> None:
    assert undocumented_keys(default_parameters_path().read_text(encoding="utf-8")) == []
    sample = "a:\n  # [lit] Stein 2019.\n  x: 1\n  y: 2\nb:\n  z: 3\n  # a note\n  w: 4\n"
    assert undocumented_keys(sample) == ["z", "w"]


def test_the_shipped_defaults_load() -> None:
    params = load_parameters()
    assert params.kinetics.omega2["cmax"] == 2.4  # Stein 2019 Table 2
    assert params.calendar.start_date.isoformat() == "2023-02-01"  # registry start date


def _write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(default_parameters_path().read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_increasing_grade_probabilities_are_refused_with_their_path(tmp_path: Path) -> None:
    def bad(data):
        data["toxicity"]["crs_at_least"][0] = [0.1, 0.2, 0.0, 0.0, 0.0]
        data["screening"]["failure_probability"]["I2"] = 1.5

    with pytest.raises(ProtocolError) as err:
        load_parameters(_write(tmp_path, bad))
    text = str(err.value)
    assert "must not increase with the grade" in text
    assert "failure probabilities must lie in [0, 1)" in text


def test_unknown_keys_and_missing_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match=r"kinetics\.cmax_typo"):
        load_parameters(_write(tmp_path, lambda d: d["kinetics"].update(cmax_typo=1.0)))
    with pytest.raises(InputError, match="params"):
        load_parameters(tmp_path / "absent.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ProtocolError, match="mapping"):
        load_parameters(tmp_path / "list.yaml")
