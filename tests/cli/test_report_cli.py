"""`hyposti report DIR -o FILE`: writes one self-contained HTML file, and a PDF with --pdf."""

import re
import sys

from weasyprint import HTML

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


def test_pdf_without_engine_is_refused(tmp_path, capsys, monkeypatch):
    # None in sys.modules makes `import weasyprint` raise ImportError, as on a machine without it
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    run(["data", "example", str(tmp_path / "ds")])
    assert run(["report", str(tmp_path / "ds"), "-o", str(tmp_path / "r.html"), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "no PDF engine" in err and "'pdf' extra" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()  # refused before any work


def test_pdf_written_when_engine_present(tmp_path, capsys):
    run(["data", "example", str(tmp_path / "ds")])
    html = tmp_path / "r.html"
    assert run(["report", str(tmp_path / "ds"), "-o", str(html), "--pdf"]) == 0
    pdf = (tmp_path / "r.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and pdf.rstrip().endswith(b"%%EOF")
    # the same HTML laid out by the engine fills several A4 pages (flow, safety, efficacy, ...)
    assert len(HTML(filename=str(html)).render().pages) >= 4
