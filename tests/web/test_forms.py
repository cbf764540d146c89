"""The forms generated from the engines' records: every field of a full screening record has
an input, and a posted form reads back as the same record (the example file is the truth)."""

from __future__ import annotations

import json
from pathlib import Path

from django.utils.datastructures import MultiValueDict

from hyposti.eligibility import ScreeningRecord
from hyposti.safety import CrsObservation
from hyposti.web.forms import flatten, label_of, parse, sections

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "screening"


def test_every_field_of_the_example_screening_records_round_trips_through_the_form() -> None:
    names = {f.name for s in sections(ScreeningRecord) for f in s.fields}
    for example in ("eligible.json", "ineligible.json"):
        record = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
        posted = flatten(record)
        assert set(posted) <= names, set(posted) - names
        form = MultiValueDict({k: [str(v)] for k, v in posted.items()})
        parsed = ScreeningRecord.model_validate(parse(form, ScreeningRecord))
        assert parsed == ScreeningRecord.model_validate(record)


def test_blank_inputs_stay_unrecorded_and_defaults_are_the_models() -> None:
    form = MultiValueDict({"screening_date": ["2026-11-20"], "disease.ecog": [""]})
    assert parse(form, ScreeningRecord) == {"screening_date": "2026-11-20"}
    crs = {f.name: f for s in sections(CrsObservation) for f in s.fields}
    # CrsObservation: hypotension defaults to False, oxygen to "none", temperature required.
    assert crs["hypotension"].default == "no"
    assert crs["oxygen"].default == "none"
    assert crs["temperature_c"].default == "" and crs["temperature_c"].required


def test_labels_write_units_and_abbreviations_as_clinicians_do() -> None:
    assert label_of("anc_10e9_per_l") == "ANC (10^9/L)"
    assert label_of("serum_creatinine_mg_dl") == "serum creatinine (mg/dL)"
    assert label_of("oxygen_flow_l_min") == "oxygen flow (L/min)"
