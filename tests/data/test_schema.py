"""The schema is data: every table printable, keys are columns, allowed values are consistent."""

from hyposti.data import TABLES, TrialDataset, dataset_schema


def test_every_table_is_a_dataset_field_and_keys_are_columns():
    assert list(TABLES) == list(TrialDataset.__dataclass_fields__)
    for table in TABLES.values():
        assert set(table.key) <= set(table.column_names)


def test_schema_description_is_plain_data():
    schema = dataset_schema()
    names = [t["name"] for t in schema["tables"]]
    assert {"subjects", "adverse_events", "kinetics", "disposition", "escalation"} <= set(names)
    kinetics = next(t for t in schema["tables"] if t["name"] == "kinetics")
    copies = next(c for c in kinetics["columns"] if c["name"] == "copies_per_ug")
    assert copies["minimum"] == 0 and copies["dtype"] == "number"
    matrix = next(c for c in kinetics["columns"] if c["name"] == "matrix")
    assert matrix["allowed"] == ["blood", "tumour"]
