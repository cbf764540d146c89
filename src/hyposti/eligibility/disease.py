"""I2, I3, I4, I6: diagnosis, HER2 expression, failed lines, measurable disease, sample, ECOG."""

from __future__ import annotations

from hyposti.eligibility.context import ScreeningContext, at_least, fmt
from hyposti.eligibility.dates import add_months
from hyposti.eligibility.record import PriorTherapy
from hyposti.eligibility.verdict import Outcome, combine, met, missing, not_met
from hyposti.protocol.eligibility_spec import (
    DiagnosisRule,
    MeasurableLesionRule,
    PerformanceStatusRule,
    TumourSampleRule,
)

FAILED = ("progression", "intolerance")


def _flag(value: bool | None, field: str, yes: str, no: str) -> Outcome:
    if value is None:
        return missing([field], f"{field} not recorded")
    return met(yes) if value else not_met(no)


def failed_lines(therapies: list[PriorTherapy]) -> list[int]:
    """Distinct systemic lines that ended in progression or intolerance (registry: "failed")."""
    return sorted(
        {t.line for t in therapies if t.kind == "systemic" and t.line and t.outcome in FAILED}
    )


def diagnosis_her2_prior_therapy(rule: DiagnosisRule, ctx: ScreeningContext) -> Outcome:
    """Registry I2: confirmed advanced tumour, >= 1 failed line (or no NCCN first line), HER2."""
    disease = ctx.record.disease
    parts = [
        _flag(
            disease.histologically_confirmed,
            "disease.histologically_confirmed",
            "histologically confirmed",
            "not histologically confirmed",
        ),
        _flag(
            disease.advanced_or_metastatic,
            "disease.advanced_or_metastatic",
            "advanced or metastatic",
            "not advanced or metastatic",
        ),
    ]
    her2 = disease.her2_percent
    if her2 is None:
        parts.append(missing(["disease.her2_percent"], "HER2 expression not recorded"))
    else:
        ok = at_least(her2, rule.her2_min_percent)
        sign = ">=" if ok else "<"
        parts.append(
            (met if ok else not_met)(
                f"HER2 {fmt(her2)}% {sign} {fmt(rule.her2_min_percent)}%", her2_percent=her2
            )
        )
    therapies = ctx.record.treatment.prior_therapies
    nccn = disease.nccn_standard_first_line_exists
    lines = failed_lines(therapies) if therapies is not None else None
    if lines is not None and len(lines) >= rule.min_failed_lines:
        parts.append(
            met(f"failed lines {lines} (>= {rule.min_failed_lines})", failed_lines=len(lines))
        )
    elif rule.no_standard_first_line_qualifies and nccn is False:
        parts.append(
            met("no NCCN standard first-line therapy exists", failed_lines=len(lines or []))
        )
    elif lines is None and nccn is None:
        parts.append(
            missing(
                ["treatment.prior_therapies", "disease.nccn_standard_first_line_exists"],
                "neither prior therapy lines nor the NCCN first-line status is recorded",
            )
        )
    elif nccn is None and rule.no_standard_first_line_qualifies:
        parts.append(
            missing(
                ["disease.nccn_standard_first_line_exists"],
                f"{len(lines or [])} failed line(s) < {rule.min_failed_lines}; whether an NCCN "
                "standard first line exists is not recorded",
                failed_lines=len(lines or []),
            )
        )
    else:
        parts.append(
            not_met(
                f"{len(lines or [])} failed line(s) < {rule.min_failed_lines} and an NCCN standard "
                "first-line therapy exists",
                failed_lines=len(lines or []),
            )
        )
    return combine(parts)


def measurable_lesions(rule: MeasurableLesionRule, ctx: ScreeningContext) -> Outcome:
    """Registry I3: at least one measurable target lesion (RECIST 1.1, Eisenhauer 2009, 3.1)."""
    count = ctx.record.disease.measurable_lesions
    if count is None:
        return missing(["disease.measurable_lesions"], "measurable lesions not recorded")
    if count >= rule.min_lesions:
        return met(f"{count} measurable lesion(s) >= {rule.min_lesions}", measurable_lesions=count)
    return not_met(f"{count} measurable lesion(s) < {rule.min_lesions}", measurable_lesions=count)


def tumour_sample(rule: TumourSampleRule, ctx: ScreeningContext) -> Outcome:
    """Registry I4: a fresh or FFPE archival sample within 6 months; rebiopsy accepted."""
    record = ctx.record
    parts = []
    sample = record.sample.tumour_sample
    if sample is None:
        parts.append(missing(["sample.tumour_sample"], "no tumour sample recorded"))
    elif sample.kind not in rule.accepted_kinds:
        parts.append(not_met(f"sample kind {sample.kind} is not one of {rule.accepted_kinds}"))
    elif record.enrolment_date is None:
        parts.append(missing(["enrolment_date"], "sample age needs the enrolment date"))
    else:
        oldest = add_months(record.enrolment_date, -rule.max_age_months)
        ok = sample.collection_date >= oldest
        relation = "on or after" if ok else "before"
        parts.append(
            (met if ok else not_met)(
                f"{sample.kind} sample of {sample.collection_date} is {relation} {oldest} "
                f"({rule.max_age_months} months before enrolment on {record.enrolment_date})",
                sample_kind=sample.kind,
                sample_date=sample.collection_date.isoformat(),
            )
        )
    if rule.require_rebiopsy_consent:
        parts.append(
            _flag(
                record.sample.rebiopsy_consent,
                "sample.rebiopsy_consent",
                "accepts rebiopsy",
                "does not accept rebiopsy",
            )
        )
    return combine(parts)


def performance_status(rule: PerformanceStatusRule, ctx: ScreeningContext) -> Outcome:
    """Registry I6: ECOG performance status (Oken et al. 1982) in the protocol's allowed set."""
    ecog = ctx.record.disease.ecog
    allowed = sorted(rule.allowed_ecog)
    if ecog is None:
        return missing(["disease.ecog"], "ECOG performance status not recorded")
    if ecog in allowed:
        return met(f"ECOG {ecog} is in the allowed set {allowed}", ecog=ecog)
    return not_met(f"ECOG {ecog} is not in the allowed set {allowed}", ecog=ecog)
