"""Virtual candidates and their screening records, some made to fail named criteria.

Each candidate fails each criterion independently with the parameter file's probability [est];
a failure is written into the record as the finding that criterion's rule looks at (a HER2 below
the protocol's threshold, a platelet count below the organ-function floor, ...). Values drawn for
passing candidates are realistic, so a borderline candidate may fail a criterion nobody chose:
the eligibility engine's verdict is the one the trial keeps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np

from hyposti.eligibility.record import MedicalHistory, ScreeningRecord, parse_screening_record
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.protocol.eligibility_spec import (
    AgeAndLifeExpectancyRule,
    CriterionRule,
    DiagnosisRule,
    ImmunosuppressionRule,
    PerformanceStatusRule,
    SurgicalWoundRule,
    TumourSampleRule,
    WashoutRule,
)
from hyposti.virtual.draws import draw_index, draw_name
from hyposti.virtual.parameters import (
    LabDistribution,
    PopulationParameters,
    ScreeningParameters,
)

INVESTIGATOR = "virtual investigator"
_HER2_RULE = "diagnosis_her2_prior_therapy"
_R = TypeVar("_R")
#: A screening-record part as the plain data ``ScreeningRecord`` validates.
Part = dict[str, Any]


@dataclass(frozen=True)
class Candidate:
    """A person referred for screening: demographics and the criteria chosen to fail."""

    candidate_id: str
    age_years: int
    sex: str
    weight_kg: float
    height_cm: float
    child_bearing_potential: bool
    life_expectancy_months: float
    tumour_type: str
    her2_percent: float
    ecog: int
    measurable_lesions: int
    liver_metastases: bool
    planned_failures: tuple[str, ...]


def _rules(protocol: Protocol) -> dict[str, CriterionRule | None]:
    return {c.id: c.check for c in protocol.eligibility.criteria}


def _planned(failing: dict[str | None, CriterionRule | None], kind: type[_R]) -> _R | None:
    """The rule of this kind among the criteria chosen to fail (keyed by rule name: one each)."""
    return next((r for r in failing.values() if isinstance(r, kind)), None)


def sample_candidate(
    rng: np.random.Generator,
    population: PopulationParameters,
    screening: ScreeningParameters,
    protocol: Protocol,
    candidate_id: str,
    measurable_lesions: int,
    liver_metastases: bool,
) -> Candidate:
    """Draw a candidate: body size, tumour type and HER2, ECOG, and which criteria fail."""
    checks = _rules(protocol)
    unknown = sorted(set(screening.failure_probability) - set(checks))
    if unknown:
        raise InputError(
            "screening.failure_probability", unknown, "names criteria the protocol does not have"
        )
    draws = rng.random(len(checks)).tolist()
    fails = tuple(
        cid
        for cid, u in zip(checks, draws, strict=True)
        if u < screening.failure_probability.get(cid, 0.0)
    )
    failing_rules = {getattr(checks[cid], "rule", None): checks[cid] for cid in fails}
    low, high = protocol.eligibility.age_range_years
    # Scalars are clipped with min and max: np.clip costs more than the draws (same values).
    drawn_age = round(population.age_mean_years + population.age_sd_years * rng.standard_normal())
    age = min(max(drawn_age, low), high)
    life_expectancy = float(rng.uniform(*screening.life_expectancy_months))
    age_rule = _planned(failing_rules, AgeAndLifeExpectancyRule)
    if age_rule is not None:
        if rng.random() < 0.5:
            age = high + int(rng.integers(1, 6))
        else:
            life_expectancy = float(age_rule.life_expectancy_more_than_months) - 1.0
    female = bool(rng.random() < population.female_fraction)
    cbp = (
        female
        and age < 50
        and bool(rng.random() < population.childbearing_potential_fraction_under_50)
    )
    if {"contraception", "pregnancy"} & set(failing_rules):
        # Only a woman of child-bearing potential can fail these two rules.
        female, cbp = True, True
    weight = population.weight_median_kg * np.exp(population.weight_log_sd * rng.standard_normal())
    height = (
        population.height_mean_cm
        + population.height_sd_cm * rng.standard_normal()
        - (population.height_female_offset_cm if female else 0.0)
    )
    if protocol.dosing is not None:
        # Body size is truncated to the protocol's plausible adult range, which dosing enforces.
        lightest, heaviest = protocol.dosing.weight_kg_plausible
        shortest, tallest = protocol.dosing.height_cm_plausible
        weight = float(min(max(weight, lightest), heaviest))
        height = float(min(max(height, shortest), tallest))
    tumour_type = draw_name(rng, population.tumour_types)
    her2_rules = [c for c in checks.values() if isinstance(c, DiagnosisRule)]
    threshold = max((rule.her2_min_percent for rule in her2_rules), default=0.0)
    her2 = float(round(rng.uniform(threshold, screening.her2_max_percent)))
    if _HER2_RULE in failing_rules:
        her2 = float(round(rng.uniform(1.0, threshold - 1.0)))
    ecog = draw_index(rng, tuple(screening.ecog_probabilities))
    ecog_rule = _planned(failing_rules, PerformanceStatusRule)
    if ecog_rule is not None:
        allowed = ecog_rule.allowed_ecog
        ecog = min(g for g in range(6) if g not in allowed and g > 0)
    lesions = 0 if "measurable_lesions" in failing_rules else measurable_lesions
    return Candidate(
        candidate_id=candidate_id,
        age_years=age,
        sex="F" if female else "M",
        weight_kg=float(round(weight, 1)),
        height_cm=float(round(height, 1)),
        child_bearing_potential=cbp,
        life_expectancy_months=round(life_expectancy, 1),
        tumour_type=tumour_type,
        her2_percent=her2,
        ecog=ecog,
        measurable_lesions=lesions,
        liver_metastases=liver_metastases,
        planned_failures=fails,
    )


def _days(date: dt.date, n: float) -> dt.date:
    return date - dt.timedelta(days=int(n))


def _lognormal(rng: np.random.Generator, median: float, log_sd: float) -> float:
    return float(median * np.exp(log_sd * rng.standard_normal()))


def _labs(
    rng: np.random.Generator,
    date: dt.date,
    protocol: Protocol,
    labs: dict[str, LabDistribution],
    fail: bool,
) -> Part:
    """Screening labs drawn from the parameter file; an organ-function failure is written as a
    platelet count below the protocol's floor."""
    values: dict[str, Any] = {}
    for name, dist in labs.items():
        value = round(_lognormal(rng, dist.median, dist.log_sd), 2)
        if name == "spo2_room_air_percent":
            value = min(value, 100.0)
        if name == "platelets_10e9_per_l" and fail:
            floor = (
                protocol.organ_function.platelets_min_10e9_per_l if protocol.organ_function else 75
            )
            value = round(floor * float(rng.uniform(0.4, 0.9)))
        values[name] = (
            {"value": value, "uln": dist.uln, "date": date}
            if dist.uln is not None
            else {"value": value, "date": date}
        )
    return values | {"gilbert_syndrome": False, "on_anticoagulation": False}


