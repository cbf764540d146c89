"""The RECIST 1.1 response at each assessment (Eisenhauer 2009 s4.3, s4.4, Tables 1 and 2)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Set
from dataclasses import dataclass

from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response.records import (
    Assessment,
    LesionMeasurement,
    NewLesionStatus,
    NonTargetStatus,
    PatientTumourData,
    Response,
    TargetState,
    TimePointResponse,
)

# The thresholds and size rules live in ``thresholds``; named here too because iRECIST imports them
# from this module.
from hyposti.response.thresholds import EPS as EPS
from hyposti.response.thresholds import PD_MIN_INCREASE_MM as PD_MIN_INCREASE_MM
from hyposti.response.thresholds import meets_pd as meets_pd
from hyposti.response.thresholds import meets_pr as meets_pr
from hyposti.response.thresholds import target_gone


@dataclass(frozen=True)
class TargetSums:
    """Target lesions at one assessment: their sum, whether complete, whether all normal/gone."""

    sum_mm: float | None
    measured_sum_mm: float | None
    complete: bool
    all_gone: bool


def lesion_value_mm(m: LesionMeasurement, spec: ResponseSpec) -> float | None:
    """One target's contribution to the sum (RECIST 1.1, Eisenhauer 2009 s4.3.2 special notes)."""
    if m.state is TargetState.MEASURED:
        # Split lesion: the fragments' longest diameters are added together (s4.3.2).
        return float(m.diameter_mm) if m.diameter_mm is not None else float(sum(m.fragments_mm))
    if m.state is TargetState.TOO_SMALL:
        return spec.too_small_to_measure_mm
    if m.state in (TargetState.DISAPPEARED, TargetState.MERGED):
        # A coalesced lesion's diameter is recorded on the lesion it merged into (s4.3.2).
        return 0.0
    return None


def baseline_sum_mm(data: PatientTumourData) -> float | None:
    """Sum of target longest diameters, short axes for nodes (RECIST 1.1 s4.2)."""
    targets = [lesion for lesion in data.lesions if lesion.target]
    if not targets:
        return None
    return float(sum(float(t.diameter_mm or 0.0) for t in targets))


def target_nodes(data: PatientTumourData) -> dict[str, bool]:
    """Each baseline target's id and whether it is a node (its CR test differs, s4.3.1)."""
    return {lesion.lesion_id: lesion.nodal for lesion in data.lesions if lesion.target}


def target_sums(nodes: dict[str, bool], a: Assessment, spec: ResponseSpec) -> TargetSums | None:
    """Sum of diameters at a follow-up; CR needs non-nodal targets gone, nodes < 10 mm (s4.3.1).

    ``nodes`` is :func:`target_nodes` of the patient (found once, not at every assessment);
    ``a`` has passed ``check_patient``: one entry per baseline target.
    """
    if not nodes:
        return None
    measured = 0.0
    known = 0
    all_gone = True
    for m in a.targets:
        value = lesion_value_mm(m, spec)
        if value is not None:
            measured += value
            known += 1
            all_gone = all_gone and target_gone(value, nodes[m.lesion_id])
    complete = known == len(a.targets)
    measured_sum = measured if known else None
    return TargetSums(
        sum_mm=measured_sum if complete else None,
        measured_sum_mm=measured_sum,
        complete=complete,
        all_gone=complete and all_gone,
    )


def pct_change(value: float | None, reference: float | None) -> float | None:
    """100 x (value - reference) / reference; None when either is unknown or the reference is 0."""
    if value is None or reference is None or reference == 0.0:
        return None
    return 100.0 * (value - reference) / reference


def target_response(sums: TargetSums, baseline_mm: float, nadir_mm: float) -> tuple[Response, str]:
    """Target response CR/PR/SD/PD/NE (RECIST 1.1 s4.3.1; NE per s4.4.2)."""
    if sums.measured_sum_mm is not None and meets_pd(sums.measured_sum_mm, nadir_mm):
        if sums.complete:
            return Response.PD, (
                f"target PD: sum {sums.measured_sum_mm:g} mm >= 20% and >= 5 mm above nadir "
                f"{nadir_mm:g} mm"
            )
        return Response.PD, (
            f"target PD although not all targets evaluated: the evaluated ones alone sum to "
            f"{sums.measured_sum_mm:g} mm, >= 20% and >= 5 mm above nadir {nadir_mm:g} mm "
            "(s4.4.2)"
        )
    if not sums.complete or sums.sum_mm is None:
        return Response.NE, "target NE: not all target lesions evaluated (s4.4.2)"
    if sums.all_gone:
        return Response.CR, "target CR: non-nodal targets gone, every target node < 10 mm"
    if meets_pr(sums.sum_mm, baseline_mm):
        return Response.PR, f"target PR: sum {sums.sum_mm:g} mm >= 30% below baseline"
    return Response.SD, "target SD: neither PR nor PD"


#: How a time point's rule names its new-lesion finding.
NEW_LESION_TEXT = {
    NewLesionStatus.NONE: "no new lesion",
    NewLesionStatus.EQUIVOCAL: "equivocal new lesion only (not PD until confirmed)",
    NewLesionStatus.UNEQUIVOCAL: "unequivocal new lesion",
}
#: RECIST 1.1 Table 2: the response without target disease, short of progression.
NON_TARGET_ONLY = {
    NonTargetStatus.CR: Response.CR,
    NonTargetStatus.NON_CR_NON_PD: Response.NON_CR_NON_PD,
    NonTargetStatus.NE: Response.NE,
}


