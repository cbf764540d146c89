"""The statistician's page: the trial report on the current data (the same HTML `hyposti
report` writes, via hyposti.report), the dataset export (`hyposti export` tables, as CSV), and
the exact operating characteristics of the protocol's design under DLT rates the statistician
types (the engine call `hyposti design oc` makes)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.http import HttpResponse

from hyposti.design import design_from_protocol, design_title, exact_oc
from hyposti.design.protocol_design import protocol_dose_levels
from hyposti.errors import HypostiError
from hyposti.service.access import authorize
from hyposti.service.models import UserProfile
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.views.committee import dlt_rates
from hyposti.web.views.common import AuthenticatedHttpRequest, page, show, today


@page
def statistics_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    authorize(request.user, "dataset.export")
    protocol = trial_protocol()
    levels = protocol_dose_levels(protocol)
    context = {
        "today": today(),
        "design": design_title(design_from_protocol(protocol)),
        "doses": [(k, levels.label(k)) for k in range(1, levels.count + 1)],
    }
    return show(request, "web/statistics.html", context, profile=profile)


@page
def oc_view(request: AuthenticatedHttpRequest, profile: UserProfile) -> HttpResponse:
    """Exact operating characteristics of the protocol's design under the typed true DLT rates
    (hyposti.design.exact_oc, as `hyposti design oc --true-tox ...`) — HTMX partial."""
    authorize(request.user, "dataset.export")
    protocol = trial_protocol()
    design = design_from_protocol(protocol)
    levels = protocol_dose_levels(protocol)
    context: dict[str, Any] = {}
    typed = [request.POST.get(f"p{k}", "").strip() for k in range(1, design.num_doses + 1)]
    try:
        # Until every dose has its rate the hint stays: a half-typed scenario is not an error.
        rates = dlt_rates(request, design.num_doses) if all(typed) else None
        if rates is not None:
            oc = exact_oc(design, rates)
            context["oc"] = oc
            context["rows"] = [
                {
                    "dose": levels.label(k),
                    "true_tox": rates[k - 1],
                    "prob_select": oc.prob_select[k],
                    "expected_n": oc.expected_n_at_dose[k - 1],
                }
                for k in range(1, design.num_doses + 1)
            ]
    except HypostiError as exc:
        context["problem"] = str(exc)
    return show(request, "web/oc.html", context, profile=profile)


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