#: The yes/no history facts a protocol's absent-condition rules read: all "no" unless planned.
_HISTORY_FLAGS = tuple(
    name for name, info in MedicalHistory.model_fields.items() if info.annotation == (bool | None)
)


def screening_record(
    rng: np.random.Generator,
    candidate: Candidate,
    protocol: Protocol,
    params: ScreeningParameters,
    screening_date: dt.date,
    enrolment_date: dt.date,
    first_dose_date: dt.date,
) -> ScreeningRecord:
    """The record a coordinator would complete for ``candidate``; planned failures written in.

    Each planned failure sets the finding its rule (the protocol's ``check``) reads, using that
    rule's own threshold, e.g. a washout one week short of ``washout_more_than_days``. The parts
    are plain data validated in one call, as a record read from a file is.
    """
    checks = _rules(protocol)
    failing = {
        getattr(checks[cid], "rule", None): checks[cid] for cid in candidate.planned_failures
    }
    # The draws are made in this order (prior therapy, sample, birth date, residual toxicity,
    # labs): a seed's trial depends on it.
    therapy = _prior_therapy(rng, params, failing, enrolment_date)
    sample = _tumour_sample(rng, params, failing, screening_date)
    demographics = _demographics(rng, candidate, screening_date)
    treatment = {
        "prior_therapies": [therapy],
        "worst_residual_toxicity_grade": int(rng.integers(0, 2)),
    }
    labs = _labs(rng, screening_date, protocol, params.labs, "organ_function" in failing)
    return parse_screening_record(
        {
            "participant_id": candidate.candidate_id,
            "screening_date": screening_date,
            "enrolment_date": enrolment_date,
            "first_study_dose_date": first_dose_date,
            "demographics": demographics,
            "disease": _disease(candidate),
            "treatment": treatment,
            "sample": sample,
            "labs": labs,
            "medications": _medications(failing, screening_date, enrolment_date),
            "reproductive": _reproductive(candidate, failing, screening_date),
            "history": _history(checks, candidate, failing, screening_date, enrolment_date),
            "consent": {
                "signed_date": screening_date,
                "signed_by_participant": "informed_consent" not in failing,
            },
            "attestations": _attestations(checks, candidate, screening_date),
        }
    )


