"""iRECIST time-point responses: iUPD, its confirmation as iCPD, the reset (Seymour 2017).

A patient's course is a fold of :func:`step` over the assessments: each step reads what the
assessment shows (:class:`Findings`), decides what it means given the iUPD still open
(:class:`Verdict`), and returns the next frozen :class:`CourseState`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response.baseline import (
    MAX_TARGETS,
    MAX_TARGETS_PER_ORGAN,
    MEASURABLE_MIN_MM,
    NODAL_ORGAN,
    NODE_MEASURABLE_MIN_MM,
)
from hyposti.response.records import (
    Assessment,
    NewLesion,
    NewLesionState,
    NewLesionStatus,
    NonTargetStatus,
    PatientTumourData,
    Response,
    TimePointResponse,
)
from hyposti.response.timepoint import (
    EPS,
    PD_MIN_INCREASE_MM,
    TargetSums,
    baseline_sum_mm,
    confirmed_new_lesion_ids,
    meets_pd,
    new_lesion_status,
    overall_response,
    pct_change,
    study_day,
    target_nodes,
    target_response,
    target_sums,
)

I_CODE = {
    Response.CR: Response.ICR,
    Response.PR: Response.IPR,
    Response.SD: Response.ISD,
    Response.NON_CR_NON_PD: Response.INON_CR_NON_PD,
    Response.PD: Response.IUPD,
    Response.NE: Response.NE,
}
SOURCE = "iRECIST (Seymour 2017)"
FAQ = "EORTC RECIST working group iRECIST FAQ"
MEASURED_CATEGORIES = ("target", "non-target")


@dataclass(frozen=True)
class Pending:
    """An unconfirmed progression (iUPD) and the values its confirmation is measured from."""

    date: dt.date
    study_day: int
    target_sum_mm: float | None
    nlt_sum_mm: float | None
    nlt_ids: frozenset[str]
    categories: frozenset[str]
    known_new: frozenset[str]


@dataclass(frozen=True)
class CourseState:
    """What iRECIST carries from one assessment to the next."""

    nadir_mm: float | None
    nlt_nadir_mm: float | None
    nlt_set_at_nadir: frozenset[str]
    known_new: frozenset[str]
    pending: Pending | None
    confirmed: bool


@dataclass(frozen=True)
class Patient:
    """What stays fixed over one patient's course."""

    data: PatientTumourData
    spec: ResponseSpec
    baseline_mm: float | None
    nlt_first: dict[str, dt.date]
    confirmed_new: frozenset[str]
    target_nodes: dict[str, bool]


@dataclass(frozen=True)
class Findings:
    """What one assessment shows, before the open iUPD (if any) says what it means."""

    day: int
    sums: TargetSums | None
    target: Response | None
    target_note: str
    new_status: NewLesionStatus
    new_note: str
    present: frozenset[str]
    brand_new: tuple[str, ...]
    nlt_ids: frozenset[str]
    nlt_sum_mm: float | None
    nlt_nadir_mm: float | None
    nlnt_up: tuple[str, ...]
    progressed: tuple[str, ...]
    response: Response
    rule: str


@dataclass(frozen=True)
class Verdict:
    """The iRECIST response at one assessment, the iUPD left open, and the iUPD it confirmed."""

    response: Response
    rule: str
    pending: Pending | None
    confirmed_iupd: dt.date | None = None


@dataclass(frozen=True)
class IrecistCourse:
    """iRECIST time points, the iUPD each iCPD confirmed, and the iUPD open after each point."""

    points: list[TimePointResponse]
    confirmed_iupd: dict[int, dt.date]
    open_iupd_after: list[dt.date | None]


def _counts(n: NewLesion, confirmed: frozenset[str]) -> bool:
    """A present new lesion counts if unequivocal, or equivocal and confirmed later (s4.3.5)."""
    return n.state is NewLesionState.PRESENT and (not n.equivocal or n.lesion_id in confirmed)


def new_lesion_targets(data: PatientTumourData) -> dict[str, dt.date]:
    """New lesions measured as 'new lesion target': first 5 measurable, 2 per organ (Seymour 2017).

    Taken in order of first appearance, then as listed; measurable by RECIST 1.1 s3.1 (10 mm,
    nodes 15 mm short axis); an equivocal lesion confirmed later counts from its first scan.
    Returns lesion id -> date it became a new-lesion target.
    """
    confirmed = frozenset(confirmed_new_lesion_ids(data))
    chosen: dict[str, dt.date] = {}
    per_organ: Counter[str] = Counter()
    seen: set[str] = set()
    for a in data.assessments:
        for n in a.new_lesions:
            if n.lesion_id in seen or not _counts(n, confirmed):
                continue
            seen.add(n.lesion_id)
            floor = NODE_MEASURABLE_MIN_MM if n.nodal else MEASURABLE_MIN_MM
            organ = NODAL_ORGAN if n.nodal else n.organ.strip().lower()
            if (
                n.diameter_mm is not None
                and n.diameter_mm >= floor
                and len(chosen) < MAX_TARGETS
                and per_organ[organ] < MAX_TARGETS_PER_ORGAN
            ):
                chosen[n.lesion_id] = a.date
                per_organ[organ] += 1
    return chosen


