"""Alerts raised when the expansion cohort crosses a boundary of its monitoring rules."""

from __future__ import annotations

from django.db import models

#: The rules that raise alerts: Thall, Simon & Estey 1995 toxicity monitoring; Simon 1989
#: stage-1 futility bound (r1 of n1) and final bound (r of n).
ALERT_RULES = ("toxicity_monitoring", "simon_futility", "simon_final")


class ExpansionAlert(models.Model):
    """One boundary crossing: the rule, the counts when it was seen, the boundary and the date.

    ``evaluated`` is the number of patients the rule counted (DLT-evaluable for toxicity,
    response-assessed for Simon) and ``events`` the DLTs or responders among them; the same
    crossing seen again is not a new alert.
    """

    rule = models.CharField(max_length=24, choices=[(r, r) for r in ALERT_RULES])
    evaluated = models.PositiveSmallIntegerField()
    events = models.PositiveSmallIntegerField()
    boundary = models.CharField(max_length=100)
    detail = models.TextField()
    crossed_by = models.CharField(max_length=40, blank=True)
    data_date = models.DateField()
    raised_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(rule__in=ALERT_RULES), name="alert_rule"),
            models.UniqueConstraint(
                fields=["rule", "evaluated", "events"], name="one_alert_per_crossing"
            ),
        ]
