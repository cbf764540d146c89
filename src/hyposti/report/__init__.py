"""The trial report: tables and figures from the endpoint analysis, as one self-contained HTML."""

from hyposti.report.render import pdf_engine, render_html, write_pdf, write_report

__all__ = ["pdf_engine", "render_html", "write_pdf", "write_report"]