def _nlt_sum(a: Assessment, ids: frozenset[str]) -> float | None:
    """Sum of new-lesion targets, kept apart from the baseline sum; None if one is unknown."""
    if not ids:
        return None
    by_id = {n.lesion_id: n for n in a.new_lesions}
    total = 0.0
    for lesion_id in ids:
        n = by_id.get(lesion_id)
        if n is None or n.state is NewLesionState.NOT_EVALUATED:
            return None
        if n.state is NewLesionState.PRESENT:
            if n.diameter_mm is None:
                return None
            total += n.diameter_mm
    return total


def observe(patient: Patient, state: CourseState, a: Assessment) -> Findings:
    """Target, non-target and new-lesion findings of one assessment (Seymour 2017, Table 2).

    New lesions are new against those known at the open iUPD (or so far, without one); their
    RECIST 1.1 reading counts only lesions not seen before, so previously identified new
    lesions that are stable or smaller do not by themselves make progression (iRECIST FAQ).
    """
    sums = target_sums(patient.target_nodes, a, patient.spec)
    target: Response | None = None
    target_note = ""
    if sums is not None and patient.baseline_mm is not None and state.nadir_mm is not None:
        target, target_note = target_response(sums, patient.baseline_mm, state.nadir_mm)
    new_status, new_note = new_lesion_status(a, patient.confirmed_new)
    present = frozenset(n.lesion_id for n in a.new_lesions if _counts(n, patient.confirmed_new))
    reference = state.pending.known_new if state.pending is not None else state.known_new
    brand_new = tuple(sorted(present - reference))
    nlt_ids = frozenset(i for i, d in patient.nlt_first.items() if d <= a.date)
    nlt_sum = _nlt_sum(a, nlt_ids)
    # The new-lesion-target nadir restarts whenever the set of new-lesion targets changes.
    nlt_nadir = state.nlt_nadir_mm if nlt_ids == state.nlt_set_at_nadir else None
    by_id = {n.lesion_id: n for n in a.new_lesions}
    nlnt_up = tuple(sorted(i for i in present if by_id[i].increased and i not in nlt_ids))
    progressed = []
    if target is Response.PD:
        progressed.append("target")
    if a.non_target is NonTargetStatus.PD:
        progressed.append("non-target")
    if (
        brand_new
        or nlnt_up
        or (nlt_sum is not None and nlt_nadir is not None and meets_pd(nlt_sum, nlt_nadir))
    ):
        progressed.append("new lesions")
    new_for_recist = NewLesionStatus.UNEQUIVOCAL if brand_new else NewLesionStatus.NONE
    recist, recist_rule = overall_response(target, a.non_target, new_for_recist)
    response, rule = I_CODE[recist], f"{SOURCE} from {recist_rule}"
    if response is Response.ICR and any(n.state is NewLesionState.PRESENT for n in a.new_lesions):
        response, rule = Response.IPR, rule + "; new lesions still present, so iPR not iCR"
    return Findings(
        day=study_day(a.date, patient.data.reference_date),
        sums=sums,
        target=target,
        target_note=target_note,
        new_status=new_status,
        new_note=new_note.lstrip("; "),
        present=present,
        brand_new=brand_new,
        nlt_ids=nlt_ids,
        nlt_sum_mm=nlt_sum,
        nlt_nadir_mm=nlt_nadir,
        nlnt_up=nlnt_up,
        progressed=tuple(progressed),
        response=response,
        rule=rule,
    )


def confirming(p: Pending, a: Assessment, f: Findings) -> list[str]:
    """Each iCPD criterion met against the iUPD's values (Seymour 2017, Table 2 and appendix).

    Measured from the iUPD, not from the previous assessment, so increases since iUPD add up
    across assessments (iRECIST FAQ).
    """
    why = []
    measured = f.sums.measured_sum_mm if f.sums is not None else None
    if (
        measured is not None
        and p.target_sum_mm is not None
        and measured - p.target_sum_mm >= PD_MIN_INCREASE_MM - EPS
    ):
        why.append(f"target sum {measured:g} mm is >= 5 mm above {p.target_sum_mm:g} mm at iUPD")
    if "target" not in p.categories and f.target is Response.PD:
        why.append("target disease now meets RECIST 1.1 PD (a category not progressed at iUPD)")
    if "non-target" in p.categories and a.non_target_increased:
        why.append("further increase in non-target disease")
    if "non-target" not in p.categories and a.non_target is NonTargetStatus.PD:
        why.append("non-target unequivocal progression (a category not progressed at iUPD)")
    if f.brand_new:
        why.append(f"further new lesion(s) {', '.join(f.brand_new)}")
    nlt_sum = _nlt_sum(a, p.nlt_ids)
    if (
        nlt_sum is not None
        and p.nlt_sum_mm is not None
        and nlt_sum - p.nlt_sum_mm >= PD_MIN_INCREASE_MM - EPS
    ):
        why.append(f"new-lesion target sum {nlt_sum:g} mm is >= 5 mm above {p.nlt_sum_mm:g} mm")
    if f.nlnt_up:
        why.append(f"new non-target lesion(s) {', '.join(f.nlnt_up)} increased")
    return why


