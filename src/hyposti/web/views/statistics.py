"""The statistician's page: the trial report on the current data (the same HTML `hyposti
report` writes, via hyposti.report) and the dataset export (`hyposti export` tables, as CSV)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.http import HttpResponse

from hyposti.service.access import authorize
from hyposti.service.models import UserProfile
from hyposti.web.views.common import AuthenticatedHttpRequest, page, show, today


@page
def statistics_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    authorize(request.user, "dataset.export")
    return show(request, "web/statistics.html", {"today": today()}, profile=profile)


@page
def report_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    """The HTML report of the data as of today; ``?download=1`` saves it as a file."""
    authorize(request.user, "dataset.export")
    from hyposti.analysis import analyze_trial
    from hyposti.report import render_html
    from hyposti.service.dataset_io import export_dataset
    from hyposti.service.trial_protocol import trial_protocol

    day = today()
    ds = export_dataset(data_cutoff=day)
    html = render_html(analyze_trial(ds, trial_protocol()), ds, day)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="hyposti-report-{day}.html"'
    return response


@page
def dataset_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    """The trial dataset as a zip of CSV tables, cut off today."""
    authorize(request.user, "dataset.export")
    from hyposti.data import write_dataset
    from hyposti.service.dataset_io import export_dataset

    day = today()
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_dataset(export_dataset(data_cutoff=day), Path(tmp), "csv")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, path.name)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="hyposti-dataset-{day}.zip"'
    return response
