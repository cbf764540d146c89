"""Schema checks: every violation reported, each naming its table, 1-based row and column."""

import datetime as dt

import pandas as pd
import pytest

from hyposti.data import DatasetError, TrialDataset
from hyposti.data.example import example_frames


def violations(frames):
    with pytest.raises(DatasetError) as err:
        TrialDataset.from_frames(**frames)
    found: dict = {}
    for v in err.value.violations:
        found[(v.table, v.row, v.column)] = found.get((v.table, v.row, v.column), "") + v.rule
    return found, err.value


def test_example_is_valid():
    ds = TrialDataset.from_frames(**example_frames())
    assert len(ds.subjects) == 8
    assert str(ds.subjects["consent_date"].dtype) == "datetime64[ns]"


def test_three_bad_rows_reported_together_with_table_row_column():
    frames = example_frames()
    frames["kinetics"].loc[2, "copies_per_ug"] = -40.0
    frames["adverse_events"].loc[0, "onset_date"] = dt.date(2023, 1, 1)
    frames["exposure"].loc[5, "subject_id"] = "S99"
    found, error = violations(frames)
    assert "outside the allowed range [0, 1e+07]" in found[("kinetics", 3, "copies_per_ug")]
    assert "before the subject's consent_date" in found[("adverse_events", 1, "onset_date")]
    assert "'S99' is not in the subjects table" in found[("exposure", 6, "subject_id")]
    message = str(error)
    assert "kinetics row 3 column 'copies_per_ug'" in message
    assert "adverse_events row 1 column 'onset_date'" in message
    assert "3 violation(s)" in message


def test_types_required_allowed_and_keys():
    frames = example_frames()
    s = frames["subjects"].astype(object)
    s.loc[0, "age_years"] = "fifty"
    s.loc[1, "sex"] = "X"
    s.loc[2, "consent_date"] = None
    s.loc[3, "subject_id"] = "S01"
    frames["subjects"] = s
    found, _ = violations(frames)
    assert "not a valid integer" in found[("subjects", 1, "age_years")]
    assert "not one of F, M" in found[("subjects", 2, "sex")]
    assert found[("subjects", 3, "consent_date")] == "a value is required"
    assert "duplicate key" in found[("subjects", 4, "subject_id")]


def test_dates_in_clinical_order_and_lesion_references():
    frames = example_frames()
    frames["subjects"].loc[0, "infusion_date"] = dt.date(2023, 12, 1)
    frames["lesion_measurements"].loc[0, "lesion_id"] = "T9"
    found, _ = violations(frames)
    assert "before preconditioning_start_date" in found[("subjects", 1, "infusion_date")]
    assert "not in the lesions table" in found[("lesion_measurements", 1, "lesion_id")]


def test_missing_and_unknown_tables_and_columns():
    frames = example_frames()
    del frames["subjects"]
    frames["extra"] = frames["study"]
    frames["study"] = frames["study"].drop(columns=["data_cutoff"]).assign(colour="red")
    found, _ = violations(frames)
    assert found[("subjects", None, None)] == "required table is missing"
    assert "unknown table" in found[("extra", None, None)]
    assert found[("study", None, "data_cutoff")] == "required column is missing"
    assert "unknown column" in found[("study", None, "colour")]


def test_every_infused_subject_needs_a_disposition_row():
    frames = example_frames()
    frames["disposition"] = frames["disposition"].iloc[1:]
    found, _ = violations(frames)
    assert "'S01' has no row" in found[("disposition", None, "subject_id")]


@pytest.mark.parametrize(
    ("day", "why"),
    [("9999-12-31", "beyond what pandas holds"), ("2200-01-01", "readable, outside the range")],
)
def test_dates_outside_the_trial_range_are_refused(day, why):
    frames = example_frames()
    frames["study"] = frames["study"].astype(object)
    frames["study"].loc[0, "data_cutoff"] = day
    found, _ = violations(frames)
    assert found[("study", 1, "data_cutoff")] == (
        f"value {day!r} is not a valid date: a trial date lies between 1900-01-01 and 2199-12-31"
    )


@pytest.mark.parametrize(
    ("table", "column", "value", "range_"),
    [
        ("lesion_measurements", "diameter_mm", 1e308, "[0, 1000]"),
        ("kinetics", "copies_per_ug", 2e7, "[0, 1e+07]"),
        ("kinetics", "study_day", 6000.0, "[-365, 5479]"),
    ],
)
def test_dataset_numbers_share_the_engine_bounds(table, column, value, range_):
    frames = example_frames()
    frames[table].loc[0, column] = value
    found, _ = violations(frames)
    # (a moved study day also contradicts its sample date: that rule is tested in test_integrity)
    assert found[(table, 1, column)].startswith(
        f"value {value:g} is outside the allowed range {range_}"
    )


def test_identifiers_longer_than_64_characters_are_refused_without_being_echoed():
    frames = example_frames()
    frames["adverse_events"].loc[0, "ae_id"] = "A" * 10**6
    found, _ = violations(frames)
    # the value is cut after its first 300 characters (the quote and 299 letters)
    assert found[("adverse_events", 1, "ae_id")] == (
        "value '" + "A" * 299 + "... (1000000 characters): an identifier is 1-64 letters, "
        "digits, spaces or . _ : / # ( ) + -, starting with a letter or digit"
    )


@pytest.mark.parametrize("value", ["T1\x07", "-T1", "T1;drop"])
def test_identifiers_follow_the_engines_rule(value):
    # the response engine's records hold lesion ids to the same rule (hyposti.bounds.Identifier);
    # surrounding blanks are stripped on load, so they are not tested here
    frames = example_frames()
    frames["lesions"].loc[0, "lesion_id"] = value
    found, _ = violations(frames)
    assert found[("lesions", 1, "lesion_id")].startswith(f"value {value!r}: an identifier is 1-64")


def test_an_organ_name_is_at_most_200_characters():
    frames = example_frames()
    frames["lesions"].loc[0, "organ"] = "o" * 201
    found, _ = violations(frames)
    assert found[("lesions", 1, "organ")] == f"value {'o' * 201!r}: at most 200 characters"


def test_values_equal_in_python_are_still_read_as_their_own_text():
    # 1, 1.0 and True are one value to a hash table but "1", "1.0" and "True" as text
    frames = example_frames()
    sites = [1, 1.0, True] + ["PLAGH"] * (len(frames["subjects"]) - 3)
    frames["subjects"]["site_id"] = pd.Series(sites, dtype=object)
    ds = TrialDataset.from_frames(**frames)
    assert ds.subjects["site_id"].tolist()[:4] == ["1", "1.0", "True", "PLAGH"]


def test_repeated_text_is_stripped_and_a_blank_one_is_missing_in_every_row():
    frames = example_frames()
    terms = frames["adverse_events"]["term"].astype(object)
    terms.iloc[:4] = [" Fatigue ", "Fatigue", "  ", "  "]
    frames["adverse_events"]["term"] = terms
    found, _ = violations(frames)
    assert found == {
        ("adverse_events", 3, "term"): "a value is required",
        ("adverse_events", 4, "term"): "a value is required",
    }
    frames["adverse_events"]["term"] = terms.replace("  ", "Pyrexia")
    assert TrialDataset.from_frames(**frames).adverse_events["term"].tolist()[:4] == [
        "Fatigue", "Fatigue", "Pyrexia", "Pyrexia",
    ]  # fmt: skip
