"""Where the expansion cohort stands against its rules: toxicity monitoring and Simon's stages.

Pure: the protocol's expansion section and the expansion patients, in the order their DLT
windows closed, go in; a frozen record of the boundaries, the current counts and any crossing
comes out. The rules are the design engines' (Thall, Simon & Estey 1995 monitoring; Simon 1989
two-stage design), so the report and the synthetic trial read the same boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from hyposti.analysis.efficacy import RESPONSES
from hyposti.analysis.tumour import TumourOutcome
from hyposti.data.dataset import TrialDataset
from hyposti.design.simon_two_stage import SimonDesign
from hyposti.design.toxicity_monitoring import ToxicityMonitor, monitor_sequence
from hyposti.protocol.expansion_spec import ExpansionSpec, SimonSpec


@dataclass(frozen=True)
class ExpansionPatient:
    """One expansion patient: DLT (None: not evaluable) and response (None: not yet assessed)."""

    subject_id: str
    dlt: bool | None
    responder: bool | None


@dataclass(frozen=True)
class MonitoringStatus:
    """The stopping boundary, the counts so far and the first crossing, if any."""

    prior_a: float
    prior_b: float
    theta: float
    threshold: float
    stop_if_dlt_ge: tuple[int | None, ...]
    evaluable: int
    dlts: int
    posterior: float | None
    stop_now_if_dlt_ge: int | None
    crossed_at_n: int | None
    crossed_with_dlts: int | None
    crossed_by: str | None
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "prior": [self.prior_a, self.prior_b],
            "theta": self.theta,
            "threshold": self.threshold,
            "stop_if_dlt_ge": list(self.stop_if_dlt_ge),
            "evaluable": self.evaluable,
            "dlts": self.dlts,
            "posterior_prob_exceeds": self.posterior,
            "stop_now_if_dlt_ge": self.stop_now_if_dlt_ge,
            "crossed_at_n": self.crossed_at_n,
            "crossed_with_dlts": self.crossed_with_dlts,
            "crossed_by": self.crossed_by,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SimonStatus:
    """Responses against the two-stage design: stage 1 (r1 of n1) and the final bound (r of n)."""

    design: SimonDesign
    futility_stop: bool
    stage_one_assessed: int
    stage_one_responders: int
    stage_one: str
    assessed: int
    responders: int
    final: str

    @property
    def stopped_after_stage_one(self) -> bool:
        """The protocol applies the futility stop and stage 1 ended at or below r1."""
        return _stops_after_stage_one(
            self.design, self.futility_stop, self.stage_one_assessed, self.stage_one_responders
        )

    def to_dict(self) -> dict[str, object]:
        return self.design.to_dict() | {
            "futility_stop": self.futility_stop,
            "stage_one_assessed": self.stage_one_assessed,
            "stage_one_responders": self.stage_one_responders,
            "stage_one": self.stage_one,
            "assessed": self.assessed,
            "responders": self.responders,
            "final": self.final,
        }


@dataclass(frozen=True)
class ExpansionReview:
    """Both rules for a report: patients counted, monitoring, and the Simon design if read."""

    patients: int
    monitoring: MonitoringStatus
    response: SimonStatus | None

    def to_dict(self) -> dict[str, object]:
        return {
            "patients": self.patients,
            "monitoring": self.monitoring.to_dict(),
            "response": None if self.response is None else self.response.to_dict(),
        }


def monitor_of(spec: ExpansionSpec) -> ToxicityMonitor:
    rule = spec.toxicity_monitoring
    return ToxicityMonitor(rule.prior_a, rule.prior_b, rule.theta, rule.threshold, rule.max_n)


def simon_of(spec: SimonSpec) -> SimonDesign:
    return SimonDesign(r1=spec.r1, n1=spec.n1, r=spec.r, n=spec.n)


def monitoring_status(
    monitor: ToxicityMonitor, patients: Sequence[ExpansionPatient]
) -> MonitoringStatus:
    """Counts over the DLT-evaluable patients in order; the first crossing of the boundary."""
    dlts = [p.dlt for p in patients if p.dlt is not None][: monitor.max_n]
    ids = [p.subject_id for p in patients if p.dlt is not None][: monitor.max_n]
    table = monitor.boundaries().stop_if_dlt_ge
    crossing = monitor_sequence(monitor, dlts)
    n, y = len(dlts), sum(dlts)
    now = monitor.decide(n, y) if n else None
    if crossing is not None:
        reason = f"boundary crossed by {ids[crossing.n - 1]}: {crossing.reason}"
    elif now is not None:
        reason = now.reason
    else:
        reason = "no DLT-evaluable expansion patient yet"
    return MonitoringStatus(
        prior_a=monitor.prior_a,
        prior_b=monitor.prior_b,
        theta=monitor.theta,
        threshold=monitor.threshold,
        stop_if_dlt_ge=table,
        evaluable=n,
        dlts=y,
        posterior=None if now is None else now.posterior,
        stop_now_if_dlt_ge=table[n - 1] if n else None,
        crossed_at_n=None if crossing is None else crossing.n,
        crossed_with_dlts=None if crossing is None else crossing.dlts,
        crossed_by=None if crossing is None else ids[crossing.n - 1],
        reason=reason,
    )


def _stops_after_stage_one(
    design: SimonDesign, futility_stop: bool, assessed: int, responders: int
) -> bool:
    return futility_stop and assessed == design.n1 and design.stops_for_futility(responders)


def simon_status(
    design: SimonDesign, futility_stop: bool, patients: Sequence[ExpansionPatient]
) -> SimonStatus:
    """Stage 1 reads the first n1 patients in order; the final bound reads the first n."""
    first = [p.responder for p in patients[: design.n1]]
    assessed_first = [r for r in first if r is not None]
    stage_one_responders = sum(assessed_first)
    if len(assessed_first) < design.n1:
        stage_one = (
            f"stage 1 incomplete: {len(assessed_first)} of {design.n1} assessed, "
            f"{stage_one_responders} responding"
        )
    elif design.stops_for_futility(stage_one_responders):
        verdict = "stop for futility" if futility_stop else "futility bound met (not applied)"
        stage_one = f"{stage_one_responders} of {design.n1} responded (<= {design.r1}): {verdict}"
    else:
        stage_one = (
            f"{stage_one_responders} of {design.n1} responded (> {design.r1}): continue to "
            f"{design.n} patients"
        )
    everyone = [p.responder for p in patients[: design.n] if p.responder is not None]
    responders = sum(everyone)
    if _stops_after_stage_one(design, futility_stop, len(assessed_first), stage_one_responders):
        final = "stopped after stage 1: not promising"
    elif len(everyone) < design.n:
        final = (
            f"{design.n - len(everyone)} of {design.n} patients still to be assessed; promising "
            f"if more than {design.r} respond"
        )
    elif design.promising(responders):
        final = f"{responders} of {design.n} responded (> {design.r}): promising"
    else:
        final = f"{responders} of {design.n} responded (<= {design.r}): not promising"
    return SimonStatus(
        design=design,
        futility_stop=futility_stop,
        stage_one_assessed=len(assessed_first),
        stage_one_responders=stage_one_responders,
        stage_one=stage_one,
        assessed=len(everyone),
        responders=responders,
        final=final,
    )


def expansion_review(spec: ExpansionSpec, patients: Sequence[ExpansionPatient]) -> ExpansionReview:
    """The expansion against both rules; ``patients`` in the order their DLT windows closed."""
    simon = spec.response_design
    return ExpansionReview(
        patients=len(patients),
        monitoring=monitoring_status(monitor_of(spec), patients),
        response=None
        if simon is None
        else simon_status(simon_of(simon), simon.futility_stop, patients),
    )


def expansion_patients(
    ds: TrialDataset, responses: Mapping[str, TumourOutcome]
) -> list[ExpansionPatient]:
    """The infused expansion patients of a dataset, in the order their DLT windows closed.

    Every patient has the same DLT window from infusion, so that order is the infusion order
    (ties by subject id). ``responses`` is the response engine's verdict per patient
    (analysis.tumour.assess_responses); a patient without one is not yet assessed (None).
    """
    subjects = ds.subjects
    expansion = subjects.loc[
        (subjects["phase"] == "expansion") & subjects["infusion_date"].notna()
    ].sort_values(["infusion_date", "subject_id"])
    # One look-up table per column (the dataset's key makes subject_id unique there): a .loc per
    # patient cost about a millisecond each, most of the analysis of 10^4 patients.
    verdicts = ds.dlt_evaluations
    evaluable = dict(zip(verdicts["subject_id"], verdicts["evaluable"], strict=True))
    had_dlt = dict(zip(verdicts["subject_id"], verdicts["dlt"], strict=True))
    patients = []
    for subject_id in expansion["subject_id"]:
        dlt: bool | None = None
        if subject_id in evaluable:
            judged = evaluable[subject_id]
            if not pd.isna(judged) and bool(judged):
                dlt = bool(had_dlt[subject_id])
        response = responses.get(subject_id)
        patients.append(
            ExpansionPatient(
                subject_id=str(subject_id),
                dlt=dlt,
                responder=None if response is None else response.bor_confirmed in RESPONSES,
            )
        )
    return patients
