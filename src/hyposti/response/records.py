"""Lesion-level input records and typed results for RECIST 1.1 (Eisenhauer 2009) and iRECIST."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from hyposti.bounds import MAX_SLICE_MM, Identifier, InputRecord, LesionMm, Text, TrialDate


class Record(InputRecord):
    """An immutable record a web form or API payload can produce: unknown keys, NaN and infinity
    are refused, dates lie in the trial range and diameters within 0-1000 mm (hyposti.bounds)."""


class Method(StrEnum):
    """Imaging or clinical method of a baseline measurement (RECIST 1.1 section 3.2)."""

    CT = "CT"
    MRI = "MRI"
    CALIPER = "caliper"
    CHEST_XRAY = "chest_xray"


class TargetState(StrEnum):
    """What a reader recorded for a target lesion at a follow-up (RECIST 1.1 section 4.3.2)."""

    MEASURED = "measured"
    TOO_SMALL = "too_small_to_measure"
    DISAPPEARED = "disappeared"
    NOT_EVALUATED = "not_evaluated"
    MERGED = "merged"


class NonTargetStatus(StrEnum):
    """Non-target disease as a whole at a follow-up (RECIST 1.1 section 4.3.3)."""

    CR = "CR"
    NON_CR_NON_PD = "NON-CR/NON-PD"
    PD = "PD"
    NE = "NE"


class NewLesionStatus(StrEnum):
    """New-lesion finding at a time point (RECIST 1.1 section 4.3.2, 'new lesions')."""

    NONE = "none"
    EQUIVOCAL = "equivocal"
    UNEQUIVOCAL = "unequivocal"


class NewLesionState(StrEnum):
    """What a reader recorded for a new lesion (iRECIST follows new lesions over time)."""

    PRESENT = "present"
    DISAPPEARED = "disappeared"
    NOT_EVALUATED = "not_evaluated"


class Response(StrEnum):
    """A time-point or best overall response: RECIST 1.1 codes and their iRECIST counterparts."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    NON_CR_NON_PD = "NON-CR/NON-PD"
    PD = "PD"
    NE = "NE"
    ICR = "iCR"
    IPR = "iPR"
    ISD = "iSD"
    INON_CR_NON_PD = "iNON-CR/NON-PD"
    IUPD = "iUPD"
    ICPD = "iCPD"
    MISSING = "MISSING"


class BaselineLesion(Record):
    """A lesion recorded at baseline, target or non-target (RECIST 1.1 sections 3.1-3.3)."""

    lesion_id: Identifier
    organ: Text = Field(description="Organ or site; all lymph nodes are one organ.")
    nodal: bool = Field(default=False, description="A lymph node: measured by its short axis.")
    method: Method = Method.CT
    slice_thickness_mm: float | None = Field(
        default=None,
        ge=0,
        le=MAX_SLICE_MM,
        description="CT slice thickness; above 5 mm the measurable floor is twice it.",
    )
    diameter_mm: LesionMm | None = Field(
        default=None,
        description="Longest diameter (short axis for a node); None for a non-measurable lesion.",
    )
    target: bool = Field(description="Selected as a target lesion.")


class LesionMeasurement(Record):
    """A target lesion at a follow-up: a measurement, a split into fragments, or a state."""

    lesion_id: Identifier
    state: TargetState = TargetState.MEASURED
    diameter_mm: LesionMm | None = Field(
        default=None,
        description="Measured diameter (short axis for a node); for the lesion others merged "
        "into, the longest diameter of the coalesced lesion.",
    )
    fragments_mm: list[LesionMm] = Field(
        default_factory=list,
        description="A lesion that split: the longest diameter of each fragment (summed).",
    )
    merged_into: Identifier | None = Field(
        default=None, description="state 'merged': the target lesion this one coalesced into."
    )


class NewLesion(Record):
    """A lesion absent at baseline; iRECIST measures and follows it by its id."""

    lesion_id: Identifier
    organ: Text
    nodal: bool = False
    equivocal: bool = Field(
        default=False, description="Equivocal: not progression until a later scan confirms it."
    )
    state: NewLesionState = NewLesionState.PRESENT
    diameter_mm: LesionMm | None = Field(
        default=None, description="Longest diameter (short axis for a node) if measured."
    )
    increased: bool = Field(
        default=False,
        description="iRECIST, a new lesion that is not measured (new lesion non-target): the "
        "reader saw it increase since the previous assessment.",
    )


