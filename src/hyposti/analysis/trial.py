"""Every endpoint of a trial dataset in one result record: flow, safety, efficacy, kinetics."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from hyposti.analysis.baseline import BaselineAndExposure, baseline_and_exposure
from hyposti.analysis.censoring import AssessmentSchedule
from hyposti.analysis.efficacy import EfficacyAnalysis, efficacy_analysis
from hyposti.analysis.expansion import ExpansionReview, expansion_patients, expansion_review
from hyposti.analysis.kinetics import KineticsAnalysis, kinetics_analysis
from hyposti.analysis.missing import date_or_none, text_or_none
from hyposti.analysis.nca import BlqRule
from hyposti.analysis.safety import SafetyAnalysis, safety_analysis
from hyposti.analysis.syndrome_course import SyndromeCourses, syndrome_course
from hyposti.analysis.tumour import assess_responses
from hyposti.data.dataset import TrialDataset
from hyposti.protocol import Protocol, load_protocol
from hyposti.response.patient import Criteria


@dataclass(frozen=True, slots=True)
class DoseLevelInfo:
    label: str
    cells_per_kg: float


@dataclass(frozen=True, slots=True)
class StudyInfo:
    """Which study and data the analysis is of; dose levels keyed "1", "2", ... as in the tables."""

    study_id: str
    data_cutoff: dt.date
    data_source: str | None
    generated_on: dt.date | None
    protocol: str
    dose_levels: dict[str, DoseLevelInfo]


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """The conventions the numbers were computed under, stated in the report."""

    response_criteria: str
    confirmation_min_days: int
    km_conf_type: str
    km_median_ci: str
    ci_level: float
    proportion_ci: str


@dataclass(frozen=True, slots=True)
class CriterionFailures:
    """Patients failing one eligibility criterion (``text``: the protocol's wording, if known)."""

    criterion_id: str
    text: str | None
    n: int


@dataclass(frozen=True, slots=True)
class NotInfused:
    subject_id: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class FlowCounts:
    """Patients at one dose level who reached each stage."""

    enrolled: int
    preconditioned: int
    infused: int
    dlt_evaluable: int
    response_evaluable: int


@dataclass(frozen=True, slots=True)
class EnrolmentFlow:
    """CONSORT-style counts overall, screen failures by criterion, and the stages per dose level
    (keyed "1", "2", ...)."""

    consented: int
    screened: int
    screen_failed: int
    failed_by_criterion: tuple[CriterionFailures, ...]
    enrolled: int
    preconditioned: int
    infused: int
    dlt_evaluable: int
    response_evaluable: int
    enrolled_not_infused: tuple[NotInfused, ...]
    by_dose_level: dict[str, FlowCounts]


@dataclass(frozen=True, slots=True)
class TrialAnalysis:
    """Every endpoint of a trial dataset: what ``hyposti analyze`` prints and the report shows."""

    study: StudyInfo
    settings: AnalysisSettings
    flow: EnrolmentFlow
    baseline: BaselineAndExposure
    safety: SafetyAnalysis
    syndrome_course: SyndromeCourses
    expansion: ExpansionReview | None
    efficacy: EfficacyAnalysis
    kinetics: KineticsAnalysis

    def to_dict(self) -> dict[str, object]:
        """The JSON of ``hyposti analyze --json``; the syndrome course sits in its safety part."""
        return {
            "study": asdict(self.study),
            "settings": asdict(self.settings),
            "flow": asdict(self.flow),
            "baseline": self.baseline.to_dict(),
            "safety": self.safety.to_dict() | {"syndrome_course": self.syndrome_course.to_dict()},
            "expansion": None if self.expansion is None else self.expansion.to_dict(),
            "efficacy": self.efficacy.to_dict(),
            "kinetics": self.kinetics.to_dict(),
        }


def enrolment_flow(
    ds: TrialDataset, evaluable_ids: set[str], criteria_text: dict[str, str] | None = None
) -> EnrolmentFlow:
    """CONSORT-style counts (Schulz 2010, CONSORT flow diagram): screened, failed by criterion,
    enrolled, preconditioned, infused, DLT- and response-evaluable, overall and per dose level."""
    s = ds.subjects
    scr = ds.screening
    screened = set(scr["subject_id"]) if len(scr) else set(s["subject_id"])
    unmet = scr.loc[~scr["met"].fillna(True).astype(bool)]
    failed = set(unmet["subject_id"])
    by_criterion = (
        unmet.groupby("criterion_id")["subject_id"].nunique().sort_values(ascending=False)
    )
    dlt_ok = set(
        ds.dlt_evaluations.loc[
            ds.dlt_evaluations["evaluable"].fillna(False).astype(bool), "subject_id"
        ]
    )
    stages = {
        "enrolled": s["enrolment_date"].notna(),
        "preconditioned": s["preconditioning_start_date"].notna(),
        "infused": s["infusion_date"].notna(),
        "dlt_evaluable": s["subject_id"].isin(dlt_ok),
        "response_evaluable": s["subject_id"].isin(evaluable_ids),
    }

    def reached(among: pd.Series) -> FlowCounts:
        return FlowCounts(
            enrolled=int((stages["enrolled"] & among).sum()),
            preconditioned=int((stages["preconditioned"] & among).sum()),
            infused=int((stages["infused"] & among).sum()),
            dlt_evaluable=int((stages["dlt_evaluable"] & among).sum()),
            response_evaluable=int((stages["response_evaluable"] & among).sum()),
        )

    overall = reached(pd.Series(True, index=s.index))
    by_dose = {
        str(level): reached(s["dose_level"] == level)
        for level in sorted(int(v) for v in s["dose_level"].dropna().unique())
    }
    not_infused = s.loc[s["enrolment_date"].notna() & s["infusion_date"].isna(), "subject_id"]
    reasons = ds.disposition.set_index("subject_id")["off_study_reason"]
    return EnrolmentFlow(
        consented=len(s),
        screened=len(screened),
        screen_failed=len(failed),
        failed_by_criterion=tuple(
            CriterionFailures(str(c), (criteria_text or {}).get(str(c)), int(n))
            for c, n in by_criterion.items()
        ),
        enrolled=overall.enrolled,
        preconditioned=overall.preconditioned,
        infused=overall.infused,
        dlt_evaluable=overall.dlt_evaluable,
        response_evaluable=overall.response_evaluable,
        enrolled_not_infused=tuple(
            NotInfused(str(sid), text_or_none(reasons.get(sid))) for sid in not_infused
        ),
        by_dose_level=by_dose,
    )


def analyze_trial(
    ds: TrialDataset,
    protocol: Protocol | None = None,
    criteria: Criteria | None = None,
    conf_type: str = "log-log",
    blq: BlqRule | None = None,
) -> TrialAnalysis:
    """Analyse a dataset by its protocol: the report's data; ``to_dict()`` is ``analyze --json``.

    Missed tumour assessments (PFS/DOR censoring) are counted against the protocol's own
    schedule, so a protocol without a ``schedule`` section is refused here. A dataset whose
    tables contradict one another (hyposti.data.integrity) is refused before any count is made.
    """
    ds.require_consistent()
    protocol = protocol or load_protocol()
    criteria = criteria or protocol.response.primary_criteria
    schedule = AssessmentSchedule.from_protocol(protocol)
    responses = assess_responses(ds, protocol.response, criteria)
    efficacy = efficacy_analysis(ds, responses, schedule, conf_type)
    evaluable = {
        p.subject_id for p in efficacy.patients if p.last_adequate_assessment_day is not None
    }
    dose_levels = ds.subjects.set_index("subject_id")["dose_level"]
    cutoff: pd.Timestamp = ds.data_cutoff
    return TrialAnalysis(
        study=StudyInfo(
            study_id=ds.study_id,
            data_cutoff=cutoff.date(),
            data_source=text_or_none(ds.study["data_source"].iloc[0]),
            generated_on=date_or_none(ds.study["generated_on"].iloc[0]),
            protocol=protocol.identifiers.nct_id,
            dose_levels={
                str(d.level): DoseLevelInfo(d.label, d.cells_per_kg)
                for d in protocol.investigational_product.dose_levels
            },
        ),
        settings=AnalysisSettings(
            response_criteria=criteria,
            confirmation_min_days=protocol.response.confirmation_min_days,
            km_conf_type=conf_type,
            km_median_ci="Brookmeyer-Crowley on the same transform as the pointwise band",
            ci_level=0.95,
            proportion_ci="Clopper-Pearson exact",
        ),
        flow=enrolment_flow(ds, evaluable, {c.id: c.text for c in protocol.eligibility.criteria}),
        baseline=baseline_and_exposure(ds, protocol.investigational_product.name),
        safety=safety_analysis(ds, protocol),
        syndrome_course=syndrome_course(ds, protocol.toxicity_management),
        expansion=None
        if protocol.expansion is None
        else expansion_review(protocol.expansion, expansion_patients(ds, responses)),
        efficacy=efficacy,
        kinetics=kinetics_analysis(
            ds.kinetics.loc[~(ds.kinetics["sample_date"] > cutoff)], dose_levels, blq
        ),
    )
