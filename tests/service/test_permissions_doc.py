"""docs/permissions.md is the permission matrix of permissions.py, regenerated when it changes."""

from __future__ import annotations

from pathlib import Path

from hyposti.service.permissions import DOC_PATH, MATRIX, ROLES, matrix_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_permission_doc_is_current() -> None:
    doc = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert doc == matrix_markdown(), (
        f"{DOC_PATH} is stale: regenerate it with the command at its top"
    )


def test_the_doc_table_reads_back_as_the_matrix() -> None:
    """Each table row, read as text, names exactly the roles the matrix allows."""
    lines = (ROOT / DOC_PATH).read_text(encoding="utf-8").splitlines()
    rows = [line.strip("|").split("|") for line in lines if line.startswith("| `")]
    read = {
        cells[0].strip().strip("`"): frozenset(
            role for role, cell in zip(ROLES, cells[1:], strict=True) if cell.strip() == "yes"
        )
        for cells in rows
    }
    assert read == MATRIX


def test_the_readme_links_the_doc() -> None:
    assert f"]({DOC_PATH})" in (ROOT / "README.md").read_text(encoding="utf-8")
