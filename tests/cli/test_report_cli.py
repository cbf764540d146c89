"""`hyposti report DIR -o FILE`: writes one self-contained HTML file."""

import importlib.util
import re

import pytest

from hyposti.cli.main import run


def test_report_is_self_contained(tmp_path, capsys):
    run(["data", "example", str(tmp_path / "ds")])
    out = tmp_path / "report.html"
    assert run(["report", str(tmp_path / "ds"), "-o", str(out)]) == 0
    html = out.read_text()
    assert html.count("<svg") >= 7  # PFS, OS, DOR, waterfall, spider, swimmer, 2 kinetics
    assert not re.search(r"""(src|href)=["']https?:""", html)
    assert "<script" not in html and "<link" not in html
    for heading in ("Endpoints", "Enrolment flow", "Dose escalation", "Safety", "Efficacy",
                    "Cellular kinetics", "Censoring rules"):  # fmt: skip
        assert heading in html
    assert "Data cut-off <b>2025-06-30</b>" in html


@pytest.mark.skipif(importlib.util.find_spec("weasyprint") is not None, reason="PDF engine here")
def test_pdf_without_engine_is_refused(tmp_path, capsys):
    run(["data", "example", str(tmp_path / "ds")])
    assert run(["report", str(tmp_path / "ds"), "-o", str(tmp_path / "r.html"), "--pdf"]) == 2
    assert "no PDF engine" in capsys.readouterr().err


@pytest.mark.skipif(importlib.util.find_spec("weasyprint") is None, reason="no PDF engine here")
def test_pdf_written_when_engine_present(tmp_path, capsys):
    run(["data", "example", str(tmp_path / "ds")])
    assert run(["report", str(tmp_path / "ds"), "-o", str(tmp_path / "r.html"), "--pdf"]) == 0
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