class Assessment(Record):
    """One follow-up tumour assessment: every baseline target, non-target status, new lesions."""

    date: TrialDate
    targets: list[LesionMeasurement] = Field(default_factory=list)
    non_target: NonTargetStatus | None = Field(
        default=None, description="Non-target disease as a whole; None when none at baseline."
    )
    non_target_increased: bool = Field(
        default=False,
        description="iRECIST: non-target disease increased since the previous assessment "
        "(confirms iUPD without having to be unequivocal).",
    )
    new_lesions: list[NewLesion] = Field(default_factory=list)
    unscheduled_for_symptoms: bool = Field(
        default=False,
        description="iRECIST: an unscheduled scan done to investigate a new clinical symptom or "
        "sign; within 4 weeks of iUPD it may confirm iCPD by a further new lesion (EORTC FAQ).",
    )


class PatientTumourData(Record):
    """One patient's tumour data: baseline lesions and follow-up assessments."""

    patient_id: Identifier
    reference_date: TrialDate = Field(description="Study day 0: the CAR-T infusion date.")
    baseline_date: TrialDate
    lesions: list[BaselineLesion] = Field(default_factory=list)
    assessments: list[Assessment] = Field(default_factory=list)
    new_anticancer_therapy_date: TrialDate | None = Field(
        default=None,
        description="Start of a new anticancer therapy: assessments dated after it are excluded; "
        "one on the same day is kept (read as done before the new therapy).",
    )


class BaselineProblem(Record):
    """A baseline rule broken by the lesions as recorded; reported, never silently corrected."""

    lesion_ids: list[str]
    rule: str


class TimePointResponse(Record):
    """The response at one follow-up assessment and the rule that decided it."""

    date: dt.date
    study_day: int
    sum_mm: float | None = Field(description="Sum of target diameters; None if a target is NE.")
    measured_sum_mm: float | None = Field(description="Sum over the targets that were evaluated.")
    nadir_mm: float | None = Field(description="Smallest complete sum before this assessment.")
    pct_from_baseline: float | None
    pct_from_nadir: float | None
    target_response: Response | None = Field(description="None when no target disease.")
    non_target_response: NonTargetStatus | None = Field(description="None when no non-target.")
    new_lesions: NewLesionStatus
    new_lesion_target_sum_mm: float | None = Field(
        default=None, description="iRECIST: sum of new-lesion targets (not in sum_mm)."
    )
    overall_response: Response
    rule: str
    included: bool = Field(description="Counts towards best overall response.")
    excluded_because: str | None = None


class PatientResponse(Record):
    """A patient's response over time and the per-patient quantities the endpoints rest on."""

    patient_id: str
    criteria: str
    baseline_sum_mm: float | None
    baseline_problems: list[BaselineProblem]
    time_points: list[TimePointResponse]
    bor_confirmed: Response
    bor_confirmed_reason: str
    bor_unconfirmed: Response
    bor_unconfirmed_reason: str
    bor_confirmed_date: dt.date | None = Field(
        default=None,
        description="Assessment the confirmed best response is read from (ADaM ADT); None "
        "when MISSING.",
    )
    bor_unconfirmed_date: dt.date | None = Field(
        default=None, description="Assessment the unconfirmed best response is read from."
    )
    first_response_date: dt.date | None = Field(
        description="First CR/PR time point of the confirmed response (None if none confirmed)."
    )
    response_confirmed_date: dt.date | None = Field(
        description="Assessment that confirmed that response."
    )
    first_unconfirmed_response_date: dt.date | None = Field(
        description="First CR/PR time point, confirmed or not."
    )
    progression_date: dt.date | None = Field(
        description="RECIST 1.1: first PD. iRECIST: the iUPD later confirmed as iCPD."
    )
    unconfirmed_progression_date: dt.date | None = Field(
        default=None, description="iRECIST: an iUPD still open at the last assessment."
    )
    last_adequate_assessment_date: dt.date | None = Field(
        description="Last included time point with a response other than NE."
    )
    best_pct_change: float | None = Field(
        description="Waterfall: most negative % change of the target sum from baseline."
    )
    data_quality_flags: list[str]
