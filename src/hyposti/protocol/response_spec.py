"""The protocol's tumour-response parameters (RECIST 1.1 / iRECIST), read by hyposti.response."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hyposti.protocol.common import Strict


class ResponseSpec(Strict):
    """Response settings that RECIST 1.1 (Eisenhauer 2009, section 4.6) leaves to protocols."""

    sponsor_editable = True

    criteria: list[Literal["recist11", "irecist"]] = Field(
        description="Criteria the registry names for ORR and TTR ('RECIST 1.1 or iRECIST')."
    )
    primary_criteria: Literal["recist11", "irecist"] = Field(
        description="Criteria used for the headline endpoints."
    )
    confirmation_required: bool = Field(
        description="CR/PR must be confirmed by a later assessment (non-randomised trial with "
        "response as an endpoint: RECIST 1.1 section 4.6)."
    )
    confirmation_min_days: int = Field(
        ge=1, description="Minimum days between a response and its confirming assessment."
    )
    min_sd_days: int = Field(
        ge=0, description="Minimum days from infusion for SD to count as best overall response."
    )
    max_ne_between_response_and_confirmation: int = Field(
        ge=0, description="How many NE assessments may lie between a response and its confirmation."
    )
    accept_sd_between_pr_and_confirmation: bool = Field(
        description="Whether one SD between a PR and its confirming PR still confirms the PR."
    )
    too_small_to_measure_mm: float = Field(
        gt=0,
        description="Diameter recorded for a target 'too small to measure' (RECIST 1.1: 5 mm).",
    )
    irecist_confirm_min_days: int = Field(
        ge=1, description="iRECIST: earliest day after iUPD for the confirming assessment."
    )
    irecist_confirm_max_days: int = Field(
        ge=1, description="iRECIST: latest day after iUPD for the confirming assessment."
    )
