"""Efficacy endpoints: ORR and DCR with exact CIs, TTR, and Kaplan-Meier DOR, PFS and OS.

Definitions follow the registry record and FDA 2018 guidance "Clinical Trial Endpoints for the
Approval of Cancer Drugs and Biologics": ORR = confirmed CR or PR (RECIST 1.1, Eisenhauer 2009,
section 4.6); DOR from first documented response; PFS and OS from CAR-T infusion.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from hyposti.analysis.baseline import MedianRange
from hyposti.analysis.binomial import Proportion, clopper_pearson
from hyposti.analysis.censoring import (
    AssessmentSchedule,
    TimeToEvent,
    progression_event,
    survival_event,
)
from hyposti.analysis.km import KaplanMeier, SurvivalAt, fit_kaplan_meier
from hyposti.analysis.tumour import TumourOutcome
from hyposti.data.dataset import TrialDataset
from hyposti.response import Response

# Named here too because the report imports it from this module.
from hyposti.units import DAYS_PER_MONTH as DAYS_PER_MONTH

RATE_MONTHS = (6, 12, 24, 36)
RESPONSES = {Response.CR, Response.PR, Response.ICR, Response.IPR}
DISEASE_CONTROL = RESPONSES | {
    Response.SD,
    Response.NON_CR_NON_PD,
    Response.ISD,
    Response.INON_CR_NON_PD,
}


@dataclass(frozen=True, slots=True)
class ResponseTimePoint:
    """One tumour assessment of a patient: % change of the target sum, the overall response code,
    and whether it counts (an assessment after progression or new therapy does not)."""

    study_day: int
    pct_from_baseline: float | None
    overall_response: str
    included: bool


@dataclass(frozen=True, slots=True)
class PatientOutcome:
    """One infused patient's efficacy record: response codes (``Response`` values), endpoint study
    days (None: did not happen by the cut-off) and the PFS, OS and DOR time-to-event records."""

    subject_id: str
    dose_level: int | None
    infusion_date: dt.date
    bor_confirmed: str
    bor_confirmed_reason: str
    bor_unconfirmed: str
    best_pct_change: float | None
    first_response_day: float | None
    first_unconfirmed_response_day: float | None
    progression_day: float | None
    death_day: float | None
    new_therapy_day: float | None
    last_known_alive_day: float
    last_adequate_assessment_day: float | None
    pfs: TimeToEvent
    os: TimeToEvent
    dor: TimeToEvent | None
    time_points: tuple[ResponseTimePoint, ...]
    data_quality_flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LandmarkSurvival:
    """S(t) at a landmark of ``months`` (RATE_MONTHS) after the origin."""

    months: int
    estimate: SurvivalAt


@dataclass(frozen=True, slots=True)
class KmSummary:
    """A Kaplan-Meier curve with its survival rates at 6, 12, 24 and 36 months."""

    fit: KaplanMeier
    at: tuple[LandmarkSurvival, ...]

    def to_dict(self) -> dict[str, object]:
        # The curve's own dict, whose "at" rows are the landmarks with their months last.
        out = self.fit.as_dict()
        out["at"] = [asdict(a.estimate) | {"months": a.months} for a in self.at]
        return out


@dataclass(frozen=True, slots=True)
class EfficacyAnalysis:
    """ORR (confirmed, unconfirmed) and DCR per dose-level key ("1", ..., "all") with exact CIs,
    confirmed best responses counted by code, TTR, DOR/PFS/OS curves, and every patient's record."""

    population: str
    n: int
    n_with_baseline_scan: int
    orr_confirmed: dict[str, Proportion]
    orr_unconfirmed: dict[str, Proportion]
    dcr: dict[str, Proportion]
    bor_counts: dict[str, int]
    ttr_days: MedianRange
    dor: KmSummary | None
    pfs: KmSummary | None
    os: KmSummary | None
    censoring_rules: tuple[str, ...]
    patients: tuple[PatientOutcome, ...]

    def to_dict(self) -> dict[str, object]:
        def curve(km: KmSummary | None) -> dict[str, object] | None:
            return None if km is None else km.to_dict()

        return {
            "population": self.population,
            "n": self.n,
            "n_with_baseline_scan": self.n_with_baseline_scan,
            "orr_confirmed": {k: asdict(p) for k, p in self.orr_confirmed.items()},
            "orr_unconfirmed": {k: asdict(p) for k, p in self.orr_unconfirmed.items()},
            "dcr": {k: asdict(p) for k, p in self.dcr.items()},
            "bor_counts": dict(self.bor_counts),
            "ttr_days": asdict(self.ttr_days),
            "dor": curve(self.dor),
            "pfs": curve(self.pfs),
            "os": curve(self.os),
            "censoring_rules": list(self.censoring_rules),
            "patients": [asdict(p) for p in self.patients],
        }


