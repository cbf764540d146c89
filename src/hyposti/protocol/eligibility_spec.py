"""The protocol's eligibility section: each criterion, its verbatim text and its deciding rule."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from hyposti.errors import InputError
from hyposti.protocol.common import FrozenMapping, Reading, Strict

# Yes/no facts of a screening record's medical history that a criterion may name (see
# hyposti.eligibility.record.MedicalHistory, which carries one field per name).
HistoryFlag = Literal[
    "autoimmune_disease",
    "severe_monoclonal_antibody_hypersensitivity",
    "study_drug_allergy",
    "interstitial_lung_disease",
    "active_systemic_infection",
    "symptomatic_congestive_heart_failure",
    "unstable_angina",
    "significant_cardiac_arrhythmia",
    "hiv_or_aids",
    "active_bleeding",
    "haemorrhagic_tendency",
]

# Prior cancers that E11 excuses when curatively treated (registry wording, one name each).
CancerException = Literal[
    "cervical_carcinoma_in_situ",
    "non_melanoma_skin_cancer",
    "superficial_bladder_ta",
    "superficial_bladder_tis",
    "superficial_bladder_t1",
]

CorticosteroidRoute = Literal[
    "oral",
    "intravenous",
    "intramuscular",
    "topical",
    "inhaled",
    "intranasal",
    "intra-articular",
    "ophthalmic",
]


class AgeAndLifeExpectancyRule(Strict):
    """Age in whole years on the screening date within `age_range_years`; life expectancy above."""

    rule: Literal["age_and_life_expectancy"]
    life_expectancy_more_than_months: float = Field(gt=0)


class DiagnosisRule(Strict):
    """Confirmed advanced disease, failed therapy lines (or no standard first line) and HER2 %."""

    rule: Literal["diagnosis_her2_prior_therapy"]
    her2_min_percent: float = Field(ge=0, le=100)
    min_failed_lines: int = Field(ge=0)
    no_standard_first_line_qualifies: bool = Field(
        description="Untreated advanced disease without an NCCN standard first line also qualifies."
    )


class MeasurableLesionRule(Strict):
    rule: Literal["measurable_lesions"]
    min_lesions: int = Field(ge=1)


class TumourSampleRule(Strict):
    rule: Literal["tumour_sample"]
    max_age_months: int = Field(
        ge=1, description="Sample collected at most this long before enrolment."
    )
    accepted_kinds: tuple[Literal["fresh", "archival_ffpe"], ...] = Field(min_length=1)
    require_rebiopsy_consent: bool


class WashoutRule(Strict):
    rule: Literal["washout_and_recovery"]
    washout_more_than_days: int = Field(ge=0, description="Strictly more days than this.")
    max_residual_toxicity_grade: int = Field(ge=0, le=5)


class PerformanceStatusRule(Strict):
    rule: Literal["performance_status"]
    allowed_ecog: tuple[int, ...] = Field(min_length=1, description="ECOG grades admitted.")

    @model_validator(mode="after")
    def _grades(self) -> PerformanceStatusRule:
        bad = [g for g in self.allowed_ecog if not 0 <= g <= 5]
        if bad:
            raise ValueError(f"ECOG grades run 0-5; got {bad}")
        return self


class OrganFunctionRule(Strict):
    """Thresholds live in the protocol's `organ_function` section; this holds the lab window."""

    rule: Literal["organ_function"]
    within_days_before_first_dose: int = Field(ge=0)


class PermissiveRule(Strict):
    """A statement that allows something (I8): always met; the reason quotes the record."""

    rule: Literal["permissive"]
    statement: str


class ConsentRule(Strict):
    rule: Literal["informed_consent"]


class ContraceptionRule(Strict):
    rule: Literal["contraception"]


class AbsentConditionsRule(Strict):
    """Met when every named history fact is recorded as absent."""

    rule: Literal["absent_conditions"]
    conditions: tuple[HistoryFlag, ...] = Field(min_length=1)


class JudgementRule(Strict):
    """Not met if a named fact is present; otherwise the investigator must judge (and attest)."""

    rule: Literal["investigator_judgement"]
    conditions: tuple[HistoryFlag, ...] = Field(default=())
    question: str = Field(min_length=1, description="What the investigator is asked to judge.")


class CnsMetastasesRule(Strict):
    rule: Literal["cns_metastases"]
    radiotherapy_at_least_months_before_enrolment: int = Field(ge=0)
    brain_mri_within_days_before_enrolment: int = Field(ge=0)


class ImmunosuppressionRule(Strict):
    rule: Literal["immunosuppression"]
    prednisone_equivalent_max_mg_per_day: float = Field(
        ge=0, description="More than this excludes."
    )
    within_days_of_enrolment: int = Field(ge=0)
    counted_routes: tuple[CorticosteroidRoute, ...] = Field(min_length=1)


class PregnancyRule(Strict):
    rule: Literal["pregnancy"]
    test_within_days_before_enrolment: int = Field(ge=0)