def _pending_here(a: Assessment, state: CourseState, f: Findings) -> Pending:
    """The iUPD this assessment would open, with the values a confirmation is measured from."""
    return Pending(
        date=a.date,
        study_day=f.day,
        target_sum_mm=f.sums.measured_sum_mm if f.sums else None,
        nlt_sum_mm=f.nlt_sum_mm,
        nlt_ids=f.nlt_ids,
        categories=frozenset(f.progressed or ["new lesions"]),
        known_new=state.known_new | f.present,
    )


def _early(p: Pending, a: Assessment, f: Findings, why: list[str], lo: int) -> Verdict:
    """An assessment less than ``lo`` days after iUPD (iRECIST FAQ on scans within 4 weeks).

    It is disregarded (iUPD stays, neither confirmed nor reset) unless it was an unscheduled
    scan for a new clinical symptom or sign that shows a further new lesion: that confirms
    iCPD. Growth of known lesions on such a scan does not.
    """
    since = f.day - p.study_day
    if a.unscheduled_for_symptoms and f.brand_new:
        return Verdict(
            Response.ICPD,
            f"{FAQ}: unscheduled scan for a new symptom or sign {since} days after the iUPD of "
            f"{p.date} (< {lo}) shows further new lesion(s) {', '.join(f.brand_new)} -> iCPD",
            p,
            p.date,
        )
    seen = f"; {'; '.join(why)} seen" if why else ""
    return Verdict(
        Response.IUPD,
        f"{SOURCE}: stays iUPD ({p.date}); {since} days after iUPD < {lo}{seen}: too early, "
        f"disregarded (neither confirms nor resets; {FAQ})",
        p,
    )


def _with_open_iupd(
    patient: Patient, state: CourseState, p: Pending, a: Assessment, f: Findings
) -> Verdict:
    """iCPD, iUPD kept, a new iUPD, NE, or the bar reset (Seymour 2017, Table 2 and appendix).

    Reading 'while_iupd_persists' (in force): any assessment at least ``irecist_confirm_min_days``
    after iUPD confirms it if a criterion is met. iUPD persists while target or non-target
    disease still meets RECIST 1.1 progression, or the assessment is NE, or new lesions of a
    new-lesion iUPD remain with no further shrinkage of target disease since the iUPD (iRECIST
    FAQ scenarios B and F; Table 2: 'if no change is seen in new lesions, assignment remains
    iUPD'); anything else resets. Reading 'within_max_days': past ``irecist_confirm_max_days``
    no assessment confirms or holds it; one that meets a criterion or progression criteria
    opens a new iUPD, any other resets.
    """
    spec = patient.spec
    since = f.day - p.study_day
    why = confirming(p, a, f)
    lo = spec.irecist_confirm_min_days
    if since < lo:
        return _early(p, a, f, why, lo)
    still_progressed = any(c in f.progressed for c in MEASURED_CATEGORIES)
    hi = spec.irecist_confirm_max_days
    late = spec.irecist_confirmation == "within_max_days" and hi is not None and since > hi
    if late and (why or still_progressed):
        return Verdict(
            Response.IUPD,
            f"{SOURCE}: {since} days after the iUPD of {p.date} (> {hi}, reading "
            "within_max_days): that iUPD stays unconfirmed; progression criteria met -> new iUPD",
            _pending_here(a, state, f),
        )
    if why and not late:
        return Verdict(
            Response.ICPD,
            f"{SOURCE}: iUPD of {p.date} confirmed {since} days later by: {'; '.join(why)} -> iCPD",
            p,
            p.date,
        )
    if still_progressed:
        return Verdict(
            Response.IUPD,
            f"{SOURCE} Table 2: remains iUPD ({p.date}); still meets RECIST 1.1 progression with "
            "no confirming change",
            p,
        )
    if f.response is Response.NE:
        return Verdict(
            Response.NE, f"{SOURCE}: NE; iUPD of {p.date} neither confirmed nor reset", p
        )
    if not late and "new lesions" in p.categories and f.present and not _shrank_since(p, f):
        return Verdict(
            Response.IUPD,
            f"{SOURCE} Table 2: remains iUPD ({p.date}); new lesions still present with no "
            f"confirming change and no further shrinkage of target disease ({FAQ})",
            p,
        )
    return Verdict(
        f.response,
        f"{f.rule}; iUPD of {p.date} not confirmed: the bar resets (progression must meet iUPD "
        "again)",
        None,
    )


