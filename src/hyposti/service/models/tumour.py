"""Tumour assessments at lesion level, with the RECIST 1.1 / iRECIST result of each save."""

from __future__ import annotations

from django.db import models

from hyposti.data.schema import LESION_CATEGORIES, LESION_STATES, METHODS, NON_TARGET_STATUSES
from hyposti.service.models.history import HistoricalRecords
from hyposti.service.models.participant import Participant


class Lesion(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="lesions")
    lesion_id = models.CharField(max_length=40)
    organ = models.CharField(max_length=100)
    lymph_node = models.BooleanField()
    category = models.CharField(max_length=12, choices=[(c, c) for c in LESION_CATEGORIES])
    method = models.CharField(max_length=12, blank=True, choices=[(m, m) for m in METHODS])
    slice_thickness_mm = models.FloatField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "lesion_id"], name="lesion_id_unique")
        ]


class TumourAssessment(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="tumour_assessments"
    )
    assessment_date = models.DateField()
    baseline = models.BooleanField()
    non_target_status = models.CharField(
        max_length=16, blank=True, choices=[(s, s) for s in NON_TARGET_STATUSES]
    )
    non_target_increased = models.BooleanField(null=True, blank=True)
    #: The participant's response by the engine as of this scan (None for imported scans).
    response = models.JSONField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "assessment_date"], name="one_scan_per_day"
            )
        ]


class LesionMeasurement(models.Model):
    assessment = models.ForeignKey(
        TumourAssessment, on_delete=models.PROTECT, related_name="measurements"
    )
    lesion = models.ForeignKey(Lesion, on_delete=models.PROTECT, related_name="measurements")
    state = models.CharField(max_length=24, choices=[(s, s) for s in LESION_STATES])
    diameter_mm = models.FloatField(null=True, blank=True)
    merged_into = models.CharField(max_length=40, blank=True)
    equivocal = models.BooleanField(null=True, blank=True)
    increased = models.BooleanField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "lesion"], name="one_reading_per_scan"),
            models.CheckConstraint(
                condition=models.Q(diameter_mm__isnull=True) | models.Q(diameter_mm__gte=0),
                name="diameter_not_negative",
            ),
        ]
