"""The web pages' URLs, and the vendored static files (htmx, the stylesheet).

Static files are served by Django's static view from this package: two small vendored files,
no collectstatic step and no extra dependency; gunicorn serves them like any page.
"""

from pathlib import Path

from django.urls import path, re_path
from django.views.static import serve

from hyposti.web.views import (
    adverse_events,
    auth,
    casebook,
    committee,
    dashboard,
    dosing,
    participants,
    queries,
    records,
    screening,
    statistics,
    tumour,
)

STATIC_ROOT = Path(__file__).parent / "static"

urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_view, name="password"),
    path("participants/", participants.participants_view, name="participants"),
    path("participants/new/", participants.register_view, name="register"),
    path("participants/<str:subject_id>/", casebook.casebook_view, name="casebook"),
    path("participants/<str:subject_id>/consent/", participants.consent_view, name="consent"),
    path("participants/<str:subject_id>/enrol/", participants.enrol_view, name="enrol"),
    path(
        "participants/<str:subject_id>/administrations/",
        participants.administer_view,
        name="administer",
    ),
    path("participants/<str:subject_id>/screening/", screening.screening_view, name="screening"),
    path(
        "participants/<str:subject_id>/screening/check",
        screening.screening_check_view,
        name="screening_check",
    ),
    path(
        "participants/<str:subject_id>/attest/<str:criterion_id>/",
        screening.attest_view,
        name="attest",
    ),
    path("participants/<str:subject_id>/dosing/", dosing.dosing_view, name="dosing"),
    path(
        "participants/<str:subject_id>/dosing/check", dosing.dosing_check_view, name="dosing_check"
    ),
    path(
        "participants/<str:subject_id>/adverse-event/",
        adverse_events.adverse_event_view,
        name="adverse_event",
    ),
    path("calculators/fields", adverse_events.observation_fields_view, name="observation_fields"),
    path("calculators/grade", adverse_events.grade_check_view, name="grade_check"),
    path(
        "adverse-events/<str:ae_id>/dlt-decision/",
        adverse_events.dlt_decision_view,
        name="dlt_decision",
    ),
    path("participants/<str:subject_id>/scan/", tumour.tumour_view, name="tumour"),
    path("participants/<str:subject_id>/scan/check", tumour.tumour_check_view, name="tumour_check"),
    path("participants/<str:subject_id>/correct", records.correct_view, name="correct"),
    path("participants/<str:subject_id>/lock", records.lock_view, name="lock"),
    path("participants/<str:subject_id>/queries/", queries.query_open_view, name="query_open"),
    path(
        "participants/<str:subject_id>/queries/<str:pk>/answer",
        queries.query_answer_view,
        name="query_answer",
    ),
    path(
        "participants/<str:subject_id>/queries/<str:pk>/close",
        queries.query_close_view,
        name="query_close",
    ),
    path("committee/", committee.committee_view, name="committee"),
    path("committee/paths", committee.paths_view, name="paths"),
    path("statistics/", statistics.statistics_view, name="statistics"),
    path("statistics/report", statistics.report_view, name="report"),
    path("statistics/oc", statistics.oc_view, name="oc"),
    path("statistics/dataset.zip", statistics.dataset_view, name="dataset"),
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": STATIC_ROOT}),
]