def _day(date: dt.date | None, origin: dt.date) -> float | None:
    return None if date is None else float((date - origin).days)


def _days_from(infused: pd.DataFrame, dates: pd.Series) -> list[float | None]:
    """Days from each infused subject's infusion to its date in ``dates`` (indexed by subject)."""
    days = (infused["subject_id"].map(dates) - infused["infusion_date"]).dt.days
    return [None if v != v else float(v) for v in days.tolist()]


def patient_outcomes(
    ds: TrialDataset, responses: Mapping[str, TumourOutcome], schedule: AssessmentSchedule
) -> list[PatientOutcome]:
    """Per infused patient: best response, % change, endpoint days and the PFS/OS/DOR records.

    Progression is the earlier of the response engine's (radiological) progression and the
    investigator's documented progression in disposition; events after the data cut-off are not
    counted and follow-up is cut at it.
    """
    out = []
    infused = ds.subjects.loc[ds.subjects["infusion_date"].notna()]
    disp = ds.disposition.drop_duplicates("subject_id", keep="last").set_index("subject_id")
    # Study days of the disposition dates, one column at a time (None where not recorded).
    cuts = (ds.data_cutoff - infused["infusion_date"]).dt.days.astype(float).tolist()
    recorded = {
        column: _days_from(infused, disp[column])
        for column in ("progression_date", "death_date", "new_therapy_date", "last_contact_date")
    }
    for i, (sid, origin, level) in enumerate(
        zip(infused["subject_id"], infused["infusion_date"], infused["dose_level"], strict=True)
    ):
        cut = cuts[i]
        start = origin.date()

        def within(day: float | None, cut: float = cut) -> float | None:
            return day if day is not None and day <= cut else None

        r = responses.get(sid)
        engine_pd = _day(r.progression_date, start) if r else None
        recorded_pd = recorded["progression_date"][i]
        pd_days = [v for v in (within(engine_pd), within(recorded_pd)) if v is not None]
        progression = min(pd_days) if pd_days else None
        death = within(recorded["death_date"][i])
        therapy = within(recorded["new_therapy_date"][i])
        contact = recorded["last_contact_date"][i]
        alive_until = death if death is not None else min(contact or 0.0, cut or 0.0)
        points = r.time_points if r else ()
        adequate = [
            float(p.study_day)
            for p in points
            if p.included and p.overall_response is not Response.NE
        ]
        bor = r.bor_confirmed if r else Response.NE
        first_response = _day(r.first_response_date, start) if r else None
        pfs = progression_event(sid, adequate, progression, death, therapy, schedule)
        dor = (
            progression_event(sid, adequate, progression, death, therapy, schedule, first_response)
            if bor in RESPONSES and first_response is not None
            else None
        )
        out.append(
            PatientOutcome(
                subject_id=sid,
                dose_level=None if pd.isna(level) else int(level),
                infusion_date=origin.date(),
                bor_confirmed=bor.value,
                bor_confirmed_reason=r.bor_confirmed_reason if r else "no baseline scan",
                bor_unconfirmed=(r.bor_unconfirmed if r else Response.NE).value,
                best_pct_change=r.best_pct_change if r else None,
                first_response_day=first_response if bor in RESPONSES else None,
                first_unconfirmed_response_day=_day(r.first_unconfirmed_response_date, start)
                if r
                else None,
                progression_day=progression,
                death_day=death,
                new_therapy_day=therapy,
                last_known_alive_day=alive_until,
                last_adequate_assessment_day=max(adequate) if adequate else None,
                pfs=pfs,
                os=survival_event(sid, death, alive_until),
                dor=dor,
                time_points=tuple(
                    ResponseTimePoint(
                        study_day=p.study_day,
                        pct_from_baseline=p.pct_from_baseline,
                        overall_response=p.overall_response.value,
                        included=p.included,
                    )
                    for p in points
                ),
                data_quality_flags=tuple(r.data_quality_flags) if r else (),
            )
        )
    return out


