"""Laboratory results and vital signs (the dataset's lab_results and vital_signs tables)."""

from __future__ import annotations

from django.db import models

from hyposti.data.schema import LAB_TESTS, VITAL_SIGNS
from hyposti.service.models.history import HistoricalRecords
from hyposti.service.models.participant import Participant


class LabResult(models.Model):
    """One laboratory result, with the laboratory's normal range where known."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="lab_results"
    )
    collection_date = models.DateField()
    test = models.CharField(max_length=20, choices=[(t, t) for t in LAB_TESTS])
    value = models.FloatField()
    unit = models.CharField(max_length=10, blank=True)
    normal_low = models.FloatField(null=True, blank=True)
    normal_high = models.FloatField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "collection_date", "test"], name="one_lab_result_per_day"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="lab_value_not_negative"),
        ]


class VitalSign(models.Model):
    """One vital sign or body measurement."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="vital_signs"
    )
    measurement_date = models.DateField()
    test = models.CharField(max_length=20, choices=[(t, t) for t in VITAL_SIGNS])
    value = models.FloatField()
    unit = models.CharField(max_length=10)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "measurement_date", "test"], name="one_vital_sign_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="vital_value_not_negative"
            ),
        ]