class PriorCancerRule(Strict):
    rule: Literal["prior_cancer"]
    within_years_before_first_dose: int = Field(ge=1)
    exceptions: tuple[CancerException, ...]


class VaccinationRule(Strict):
    rule: Literal["vaccination"]
    within_days_of_enrolment: int = Field(ge=0)


class SurgicalWoundRule(Strict):
    rule: Literal["surgical_wounds"]
    unhealed_more_than_days: int = Field(ge=0)


class OtherTrialRule(Strict):
    rule: Literal["other_trials"]
    within_days_of_enrolment: int = Field(ge=0)


CriterionRule = Annotated[
    AgeAndLifeExpectancyRule
    | DiagnosisRule
    | MeasurableLesionRule
    | TumourSampleRule
    | WashoutRule
    | PerformanceStatusRule
    | OrganFunctionRule
    | PermissiveRule
    | ConsentRule
    | ContraceptionRule
    | AbsentConditionsRule
    | JudgementRule
    | CnsMetastasesRule
    | ImmunosuppressionRule
    | PregnancyRule
    | PriorCancerRule
    | VaccinationRule
    | SurgicalWoundRule
    | OtherTrialRule,
    Field(discriminator="rule"),
]


class Criterion(Strict):
    """One inclusion (I<n>) or exclusion (E<n>) criterion as the registry words it.

    ``check`` names the evaluator and its typed parameters; a criterion without one can only be
    decided by the investigator (its verdict is "needs investigator judgement" until attested).
    """

    id: str = Field(pattern=r"^[IE][1-9][0-9]*$")
    kind: Literal["inclusion", "exclusion"]
    text: str = Field(min_length=1, description="Registry text, verbatim.")
    check: CriterionRule | None = None

    @model_validator(mode="after")
    def _id_matches_kind(self) -> Criterion:
        if self.id[0] != self.kind[0].upper():
            raise ValueError(f"criterion id {self.id!r} does not match kind {self.kind!r}")
        return self


class EligibilitySpec(Strict):
    """Who may enter the trial."""

    age_range_years: tuple[int, int]
    sexes: Literal["All", "Female", "Male"]
    accepts_healthy_volunteers: bool
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    readings: tuple[Reading, ...] = Field(default=())

    @model_validator(mode="after")
    def _unique_ids(self) -> EligibilitySpec:
        ids = [c.id for c in self.criteria]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"criterion ids must be unique; repeated: {', '.join(duplicates)}")
        low, high = self.age_range_years
        if low > high:
            raise InputError(
                "age_range_years", f"{low}-{high}", "the lower bound exceeds the upper"
            )
        return self


class OrganFunctionSpec(Strict):
    """Adequate organ function (I7) as numbers: the registry gives none, these are common defaults.

    Values typical of CAR-T solid-tumour protocols; creatinine clearance by Cockcroft & Gault 1976
    (Nephron 16:31).
    """

    sponsor_editable = True

    anc_min_10e9_per_l: float = Field(gt=0)
    platelets_min_10e9_per_l: float = Field(gt=0)
    haemoglobin_min_g_dl: float = Field(gt=0)
    total_bilirubin_max_x_uln: float = Field(gt=0)
    total_bilirubin_max_x_uln_gilbert: float = Field(gt=0)
    alt_ast_max_x_uln: float = Field(gt=0)
    alt_ast_max_x_uln_liver_metastases: float = Field(gt=0)
    creatinine_clearance_min_ml_min: float = Field(gt=0)
    lvef_min_percent: float = Field(gt=0, le=100)
    spo2_room_air_min_percent: float = Field(gt=0, le=100)
    inr_max_x_uln: float = Field(gt=0)
    aptt_max_x_uln: float = Field(gt=0)
    coagulation_waived_on_anticoagulation: bool

    @model_validator(mode="after")
    def _exceptions_loosen(self) -> OrganFunctionSpec:
        if self.total_bilirubin_max_x_uln_gilbert < self.total_bilirubin_max_x_uln:
            raise ValueError(
                "the Gilbert's syndrome bilirubin limit must not be below the usual one"
            )
        if self.alt_ast_max_x_uln_liver_metastases < self.alt_ast_max_x_uln:
            raise ValueError("the liver-metastasis ALT/AST limit must not be below the usual one")
        return self


class CorticosteroidEquivalence(Strict):
    """Steroid dose equivalents: Liu D et al. 2013, Allergy Asthma Clin Immunol 9:30, Table 1."""

    sponsor_editable = True

    source: str
    reference_drug: str
    equivalent_dose_mg: FrozenMapping[str, float]  # never empty: it lists reference_drug

    @model_validator(mode="after")
    def _reference_listed(self) -> CorticosteroidEquivalence:
        if self.reference_drug not in self.equivalent_dose_mg:
            raise ValueError(f"reference_drug {self.reference_drug!r} is not in equivalent_dose_mg")
        bad = {k: v for k, v in self.equivalent_dose_mg.items() if v <= 0}
        if bad:
            raise ValueError(f"equivalent doses must be positive; got {bad}")
        return self