def _rates(
    patients: Sequence[PatientOutcome], confirmed: bool, codes: set[Response]
) -> dict[str, Proportion]:
    """Patients whose best response (confirmed or not) is one of ``codes``, per dose level."""
    values = {c.value for c in codes}
    levels = sorted({p.dose_level for p in patients if p.dose_level is not None})
    out = {}
    for level in [*levels, "all"]:
        group = [p for p in patients if level == "all" or p.dose_level == level]
        count = sum((p.bor_confirmed if confirmed else p.bor_unconfirmed) in values for p in group)
        out[str(level)] = clopper_pearson(count, len(group))
    return out


def km_summary(records: Sequence[TimeToEvent], conf_type: str) -> KmSummary | None:
    """Kaplan-Meier of time-to-event records (days), rates at 6/12/24/36 months, at-risk counts."""
    if not records:
        return None
    fit = fit_kaplan_meier([r.time for r in records], [r.event for r in records], conf_type)
    rates = fit.at([m * DAYS_PER_MONTH for m in RATE_MONTHS])
    return KmSummary(
        fit, tuple(LandmarkSurvival(m, r) for m, r in zip(RATE_MONTHS, rates, strict=True))
    )


def censoring_rules(schedule: AssessmentSchedule) -> list[str]:
    return [
        "PFS: time from CAR-T infusion to the earlier of progression (RECIST 1.1 by the response "
        "engine, or investigator-documented) and death.",
        "PFS/DOR censoring: at the last adequate assessment when there is no event; at the last "
        "adequate assessment before new anticancer therapy when it starts before any event; at "
        "the last adequate assessment before an event that follows two or more missed scheduled "
        "assessments; at day 0 (PFS) or the response date (DOR) with no adequate assessment.",
        "Missed assessments are counted against the protocol's tumour-assessment schedule "
        f"(study day, visit window): {schedule.describe()}.",
        "OS: time from infusion to death; censored at the last date known alive.",
        "DOR: among confirmed responders, from the first documented CR/PR to progression or death.",
        "Events and follow-up after the data cut-off are not counted.",
    ]


def efficacy_analysis(
    ds: TrialDataset,
    responses: Mapping[str, TumourOutcome],
    schedule: AssessmentSchedule,
    conf_type: str = "log-log",
) -> EfficacyAnalysis:
    """ORR, DCR, TTR, DOR, PFS and OS over the infused population, by dose level and overall."""
    patients = patient_outcomes(ds, responses, schedule)
    responders = [p for p in patients if p.first_response_day is not None]
    bor_counts = Counter(p.bor_confirmed for p in patients)
    return EfficacyAnalysis(
        population="all infused subjects",
        n=len(patients),
        n_with_baseline_scan=len(responses),
        orr_confirmed=_rates(patients, True, RESPONSES),
        orr_unconfirmed=_rates(patients, False, RESPONSES),
        dcr=_rates(patients, True, DISEASE_CONTROL),
        bor_counts={code.value: n for code in Response if (n := bor_counts[code.value])},
        ttr_days=MedianRange.of(pd.Series([p.first_response_day for p in responders])),
        dor=km_summary([p.dor for p in responders if p.dor], conf_type),
        pfs=km_summary([p.pfs for p in patients], conf_type),
        os=km_summary([p.os for p in patients], conf_type),
        censoring_rules=tuple(censoring_rules(schedule)),
        patients=tuple(patients),
    )


__all__ = [
    "EfficacyAnalysis",
    "KmSummary",
    "PatientOutcome",
    "TimeToEvent",
    "efficacy_analysis",
    "km_summary",
    "patient_outcomes",
]