def _prior_therapy(
    rng: np.random.Generator,
    params: ScreeningParameters,
    failing: dict[str | None, CriterionRule | None],
    enrolment_date: dt.date,
) -> Part:
    """The last systemic therapy, ended a drawn washout before enrolment (a week short of the
    rule's washout when the washout is planned to fail)."""
    washout_days = float(rng.uniform(*params.washout_days))
    washout_rule = _planned(failing, WashoutRule)
    if washout_rule is not None:
        washout_days = washout_rule.washout_more_than_days - 7
    return {
        "regimen": "platinum-based chemotherapy",
        "kind": "systemic",
        "line": 1,
        "end_date": _days(enrolment_date, washout_days),
        "outcome": "progression",
    }


def _tumour_sample(
    rng: np.random.Generator,
    params: ScreeningParameters,
    failing: dict[str | None, CriterionRule | None],
    screening_date: dt.date,
) -> Part:
    """The tumour sample, fresh or archival, of a drawn age (an archival one three months past
    the rule's limit when the sample is planned to fail)."""
    age_days = float(rng.uniform(*params.tumour_sample_age_days))
    kind: Literal["fresh", "archival_ffpe"] = (
        "fresh" if rng.random() < params.fresh_sample_fraction else "archival_ffpe"
    )
    rule = _planned(failing, TumourSampleRule)
    if rule is not None:
        age_days = 30.5 * (rule.max_age_months + 3)
        kind = "archival_ffpe"
    return {
        "tumour_sample": {"kind": kind, "collection_date": _days(screening_date, age_days)},
        "rebiopsy_consent": True,
    }


def _demographics(rng: np.random.Generator, candidate: Candidate, screening_date: dt.date) -> Part:
    female = candidate.sex == "F"
    return {
        "date_of_birth": _birth_date(rng, screening_date, candidate.age_years),
        "sex": "female" if female else "male",
        "weight_kg": candidate.weight_kg,
        "child_bearing_potential": candidate.child_bearing_potential if female else None,
    }


def _disease(candidate: Candidate) -> Part:
    return {
        "tumour_type": candidate.tumour_type,
        "histologically_confirmed": True,
        "advanced_or_metastatic": True,
        "her2_percent": candidate.her2_percent,
        "nccn_standard_first_line_exists": True,
        "measurable_lesions": candidate.measurable_lesions,
        "life_expectancy_months": candidate.life_expectancy_months,
        "ecog": candidate.ecog,
        "liver_metastases": candidate.liver_metastases,
    }


