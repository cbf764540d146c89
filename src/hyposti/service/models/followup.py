"""CAR copy-number samples and each participant's disposition (progression, death, off study)."""

from __future__ import annotations

from django.db import models

from hyposti.data.schema import OFF_STUDY_REASONS
from hyposti.service.models.history import HistoricalRecords
from hyposti.service.models.participant import Participant


class Sample(models.Model):
    """CAR transgene copies per ug genomic DNA by qPCR (None when below the LLOQ)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="samples")
    matrix = models.CharField(max_length=10, choices=[("blood",) * 2, ("tumour",) * 2])
    study_day = models.FloatField()
    sample_date = models.DateField(null=True, blank=True)
    copies_per_ug = models.FloatField(null=True, blank=True)
    lloq = models.FloatField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "matrix", "study_day"], name="one_sample_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(copies_per_ug__isnull=True) | models.Q(copies_per_ug__gte=0),
                name="copies_not_negative",
            ),
        ]


class Disposition(models.Model):
    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="disposition"
    )
    progression_date = models.DateField(null=True, blank=True)
    death_date = models.DateField(null=True, blank=True)
    death_cause = models.CharField(max_length=200, blank=True)
    new_therapy_date = models.DateField(null=True, blank=True)
    last_contact_date = models.DateField()
    off_study_date = models.DateField(null=True, blank=True)
    off_study_reason = models.CharField(
        max_length=40, blank=True, choices=[(r, r) for r in OFF_STUDY_REASONS]
    )
    history = HistoricalRecords()
