"""The study, its cohorts with fixed slots, enrolments, DLT evaluations and committee decisions."""

from __future__ import annotations

from django.db import models

from hyposti.data.schema import ESCALATION_DECISIONS
from hyposti.service.models.history import HistoricalRecords
from hyposti.service.models.participant import Participant


class Study(models.Model):
    """One row: the trial, its data cut-off, and the MTD / RP2D once the committee declares them."""

    study_id = models.CharField(max_length=40, unique=True)
    protocol_version = models.CharField(max_length=100, blank=True)
    data_cutoff = models.DateField(null=True, blank=True)
    #: Where the data come from ("clinical", or "synthetic" for a demo loaded from the generator)
    #: and, for generated data, the day they were generated (hyposti.data.schema, study table).
    data_source = models.CharField(max_length=20, blank=True)
    generated_on = models.DateField(null=True, blank=True)
    mtd_dose_level = models.PositiveSmallIntegerField(null=True, blank=True)
    rp2d_dose_level = models.PositiveSmallIntegerField(null=True, blank=True)
    rp2d_rationale = models.TextField(blank=True)
    history = HistoricalRecords()


class Cohort(models.Model):
    """A cohort at one dose level with a fixed number of slots; open until its slots are filled.

    Escalation cohorts are numbered 1, 2, ...; the expansion is one cohort at the RP2D.
    """

    number = models.PositiveIntegerField(unique=True)
    phase = models.CharField(max_length=12, choices=[("escalation",) * 2, ("expansion",) * 2])
    dose_level = models.PositiveSmallIntegerField()
    slots = models.PositiveSmallIntegerField()
    is_open = models.BooleanField(default=True)
    opened_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(slots__gte=1), name="cohort_has_slots"),
            models.CheckConstraint(condition=models.Q(dose_level__gte=1), name="cohort_dose"),
        ]


class Enrolment(models.Model):
    """A participant in one slot of a cohort: the database refuses two in one slot."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="enrolment"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    slot = models.PositiveSmallIntegerField()
    enrolled_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "slot"], name="one_participant_per_slot")
        ]


class DltEvaluation(models.Model):
    """DLT evaluability and outcome of one infused participant (the engine's adjudication)."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="dlt_evaluation"
    )
    dose_level = models.PositiveSmallIntegerField()
    evaluable = models.BooleanField()
    dlt = models.BooleanField()
    window_start = models.DateField()
    window_end = models.DateField()
    reason = models.TextField(blank=True)
    history = HistoricalRecords()


class EscalationDecision(models.Model):
    """The safety review after a cohort: the design's recommendation and the committee's decision.

    The committee may differ from the recommendation, with a reason; it signs the decision.
    """

    cohort = models.OneToOneField(Cohort, on_delete=models.PROTECT, related_name="decision")
    n_patients = models.PositiveSmallIntegerField()
    n_dlt = models.PositiveSmallIntegerField()
    recommendation = models.JSONField(null=True, blank=True)
    decision = models.CharField(max_length=12, choices=[(d, d) for d in ESCALATION_DECISIONS])
    next_dose_level = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField()
    decision_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=ESCALATION_DECISIONS), name="decision_known"
            )
        ]
