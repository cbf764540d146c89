"""Request bodies of the API (django-ninja schemas, i.e. pydantic models)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class Credentials(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


class Problem(Schema):
    """Every refusal: the field, the value given and the rule broken, in one message."""

    detail: str
    field: str | None = None
    rule: str | None = None


class ParticipantIn(Schema):
    subject_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    site_code: str = Field(min_length=1, max_length=40)
    sex: str = Field(pattern="^[FM]$")
    age_years: int = Field(ge=0, le=120)
    weight_kg: float | None = Field(default=None, ge=1, le=400)
    height_cm: float | None = Field(default=None, ge=30, le=260)
    tumour_type: str = Field(default="", max_length=200)
    her2_expression_pct: float | None = Field(default=None, ge=0, le=100)
    ecog: int | None = Field(default=None, ge=0, le=5)


class ConsentIn(Schema):
    consent_date: dt.date


class ScreeningIn(Schema):
    record: dict[str, Any]


class AttestationIn(Schema):
    criterion_id: str = Field(pattern=r"^[IE][1-9][0-9]*$")
    satisfied: bool
    note: str = Field(default="", max_length=2000)
    password: str = Field(min_length=1, max_length=256)


class EnrolIn(Schema):
    enrolment_date: dt.date


class DosingIn(Schema):
    weight_kg: float = Field(gt=0, le=1000)
    height_cm: float | None = Field(default=None, gt=0, le=1000)
    agent_doses: dict[str, float]


class AdministrationIn(Schema):
    product: str = Field(min_length=1, max_length=100)
    administration_date: dt.date


class AdverseEventIn(Schema):
    onset_date: dt.date
    serious: bool
    attribution: dict[str, str]
    term: str | None = Field(default=None, max_length=200)
    grade: int | None = Field(default=None, ge=1, le=5)
    grader: str | None = None
    observation: dict[str, Any] | None = None
    resolution_date: dt.date | None = None


class DltDecisionIn(Schema):
    is_dlt: bool
    reason: str = Field(max_length=2000)
    password: str = Field(min_length=1, max_length=256)


class LesionIn(Schema):
    lesion_id: str = Field(min_length=1, max_length=40)
    organ: str = Field(default="", max_length=100)
    lymph_node: bool = False
    category: str | None = None
    method: str = ""
    slice_thickness_mm: float | None = Field(default=None, ge=0, le=100)
    state: str | None = None
    diameter_mm: float | None = Field(default=None, ge=0, le=2000)
    merged_into: str = Field(default="", max_length=40)
    equivocal: bool | None = None
    increased: bool | None = None


class TumourAssessmentIn(Schema):
    assessment_date: dt.date
    baseline: bool
    lesions: list[LesionIn] = Field(max_length=100)
    non_target_status: str = ""
    non_target_increased: bool | None = None


class SampleIn(Schema):
    matrix: str = Field(pattern="^(blood|tumour)$")
    sample_date: dt.date
    copies_per_ug: float | None = Field(default=None, ge=0, le=1e12)
    lloq: float = Field(ge=0, le=1e9)


class DispositionIn(Schema):
    last_contact_date: dt.date
    progression_date: dt.date | None = None
    death_date: dt.date | None = None
    death_cause: str = Field(default="", max_length=200)
    new_therapy_date: dt.date | None = None
    off_study_date: dt.date | None = None
    off_study_reason: str = ""
    reason: str = Field(default="", max_length=2000)


class DecisionIn(Schema):
    decision: str
    reason: str = Field(max_length=4000)
    password: str = Field(min_length=1, max_length=256)
    next_dose_level: int | None = Field(default=None, ge=1, le=100)
    decision_date: dt.date | None = None
    mtd_dose_level: int | None = Field(default=None, ge=1, le=100)
    rp2d_rationale: str = Field(default="", max_length=4000)


class CorrectionIn(Schema):
    values: dict[str, Any]
    reason: str = Field(max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(max_length=2000)


class QueryIn(Schema):
    model: str
    object_id: str = Field(min_length=1, max_length=60)
    field: str = Field(min_length=1, max_length=60)
    text: str = Field(max_length=4000)


class AnswerIn(Schema):
    answer: str = Field(max_length=4000)


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    password: str = Field(min_length=1, max_length=256)
    role: str
    printed_name: str = Field(max_length=200)
    site_code: str | None = Field(default=None, max_length=40)
