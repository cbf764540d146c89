"""The protocol's tumour-response parameters (RECIST 1.1 / iRECIST), read by hyposti.response."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hyposti.protocol.common import Strict


class ResponseSpec(Strict):
    """Response-assessment settings that Eisenhauer 2009 (RECIST 1.1) s4.6 leaves to protocols."""

    sponsor_editable = True

    criteria: tuple[Literal["recist11", "irecist"], ...] = Field(
        description="Criteria the registry names for ORR and TTR ('RECIST 1.1 or iRECIST')."
    )
    primary_criteria: Literal["recist11", "irecist"] = Field(
        description="Criteria used for the headline endpoints."
    )
    confirmation_required: bool = Field(
        description="CR/PR must be confirmed by a later assessment (non-randomised trial with "
        "response as an endpoint: RECIST 1.1 section 4.6). When false, the confirmed best "
        "response equals the unconfirmed one."
    )
    confirmation_min_days: int = Field(
        ge=1,
        description="Minimum days between a CR/PR time point and the assessment that confirms it "
        "(RECIST 1.1 section 4.6: 'no less than 4 weeks'); equal to the minimum confirms.",
    )
    min_sd_days: int = Field(
        ge=0,
        description="Minimum study day (days from infusion, study day 0) of a time point for SD "
        "(or non-CR/non-PD, or an unconfirmed CR/PR) to count as best overall response "
        "(RECIST 1.1 section 4.4.1: 'in general not less than 6-8 weeks'); equal counts.",
    )
    max_ne_between_response_and_confirmation: int = Field(
        ge=0,
        description="How many NE time points may lie between a CR/PR and its confirming "
        "assessment; one more breaks the confirmation (the response then counts as SD if "
        "min_sd_days is met).",
    )
    accept_sd_between_pr_and_confirmation: bool = Field(
        description="Whether one SD time point between a PR and its confirming PR/CR still "
        "confirms the PR; never accepted between a CR and its confirming CR.",
    )
    too_small_to_measure_mm: float = Field(
        gt=0,
        description="Diameter used for a target recorded 'too small to measure' (RECIST 1.1 "
        "section 4.3.2: 5 mm); a recorded measurement is used as given, even below it.",
    )
    cr_followed_by_pr: Literal["reappearance_is_pd", "first_cr_was_pr"] = Field(
        default="reappearance_is_pd",
        description="Disease seen after a CR (a PR, SD or non-CR/non-PD time point) is always "
        "flagged as a data problem (RECIST 1.1 Table 3 note a). 'reappearance_is_pd' (the "
        "note's first reading: disease after a true CR is progression; it also gives Table 3 "
        "rows CR/PR and CR/SD): that time point counts as PD for best response and the "
        "progression date. 'first_cr_was_pr' (the note's second reading: small lesions were "
        "still present): the earlier CR time points count as PR. RECIST 1.1 only; under iRECIST "
        "the case is flagged and the iRECIST rules decide.",
    )
    missing_as_ne: bool = Field(
        default=False,
        description="A patient with no assessment counting towards best response (none done, or "
        "all after new therapy): false gives MISSING, true gives NE (pharmaverse admiralonco "
        "derive_param_bor / derive_param_confirmed_bor `missing_as_ne`, default false). Either "
        "way the patient stays in the ORR denominator as a non-responder.",
    )
    pr_after_cr_breaks_confirmation: bool = Field(
        default=False,
        description="false (RECIST 1.1 Table 3 as read here): a PR is confirmed by a later CR or "
        "PR even if a CR lies between them (row PR/CR -> PR; disease after a CR is flagged and "
        "read by cr_followed_by_pr). true (admiralonco derive_param_confirmed_bor): a PR after a "
        "CR within a PR's confirmation period, the confirming assessment included, breaks it.",
    )
    irecist_confirm_min_days: int = Field(
        ge=1,
        description="iRECIST: earliest day after iUPD of an assessment that may confirm it "
        "(Seymour 2017: the next assessment 4-8 weeks later). Earlier assessments neither confirm "
        "nor reset iUPD, except an unscheduled scan done for a new symptom or sign that shows a "
        "further new lesion, which confirms iCPD (EORTC RECIST working group iRECIST FAQ; the "
        "FAQ allows a protocol variance of about 2 days, which lowering this value expresses).",
    )
    irecist_confirmation: Literal["while_iupd_persists", "within_max_days"] = Field(
        default="while_iupd_persists",
        description="'while_iupd_persists' (Seymour 2017 and the EORTC iRECIST FAQ: the 4-8 weeks "
        "is when to scan next, not a deadline): every assessment after iUPD may confirm it as "
        "iCPD until iSD, iPR or iCR resets the bar, and increases after iUPD add up. "
        "'within_max_days': an assessment later than irecist_confirm_max_days after iUPD cannot "
        "confirm it; the earlier iUPD stays unconfirmed and, if progression criteria are met "
        "again, that assessment is a new iUPD awaiting its own confirmation.",
    )
    irecist_confirm_max_days: int | None = Field(
        default=None,
        ge=1,
        description="iRECIST, only with irecist_confirmation 'within_max_days': the latest day "
        "after iUPD of an assessment that may confirm it (e.g. 56, Seymour 2017's 8 weeks).",
    )

    @model_validator(mode="after")
    def _window(self) -> ResponseSpec:
        windowed = self.irecist_confirmation == "within_max_days"
        if windowed and self.irecist_confirm_max_days is None:
            raise ValueError(
                "irecist_confirm_max_days is required when irecist_confirmation is "
                "'within_max_days'"
            )
        if not windowed and self.irecist_confirm_max_days is not None:
            raise ValueError(
                f"irecist_confirm_max_days {self.irecist_confirm_max_days} applies only to "
                "irecist_confirmation 'within_max_days' (in force: 'while_iupd_persists', no "
                "deadline)"
            )
        if windowed and self.irecist_confirm_min_days > (self.irecist_confirm_max_days or 0):
            raise ValueError(
                f"irecist_confirm_min_days {self.irecist_confirm_min_days} exceeds "
                f"irecist_confirm_max_days {self.irecist_confirm_max_days}"
            )
        return self
