"""Dosing: the engine-computed dose record, and each administration of a study product."""

from __future__ import annotations

from django.db import models

from hyposti.service.models.history import HistoricalRecords
from hyposti.service.models.participant import Participant


class DosingRecord(models.Model):
    """The doses hyposti.dosing computed from the body size and the chosen regimen doses."""

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="dosing")
    weight_kg = models.FloatField()
    height_cm = models.FloatField(null=True, blank=True)
    agent_doses = models.JSONField()
    computed = models.JSONField()
    history = HistoricalRecords()


class Exposure(models.Model):
    """One administration (the dataset's exposure table)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="exposures")
    product = models.CharField(max_length=100)
    administration_date = models.DateField()
    study_day = models.IntegerField(null=True, blank=True)
    dose = models.FloatField()
    dose_unit = models.CharField(max_length=10)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "product", "administration_date"], name="one_dose_per_day"
            ),
            models.CheckConstraint(condition=models.Q(dose__gte=0), name="dose_not_negative"),
        ]
