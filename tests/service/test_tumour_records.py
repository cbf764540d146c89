"""The response engine's record read straight from the database is the record the dataset
export gives (the export and `analysis.tumour.tumour_data` are the trial's reference path,
checked against RECIST 1.1's worked examples in tests/response and tests/analysis)."""

from __future__ import annotations

import datetime as dt

import pytest

from hyposti.analysis.tumour import tumour_data
from hyposti.service.dataset_io import export_dataset
from hyposti.service.models import Participant
from hyposti.service.services.followup import participant_tumour_data
from hyposti.web.demo import load_demo

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_every_demo_participants_scans_read_as_the_dataset_export_reads_them() -> None:
    load_demo(NOW)
    today = NOW.date()
    participants = list(Participant.objects.order_by("pk"))
    exported = {
        d.patient_id: d for d in tumour_data(export_dataset(participants, data_cutoff=today))
    }
    direct = {
        p.subject_id: d
        for p in participants
        if (d := participant_tumour_data(p, today)) is not None
    }
    assert len(exported) >= 10
    assert direct == exported
