"""Participants (the dataset's subjects), their screening and per-criterion verdicts."""

from __future__ import annotations

from django.db import models

from hyposti.service.models.history import HistoricalRecords
from hyposti.service.models.site import Site
from hyposti.service.states import STATES


class Participant(models.Model):
    subject_id = models.CharField(max_length=40, unique=True)
    #: None only for an imported subject whose dataset row names no site (seen by roles not
    #: bound to a site).
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT)
    #: The study phase of a participant enrolled without a cohort slot (an imported dataset's
    #: subject awaiting cohort assignment); otherwise the phase is the enrolment's cohort's.
    unslotted_phase = models.CharField(
        max_length=12, blank=True, choices=[("escalation",) * 2, ("expansion",) * 2]
    )
    state = models.CharField(max_length=20, choices=[(s, s) for s in STATES], default="screening")
    off_study_reason = models.CharField(max_length=60, blank=True)
    sex = models.CharField(max_length=1, choices=[("F", "F"), ("M", "M")])
    age_years = models.PositiveSmallIntegerField()
    weight_kg = models.FloatField(null=True, blank=True)
    height_cm = models.FloatField(null=True, blank=True)
    tumour_type = models.CharField(max_length=200, blank=True)
    her2_expression_pct = models.FloatField(null=True, blank=True)
    ecog = models.PositiveSmallIntegerField(null=True, blank=True)
    consent_date = models.DateField(null=True, blank=True)
    enrolment_date = models.DateField(null=True, blank=True)
    preconditioning_start_date = models.DateField(null=True, blank=True)
    infusion_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=STATES), name="participant_state"),
            # One infusion per participant, never before preconditioning (registry: day -5 first).
            models.CheckConstraint(
                condition=models.Q(infusion_date__isnull=True)
                | models.Q(preconditioning_start_date__lte=models.F("infusion_date")),
                name="infusion_after_preconditioning",
            ),
        ]

    def __str__(self) -> str:
        return self.subject_id


class Screening(models.Model):
    """One screening: the typed record (as `hyposti screen` reads it) and the engine's result."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="screenings"
    )
    screening_date = models.DateField()
    record = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=20)
    history = HistoricalRecords()


class ScreeningCriterion(models.Model):
    """The verdict on one criterion (the dataset's screening table)."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="criteria")
    criterion_id = models.CharField(max_length=10)
    met = models.BooleanField()
    detail = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "criterion_id"], name="one_verdict_per_criterion"
            )
        ]