def _shrank_since(p: Pending, f: Findings) -> bool:
    """Target disease smaller than at the iUPD: what lets iSD/iPR follow a new-lesion iUPD."""
    total = f.sums.sum_mm if f.sums is not None else None
    return total is not None and p.target_sum_mm is not None and total < p.target_sum_mm - EPS


def decide(patient: Patient, state: CourseState, a: Assessment, f: Findings) -> Verdict:
    """The iRECIST response at one assessment given the iUPD open before it (Seymour 2017)."""
    if state.confirmed:
        return Verdict(f.response, f.rule, state.pending)
    if state.pending is not None:
        return _with_open_iupd(patient, state, state.pending, a, f)
    if f.progressed:
        return Verdict(
            Response.IUPD,
            f"{SOURCE}: RECIST 1.1 progression ({', '.join(f.progressed)}) -> iUPD",
            _pending_here(a, state, f),
        )
    return Verdict(f.response, f.rule, None)


def _time_point(
    patient: Patient, state: CourseState, a: Assessment, f: Findings, v: Verdict
) -> TimePointResponse:
    base, nadir = patient.baseline_mm, state.nadir_mm
    total = f.sums.sum_mm if f.sums else None
    notes = "; ".join(filter(None, (f.target_note, f.new_note)))
    return TimePointResponse(
        date=a.date,
        study_day=f.day,
        sum_mm=total,
        measured_sum_mm=f.sums.measured_sum_mm if f.sums else None,
        nadir_mm=nadir,
        pct_from_baseline=pct_change(total, base),
        pct_from_nadir=pct_change(total, nadir),
        target_response=I_CODE[f.target] if f.target is not None else None,
        non_target_response=a.non_target,
        new_lesions=f.new_status,
        new_lesion_target_sum_mm=f.nlt_sum_mm,
        overall_response=v.response,
        rule=f"{v.rule} ({notes})" if notes else v.rule,
        included=True,
    )


def step(
    patient: Patient, state: CourseState, a: Assessment
) -> tuple[CourseState, TimePointResponse, dt.date | None]:
    """One assessment: its time point, the next state, and the iUPD date it confirmed (if any)."""
    f = observe(patient, state, a)
    v = decide(patient, state, a, f)
    point = _time_point(patient, state, a, f, v)
    total = f.sums.sum_mm if f.sums else None
    nadir = state.nadir_mm
    if total is not None and nadir is not None:
        nadir = min(nadir, total)
    nlt_nadir = f.nlt_nadir_mm
    if f.nlt_sum_mm is not None:
        nlt_nadir = f.nlt_sum_mm if nlt_nadir is None else min(nlt_nadir, f.nlt_sum_mm)
    after = CourseState(
        nadir_mm=nadir,
        nlt_nadir_mm=nlt_nadir,
        nlt_set_at_nadir=f.nlt_ids,
        known_new=state.known_new | f.present,
        pending=v.pending,
        confirmed=state.confirmed or v.confirmed_iupd is not None,
    )
    return after, point, v.confirmed_iupd


def irecist_course(data: PatientTumourData, spec: ResponseSpec) -> IrecistCourse:
    """Every follow-up's iRECIST response (Seymour 2017, Table 2 and appendix) with its rule.

    An equivocal new lesion later seen unequivocally counts from the scan where it was first
    seen, so iUPD (and the progression date) is backdated to it (RECIST 1.1, Eisenhauer 2009
    s4.3.5). Confirmation follows ``spec.irecist_confirmation``.
    """
    base = baseline_sum_mm(data)
    patient = Patient(
        data=data,
        spec=spec,
        baseline_mm=base,
        nlt_first=new_lesion_targets(data),
        confirmed_new=frozenset(confirmed_new_lesion_ids(data)),
        target_nodes=target_nodes(data),
    )
    state = CourseState(base, None, frozenset(), frozenset(), None, False)
    points: list[TimePointResponse] = []
    confirmed: dict[int, dt.date] = {}
    open_after: list[dt.date | None] = []
    for a in data.assessments:
        state, point, confirmed_iupd = step(patient, state, a)
        if confirmed_iupd is not None:
            confirmed[len(points)] = confirmed_iupd
        points.append(point)
        open_after.append(
            state.pending.date if state.pending is not None and not state.confirmed else None
        )
    return IrecistCourse(points, confirmed, open_after)
