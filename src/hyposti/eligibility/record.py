"""The screening record: what a coordinator collects to decide eligibility, typed and unit-explicit.

Every fact a criterion needs is optional: an absent value is not a guess but "missing data",
which the verdict names. An empty list means "asked, none"; ``None`` means "not recorded".
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from hyposti.bounds import Identifier, InputRecord, Note, Text, TrialDate
from hyposti.errors import InputError, parse_record
from hyposti.protocol.eligibility_spec import CancerException, CorticosteroidRoute

#: Heaviest body weight accepted, kg: above the heaviest human on record (about 635 kg, Jon
#: Brower Minnoch), so a weight in pounds or grams is caught but no real patient is refused.
MAX_WEIGHT_KG = 650.0
#: Longest life expectancy accepted, months (100 years).
MAX_LIFE_EXPECTANCY_MONTHS = 1200.0


class Record(InputRecord):
    """A screening-record part: frozen, unknown keys and NaN/infinite numbers refused, dates in
    the trial range (hyposti.bounds)."""


def _not_before(later: TrialDate | None, earlier: TrialDate | None, field: str, what: str) -> None:
    """Refuse ``later`` (named ``field``) dated before ``earlier``, the date of ``what``."""
    if later is not None and earlier is not None and later < earlier:
        raise InputError(
            field, later, f"is {(earlier - later).days} day(s) before {what} {earlier}"
        )


class Demographics(Record):
    date_of_birth: TrialDate | None = None
    sex: Literal["female", "male"] | None = None
    weight_kg: float | None = Field(
        default=None, gt=0, le=MAX_WEIGHT_KG, description="For creatinine clearance."
    )
    child_bearing_potential: bool | None = Field(
        default=None, description="Women only; men leave it empty."
    )


class PriorTherapy(Record):
    """One line or course of anticancer treatment (systemic, radiotherapy or surgery)."""

    regimen: Text
    kind: Literal["systemic", "radiotherapy", "surgery", "other"]
    line: int | None = Field(default=None, ge=1, description="Systemic line number, 1 = first.")
    end_date: TrialDate | None = Field(default=None, description="None while ongoing.")
    outcome: Literal["progression", "intolerance", "completed", "ongoing"]
    anti_pd1_or_pdl1: bool = False


class Disease(Record):
    tumour_type: Text | None = None
    histologically_confirmed: bool | None = None
    advanced_or_metastatic: bool | None = None
    her2_percent: float | None = Field(
        default=None, ge=0, le=100, description="Tumour cells expressing HER2, %."
    )
    nccn_standard_first_line_exists: bool | None = Field(
        default=None,
        description="For untreated advanced disease: does an NCCN standard first line exist?",
    )
    measurable_lesions: int | None = Field(default=None, ge=0, description="RECIST 1.1 targets.")
    life_expectancy_months: float | None = Field(default=None, ge=0, le=MAX_LIFE_EXPECTANCY_MONTHS)
    ecog: int | None = Field(default=None, ge=0, le=5)
    liver_metastases: bool | None = None


class TreatmentHistory(Record):
    prior_therapies: list[PriorTherapy] | None = None
    worst_residual_toxicity_grade: int | None = Field(
        default=None, ge=0, le=5, description="CTCAE grade of the worst unresolved toxicity."
    )


class TumourSample(Record):
    kind: Literal["fresh", "archival_ffpe"]
    collection_date: TrialDate


class Sample(Record):
    tumour_sample: TumourSample | None = None
    rebiopsy_consent: bool | None = None


class Lab(Record):
    value: float = Field(ge=0)
    date: TrialDate


class LabVsUln(Record):
    """A result judged against the laboratory's upper limit of normal (same units)."""

    value: float = Field(ge=0)
    uln: float = Field(gt=0)
    date: TrialDate


class Labs(Record):
    anc_10e9_per_l: Lab | None = None
    platelets_10e9_per_l: Lab | None = None
    haemoglobin_g_dl: Lab | None = None
    total_bilirubin: LabVsUln | None = None
    alt: LabVsUln | None = None
    ast: LabVsUln | None = None
    serum_creatinine_mg_dl: Lab | None = None
    lvef_percent: Lab | None = None
    spo2_room_air_percent: Lab | None = None
    inr: LabVsUln | None = None
    aptt: LabVsUln | None = None
    gilbert_syndrome: bool | None = None
    on_anticoagulation: bool | None = None

    @model_validator(mode="after")
    def _percentages(self) -> Labs:
        for name in ("lvef_percent", "spo2_room_air_percent"):
            lab = getattr(self, name)
            if lab is not None and lab.value > 100:
                raise InputError(f"{name}.value", lab.value, "a percentage is at most 100")
        return self


class Corticosteroid(Record):
    drug: Text = Field(description="A name in the protocol's equivalence table.")
    daily_dose_mg: float = Field(ge=0)
    route: CorticosteroidRoute
    start_date: TrialDate
    end_date: TrialDate | None = Field(default=None, description="None while ongoing.")

    @model_validator(mode="after")
    def _in_order(self) -> Corticosteroid:
        _not_before(self.end_date, self.start_date, "end_date", "the start_date")
        return self