def _medications(
    failing: dict[str | None, CriterionRule | None],
    screening_date: dt.date,
    enrolment_date: dt.date,
) -> Part:
    """No medication unless planned: twice the rule's steroid limit, or a recent live vaccine."""
    steroids = []
    steroid_rule = _planned(failing, ImmunosuppressionRule)
    if steroid_rule is not None:
        steroids = [
            {
                "drug": "prednisone",
                "daily_dose_mg": 2.0 * steroid_rule.prednisone_equivalent_max_mg_per_day,
                "route": "oral",
                "start_date": _days(screening_date, 30),
            }
        ]
    vaccinations = []
    if "vaccination" in failing:
        vaccinations = [{"vaccine": "influenza", "date": _days(enrolment_date, 10)}]
    return {"corticosteroids": steroids, "immunosuppressants": [], "vaccinations": vaccinations}


def _reproductive(
    candidate: Candidate,
    failing: dict[str | None, CriterionRule | None],
    screening_date: dt.date,
) -> Part:
    """Contraception agreed and, for a woman of child-bearing potential, a negative pregnancy
    test, unless the contraception or pregnancy rule is planned to fail."""
    agreed = "contraception" not in failing
    if candidate.sex != "F":
        return {"contraception_agreed": agreed}
    test = None
    if candidate.child_bearing_potential:
        result = "positive" if "pregnancy" in failing else "negative"
        test = {"date": screening_date, "result": result}
    return {
        "pregnant": "pregnancy" in failing,
        "breastfeeding": False,
        "pregnancy_test": test,
        "contraception_agreed": agreed,
    }


def _history(
    checks: dict[str, CriterionRule | None],
    candidate: Candidate,
    failing: dict[str | None, CriterionRule | None],
    screening_date: dt.date,
    enrolment_date: dt.date,
) -> Part:
    """A clean history except the finding each planned history failure's rule reads: the first
    condition it names, CNS metastases, a recent other cancer, an unhealed wound, another trial."""
    flags: Part = dict.fromkeys(_HISTORY_FLAGS, False)
    for cid in candidate.planned_failures:
        conditions = getattr(checks[cid], "conditions", None)
        if conditions:
            flags[conditions[0]] = True
    cns: Part = {"brain_metastases": False, "active_cns_disease": False}
    if "cns_metastases" in failing:
        cns = {"brain_metastases": True, "active_cns_disease": True, "cns_symptoms": True}
    prior_cancers = []
    if "prior_cancer" in failing:
        prior_cancers = [
            {
                "description": "colorectal adenocarcinoma",
                "category": "other",
                "diagnosis_date": _days(screening_date, 365),
                "last_treatment_date": _days(screening_date, 200),
            }
        ]
    wounds = []
    wound_rule = _planned(failing, SurgicalWoundRule)
    if wound_rule is not None:
        wounds = [
            {
                "surgery_date": _days(screening_date, wound_rule.unhealed_more_than_days + 15),
                "healed": False,
            }
        ]
    trials = []
    if "other_trials" in failing:
        trials = [
            {
                "trial": "another phase I trial",
                "last_participation_date": _days(enrolment_date, 10),
            }
        ]
    return flags | {
        "prior_cancers": prior_cancers,
        "surgical_wounds": wounds,
        "other_trials": trials,
        "cns": cns,
    }


def _attestations(
    checks: dict[str, CriterionRule | None], candidate: Candidate, screening_date: dt.date
) -> list[Part]:
    """The investigator's judgement on each judgement criterion: satisfied unless planned."""
    return [
        {
            "criterion_id": cid,
            "satisfied": cid not in candidate.planned_failures,
            "investigator": INVESTIGATOR,
            "attested_on": screening_date,
        }
        for cid, check in checks.items()
        if getattr(check, "rule", None) == "investigator_judgement"
    ]


def _birth_date(rng: np.random.Generator, on: dt.date, age_years: int) -> dt.date:
    """A birth date giving exactly ``age_years`` completed years on ``on``."""
    latest = dt.date(on.year - age_years, on.month, min(on.day, 28))
    return latest - dt.timedelta(days=int(rng.integers(1, 360)))
