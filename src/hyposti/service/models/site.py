"""Sites, users' roles and sites, and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hyposti.service.permissions import ROLES


class Site(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.code


class UserProfile(models.Model):
    """A user's role and, for site-bound roles, the one site whose participants they see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="profile"
    )
    role = models.CharField(max_length=30, choices=[(r, r) for r in ROLES])
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT)
    printed_name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=ROLES), name="userprofile_role_known"
            )
        ]


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, and it expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()


class LoginFailure(models.Model):
    """One failed login, counted to throttle password guessing (per user name)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField()
