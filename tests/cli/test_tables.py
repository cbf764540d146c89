"""Command tables keep every character of a cell that does not fit: they fold, never cut."""

from io import StringIO

from rich.console import Console

from hyposti.cli.tables import FoldingTable


def _rendered(table: FoldingTable, width: int) -> str:
    out = StringIO()
    Console(file=out, width=width, color_system=None).print(table)
    return out.getvalue()


def _cells(text: str) -> str:
    """The characters inside the table, borders and padding removed, rows read in order."""
    inner = [line[1:-1].strip() for line in text.splitlines() if line.startswith("│")]
    return "".join(inner)


def test_a_cell_too_wide_for_its_column_is_folded_whole() -> None:
    table = FoldingTable()
    table.add_column("endpoint")
    table.add_row("95% CI 29.2%–100.0%) NON-CR/NON-PD cutaneous_mucosal")
    text = _rendered(table, 16)
    assert "…" not in text
    # At 16 columns the cell is 12 wide: each of its words is found whole, across lines.
    for word in ("29.2%–100.0%)", "NON-CR/NON-PD", "cutaneous_mucosal"):
        assert word in _cells(text)


def test_a_column_that_states_its_overflow_keeps_it() -> None:
    table = FoldingTable()
    table.add_column("date", overflow="ellipsis")
    table.add_row("2025-02-17")
    assert "…" in _rendered(table, 10)
