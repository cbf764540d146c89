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


def test_ae_scales_are_the_safety_engines_names():
    from hyposti.data.example import example_dataset
    from hyposti.safety import cres, crs, icans
    from hyposti.safety.adverse_event import CTCAE

    scale = next(c for c in TABLES["adverse_events"].columns if c.name == "scale")
    assert set(scale.allowed) == {CTCAE, crs.SCALE, icans.SCALE, cres.SCALE}
    assert set(scale.allowed) == {"CTCAE v5.0", "ASTCT 2019 CRS", "ASTCT 2019 ICANS", "CARTOX CRES"}
    assert set(example_dataset().adverse_events["scale"]) == {"CTCAE v5.0", "ASTCT 2019 CRS",
                                                              "ASTCT 2019 ICANS"}  # fmt: skip