class Immunosuppressant(Record):
    drug: Text
    start_date: TrialDate
    end_date: TrialDate | None = Field(default=None, description="None while ongoing.")

    @model_validator(mode="after")
    def _in_order(self) -> Immunosuppressant:
        _not_before(self.end_date, self.start_date, "end_date", "the start_date")
        return self


class Vaccination(Record):
    vaccine: Text
    date: TrialDate


class Medications(Record):
    corticosteroids: list[Corticosteroid] | None = None
    immunosuppressants: list[Immunosuppressant] | None = None
    vaccinations: list[Vaccination] | None = None


class PregnancyTest(Record):
    date: TrialDate
    result: Literal["negative", "positive"]


class Reproductive(Record):
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    pregnancy_test: PregnancyTest | None = None
    contraception_agreed: bool | None = None


class CnsHistory(Record):
    brain_metastases: bool | None = None
    active_cns_disease: bool | None = None
    radiotherapy_end_date: TrialDate | None = None
    cns_symptoms: bool | None = None
    on_corticosteroids_for_cns: bool | None = None
    brain_mri_date: TrialDate | None = None


class PriorCancer(Record):
    """A cancer other than the one under study."""

    description: Text
    category: CancerException | Literal["other"]
    diagnosis_date: TrialDate
    last_treatment_date: TrialDate | None = None
    concurrent: bool = False
    curatively_treated: bool = False

    @model_validator(mode="after")
    def _in_order(self) -> PriorCancer:
        _not_before(
            self.last_treatment_date, self.diagnosis_date, "last_treatment_date", "the diagnosis"
        )
        return self


class SurgicalWound(Record):
    surgery_date: TrialDate
    healed: bool


class OtherTrial(Record):
    trial: Text
    last_participation_date: TrialDate | None = Field(default=None, description="None if ongoing.")


class MedicalHistory(Record):
    """Yes/no facts named by the protocol's `absent_conditions` and judgement rules."""

    autoimmune_disease: bool | None = None
    severe_monoclonal_antibody_hypersensitivity: bool | None = None
    study_drug_allergy: bool | None = None
    interstitial_lung_disease: bool | None = None
    active_systemic_infection: bool | None = None
    symptomatic_congestive_heart_failure: bool | None = None
    unstable_angina: bool | None = None
    significant_cardiac_arrhythmia: bool | None = Field(
        default=None, description="Excluding insignificant sinus bradycardia or tachycardia."
    )
    hiv_or_aids: bool | None = None
    active_bleeding: bool | None = None
    haemorrhagic_tendency: bool | None = None
    prior_cancers: list[PriorCancer] | None = None
    surgical_wounds: list[SurgicalWound] | None = None
    other_trials: list[OtherTrial] | None = None
    cns: CnsHistory = Field(default_factory=CnsHistory)


class Consent(Record):
    signed_date: TrialDate | None = None
    signed_by_participant: bool | None = Field(
        default=None, description="Signed by the participant, not a representative."
    )


class Attestation(Record):
    """An investigator's signed judgement on a criterion that data alone cannot decide."""

    criterion_id: str = Field(pattern=r"^[IE][1-9][0-9]*$")
    satisfied: bool = Field(description="True: the criterion is fulfilled (exclusion absent).")
    investigator: Text
    attested_on: TrialDate
    note: Note = ""


class ScreeningRecord(Record):
    """Everything screening collects for one candidate; dates are ISO 8601."""

    participant_id: Identifier
    screening_date: TrialDate
    enrolment_date: TrialDate | None = Field(default=None, description="Planned enrolment.")
    first_study_dose_date: TrialDate | None = Field(
        default=None, description="Planned first preconditioning dose (day -5)."
    )
    demographics: Demographics = Field(default_factory=Demographics)
    disease: Disease = Field(default_factory=Disease)
    treatment: TreatmentHistory = Field(default_factory=TreatmentHistory)
    sample: Sample = Field(default_factory=Sample)
    labs: Labs = Field(default_factory=Labs)
    medications: Medications = Field(default_factory=Medications)
    reproductive: Reproductive = Field(default_factory=Reproductive)
    history: MedicalHistory = Field(default_factory=MedicalHistory)
    consent: Consent = Field(default_factory=Consent)
    attestations: list[Attestation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _in_clinical_order(self) -> ScreeningRecord:
        """Birth, screening, enrolment and the first study dose happen in that order."""
        birth = self.demographics.date_of_birth
        if birth is not None and birth >= self.screening_date:
            raise InputError(
                "demographics.date_of_birth",
                birth,
                f"must precede the screening date {self.screening_date}",
            )
        _not_before(self.enrolment_date, self.screening_date, "enrolment_date", "screening on")
        _not_before(
            self.first_study_dose_date, self.screening_date, "first_study_dose_date", "screening on"
        )
        _not_before(
            self.first_study_dose_date, self.enrolment_date, "first_study_dose_date", "enrolment on"
        )
        return self


def parse_screening_record(data: Any) -> ScreeningRecord:
    """A screening record from a dict or JSON text; a RecordError lists every problem."""
    return parse_record(ScreeningRecord, data, "screening record")
