"""Adverse events with the DLT engine's proposal and the investigator's signed confirmation."""

from __future__ import annotations

from django.db import models

from hyposti.data.schema import AE_SCALES
from hyposti.service.models.history import HistoricalRecords
from hyposti.service.models.participant import Participant


class AdverseEvent(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="adverse_events"
    )
    ae_id = models.CharField(max_length=60, unique=True)
    term = models.CharField(max_length=200)
    soc = models.CharField(max_length=200)
    grade = models.PositiveSmallIntegerField()
    scale = models.CharField(max_length=30, choices=[(s, s) for s in AE_SCALES])
    onset_date = models.DateField()
    resolution_date = models.DateField(null=True, blank=True)
    serious = models.BooleanField()
    #: The attribution (NCI CTEP scale) to each product the trial's protocol gives, by product id;
    #: the services check it names exactly the protocol's products.
    attribution = models.JSONField()
    #: The grader's input (CRS / ICANS / CRES observation) and result, when graded through one.
    grader_input = models.JSONField(null=True, blank=True)
    grader_result = models.JSONField(null=True, blank=True)
    dlt_proposed = models.BooleanField(null=True, blank=True)
    dlt_proposal_reason = models.TextField(blank=True)
    #: The investigator's decision (None until confirmed or overridden).
    dlt = models.BooleanField(null=True, blank=True)
    dlt_decision_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=5), name="ae_grade_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(resolution_date__isnull=True)
                | models.Q(resolution_date__gte=models.F("onset_date")),
                name="ae_resolves_after_onset",
            ),
        ]


class Medication(models.Model):
    """A medication given to manage an adverse event (tocilizumab, corticosteroids)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="medications"
    )
    medication_id = models.CharField(max_length=64, unique=True)
    medication = models.CharField(max_length=200)
    #: The dataset's link to the adverse event treated (adverse_events.ae_id).
    ae_id = models.CharField(max_length=64, blank=True)
    indication = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    dose = models.FloatField(null=True, blank=True)
    dose_unit = models.CharField(max_length=10, blank=True)
    interval_hours = models.PositiveIntegerField(null=True, blank=True)
    history = HistoricalRecords()
