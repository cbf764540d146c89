"""A command's CSV input: a missing file or column is refused by name."""

import pytest

from hyposti.data.csv_table import read_csv_table
from hyposti.errors import DataError, InputError


def test_missing_file_and_column_are_named(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_csv_table(tmp_path / "none.csv", ("day",))
    path = tmp_path / "pk.csv"
    path.write_text("id,day\nA,1\n")
    assert list(read_csv_table(path, ("id", "day"))["day"]) == [1]
    with pytest.raises(DataError) as err:
        read_csv_table(path, ("day", "conc"))
    assert (err.value.table, err.value.column) == ("pk.csv", "conc")
    assert "have id, day" in str(err.value)
