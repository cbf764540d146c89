"""`hyposti data schema`: every column's allowed values written for a reader."""

from hyposti.cli.main import run
from hyposti.data.schema import dataset_schema


def test_a_range_open_above_is_written_as_a_lower_bound(capsys):
    # study.mtd_dose_level has a minimum (1) and no maximum: it printed "[1, None]".
    assert run(["data", "schema"]) == 0
    out = capsys.readouterr().out
    assert "None" not in out
    (study,) = [t for t in dataset_schema()["tables"] if t["name"] == "study"]
    (mtd,) = [c for c in study["columns"] if c["name"] == "mtd_dose_level"]
    assert (mtd["minimum"], mtd["maximum"]) == (1, None)
    line = next(row for row in out.splitlines() if "│ mtd_dose_level " in row)
    assert ">= 1" in line