def overall_response(
    target: Response | None, non_target: NonTargetStatus | None, new: NewLesionStatus
) -> tuple[Response, str]:
    """Overall time-point response (RECIST 1.1, Eisenhauer 2009 Table 1; Table 2 if no targets)."""
    return _table_1_or_2(target, non_target, new)


# The answer and its words depend on the three findings alone, a hundred-odd combinations, and
# every time point of every patient asks. ``typed``: a plain string is not taken for the status
# it equals (StrEnum), so it fails as it would uncached. The cache sits behind overall_response so
# that its callers keep a typed signature (an lru_cache wrapper takes any arguments).
@functools.lru_cache(maxsize=None, typed=True)
def _table_1_or_2(
    target: Response | None, non_target: NonTargetStatus | None, new: NewLesionStatus
) -> tuple[Response, str]:
    t = target.value if target is not None else "none"
    n = non_target.value if non_target is not None else "none"
    new_text = NEW_LESION_TEXT[new]
    if target is None:
        table = "RECIST 1.1 Table 2 (non-target disease only)"
        if non_target is NonTargetStatus.PD:
            return Response.PD, f"{table}: non-target unequivocal PD -> PD"
        if new is NewLesionStatus.UNEQUIVOCAL:
            return Response.PD, f"{table}: {new_text} -> PD"
        result = NON_TARGET_ONLY[non_target or NonTargetStatus.NE]
        return result, f"{table}: non-target {n}, {new_text} -> {result.value}"
    table = "RECIST 1.1 Table 1"
    if target is Response.PD:
        return Response.PD, f"{table}: target PD, any non-target, any new lesion -> PD"
    if non_target is NonTargetStatus.PD:
        return Response.PD, f"{table}: any target, non-target PD -> PD"
    if new is NewLesionStatus.UNEQUIVOCAL:
        return Response.PD, f"{table}: any target, any non-target, {new_text} -> PD"
    if target is Response.CR:
        # Without non-target disease the 'non-target CR' condition holds vacuously.
        result = Response.CR if non_target in (NonTargetStatus.CR, None) else Response.PR
    else:
        result = target
    return result, f"{table}: target {t}, non-target {n}, {new_text} -> {result.value}"


def confirmed_new_lesion_ids(data: PatientTumourData) -> set[str]:
    """New lesions seen unequivocally at some time (RECIST 1.1 s4.3.5: PD dates to first scan)."""
    return {n.lesion_id for a in data.assessments for n in a.new_lesions if not n.equivocal}


def new_lesion_status(a: Assessment, confirmed: Set[str]) -> tuple[NewLesionStatus, str]:
    """Unequivocal, equivocal or no new lesion; one confirmed later counts from its first scan."""
    present = [n for n in a.new_lesions if n.state.value == "present"]
    backdated = [n.lesion_id for n in present if n.equivocal and n.lesion_id in confirmed]
    if any(not n.equivocal for n in present) or backdated:
        note = (
            f"; equivocal new lesion {', '.join(backdated)} confirmed later: PD dated to this "
            "scan (RECIST 1.1 s4.3.5)"
            if backdated
            else ""
        )
        return NewLesionStatus.UNEQUIVOCAL, note
    if present:
        return NewLesionStatus.EQUIVOCAL, ""
    return NewLesionStatus.NONE, ""


def study_day(date: dt.date, reference: dt.date) -> int:
    """Days since the infusion, study day 0 being the infusion day."""
    return (date - reference).days


def recist11_time_points(data: PatientTumourData, spec: ResponseSpec) -> list[TimePointResponse]:
    """Every follow-up's RECIST 1.1 response with the rule that decided it (Tables 1 and 2)."""
    base = baseline_sum_mm(data)
    nadir = base
    confirmed = confirmed_new_lesion_ids(data)
    nodes = target_nodes(data)
    points = []
    for a in data.assessments:
        sums = target_sums(nodes, a, spec)
        t_resp: Response | None = None
        t_note = ""
        if sums is not None and base is not None and nadir is not None:
            t_resp, t_note = target_response(sums, base, nadir)
        new, new_note = new_lesion_status(a, confirmed)
        overall, rule = overall_response(t_resp, a.non_target, new)
        detail = "; ".join(filter(None, (t_note, new_note.lstrip("; "))))
        points.append(
            TimePointResponse(
                date=a.date,
                study_day=study_day(a.date, data.reference_date),
                sum_mm=sums.sum_mm if sums else None,
                measured_sum_mm=sums.measured_sum_mm if sums else None,
                nadir_mm=nadir,
                pct_from_baseline=pct_change(sums.sum_mm if sums else None, base),
                pct_from_nadir=pct_change(sums.sum_mm if sums else None, nadir),
                target_response=t_resp,
                non_target_response=a.non_target,
                new_lesions=new,
                overall_response=overall,
                rule=f"{rule} ({detail})" if detail else rule,
                included=True,
            )
        )
        if sums is not None and sums.sum_mm is not None and nadir is not None:
            nadir = min(nadir, sums.sum_mm)
    return points
