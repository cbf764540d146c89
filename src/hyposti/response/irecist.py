"""iRECIST time-point responses: iUPD, its confirmation as iCPD, the reset (Seymour 2017)."""

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
    meets_pd,
    overall_response,
    pct_change,
    study_day,
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
class IrecistCourse:
    """iRECIST time points, the iUPD each iCPD confirmed, and the iUPD open after each point."""

    points: list[TimePointResponse]
    confirmed_iupd: dict[int, dt.date]
    open_iupd_after: list[dt.date | None]


def new_lesion_targets(data: PatientTumourData) -> dict[str, dt.date]:
    """New lesions measured as 'new lesion target': first 5 measurable, 2 per organ (Seymour 2017).

    Taken in order of first appearance, then as listed; measurable by RECIST 1.1 s3.1 (10 mm,
    nodes 15 mm short axis). Returns lesion id -> date it became a new-lesion target.
    """
    chosen: dict[str, dt.date] = {}
    per_organ: Counter[str] = Counter()
    seen: set[str] = set()
    for a in data.assessments:
        for n in a.new_lesions:
            if n.lesion_id in seen or n.equivocal or n.state is not NewLesionState.PRESENT:
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


def irecist_course(data: PatientTumourData, spec: ResponseSpec) -> IrecistCourse:
    """Every follow-up's iRECIST response (Seymour 2017, Table 2 and appendix) with its rule.

    Readings: an assessment earlier than ``irecist_confirm_min_days`` after iUPD neither confirms
    nor resets it; one later than ``irecist_confirm_max_days`` cannot confirm it (a new iUPD if
    progression criteria are met). Previously identified new lesions that are stable or smaller
    do not by themselves hold iUPD (recist.eortc.org iRECIST FAQ). Equivocal new lesions are not
    counted until seen unequivocally.
    """
    base = baseline_sum_mm(data)
    nadir = base
    nlt_first = new_lesion_targets(data)
    nlt_nadir: float | None = None
    nlt_set_at_nadir: frozenset[str] = frozenset()
    known: set[str] = set()
    pending: Pending | None = None
    done = False
    lo, hi = spec.irecist_confirm_min_days, spec.irecist_confirm_max_days
    points: list[TimePointResponse] = []
    confirmed: dict[int, dt.date] = {}
    open_after: list[dt.date | None] = []

    for a in data.assessments:
        day = study_day(a.date, data.reference_date)
        sums = target_sums(data, a, spec)
        t_resp: Response | None = None
        t_note = ""
        if sums is not None and base is not None and nadir is not None:
            t_resp, t_note = target_response(sums, base, nadir)
        present = [
            n for n in a.new_lesions if n.state is NewLesionState.PRESENT and not n.equivocal
        ]
        reference_known = pending.known_new if pending is not None else frozenset(known)
        brand_new = sorted(n.lesion_id for n in present if n.lesion_id not in reference_known)
        nlt_ids = frozenset(i for i, d in nlt_first.items() if d <= a.date)
        nlt_sum = _nlt_sum(a, nlt_ids)
        if nlt_ids != nlt_set_at_nadir:
            nlt_nadir, nlt_set_at_nadir = None, nlt_ids
        nlnt_up = sorted(n.lesion_id for n in present if n.increased and n.lesion_id not in nlt_ids)
        nt = a.non_target

        progressed: list[str] = []
        if t_resp is Response.PD:
            progressed.append("target")
        if nt is NonTargetStatus.PD:
            progressed.append("non-target")
        if (
            brand_new
            or nlnt_up
            or (nlt_sum is not None and nlt_nadir is not None and meets_pd(nlt_sum, nlt_nadir))
        ):
            progressed.append("new lesions")

        new_status = NewLesionStatus.UNEQUIVOCAL if brand_new else NewLesionStatus.NONE
        recist, recist_rule = overall_response(t_resp, nt, new_status)
        response, rule = I_CODE[recist], f"{SOURCE} from {recist_rule}"
        if response is Response.ICR and any(
            n.state is NewLesionState.PRESENT for n in a.new_lesions
        ):
            response, rule = Response.IPR, rule + "; new lesions still present, so iPR not iCR"

        here = Pending(
            date=a.date,
            study_day=day,
            target_sum_mm=sums.measured_sum_mm if sums else None,
            nlt_sum_mm=nlt_sum,
            nlt_ids=nlt_ids,
            categories=frozenset(progressed or ["new lesions"]),
            known_new=frozenset(known | {n.lesion_id for n in present}),
        )

        if done:
            pass
        elif pending is None:
            if progressed:
                response = Response.IUPD
                rule = f"{SOURCE}: RECIST 1.1 progression ({', '.join(progressed)}) -> iUPD"
                pending = here
        else:
            since = day - pending.study_day
            why = _confirming(
                pending,
                sums,
                t_resp,
                nt,
                a.non_target_increased,
                brand_new,
                _nlt_sum(a, pending.nlt_ids),
                nlnt_up,
            )
            if why and since < lo:
                response = Response.IUPD
                rule = (
                    f"{SOURCE}: stays iUPD ({pending.date}); {'; '.join(why)} but {since} days "
                    f"after iUPD < {lo}: too early to confirm"
                )
            elif why and since <= hi:
                response = Response.ICPD
                rule = (
                    f"{SOURCE}: iUPD of {pending.date} confirmed {since} days later "
                    f"({lo}-{hi}) by: {'; '.join(why)} -> iCPD"
                )
                confirmed[len(points)] = pending.date
                done = True
            elif why or (
                since > hi and progressed and ("target" in progressed or "non-target" in progressed)
            ):
                response = Response.IUPD
                rule = (
                    f"{SOURCE}: {since} days after the iUPD of {pending.date} (> {hi}): that "
                    f"iUPD stays unconfirmed; progression criteria met -> new iUPD"
                )
                pending = here
            elif since < lo:
                response = Response.IUPD
                rule = (
                    f"{SOURCE}: stays iUPD ({pending.date}); {since} days after iUPD < {lo}: "
                    "neither confirms nor resets"
                )
            elif "target" in progressed or "non-target" in progressed:
                response = Response.IUPD
                rule = (
                    f"{SOURCE} Table 2: remains iUPD ({pending.date}); still meets RECIST 1.1 "
                    "progression with no confirming change"
                )
            elif response is Response.NE:
                rule = f"{SOURCE}: NE; iUPD of {pending.date} neither confirmed nor reset"
            else:
                rule = (
                    f"{rule}; iUPD of {pending.date} not confirmed: the bar resets "
                    "(progression must meet iUPD again)"
                )
                pending = None
        if t_note:
            rule = f"{rule} ({t_note})"
        known |= {n.lesion_id for n in present}

        points.append(
            TimePointResponse(
                date=a.date,
                study_day=day,
                sum_mm=sums.sum_mm if sums else None,
                measured_sum_mm=sums.measured_sum_mm if sums else None,
                nadir_mm=nadir,
                pct_from_baseline=pct_change(sums.sum_mm if sums else None, base),
                pct_from_nadir=pct_change(sums.sum_mm if sums else None, nadir),
                target_response=I_CODE[t_resp] if t_resp is not None else None,
                non_target_response=nt,
                new_lesions=(
                    NewLesionStatus.UNEQUIVOCAL
                    if present
                    else NewLesionStatus.EQUIVOCAL
                    if any(n.state is NewLesionState.PRESENT for n in a.new_lesions)
                    else NewLesionStatus.NONE
                ),
                new_lesion_target_sum_mm=nlt_sum,
                overall_response=response,
                rule=rule,
                included=True,
            )
        )
        open_after.append(pending.date if pending is not None and not done else None)
        if sums is not None and sums.sum_mm is not None and nadir is not None:
            nadir = min(nadir, sums.sum_mm)
        if nlt_sum is not None:
            nlt_nadir = nlt_sum if nlt_nadir is None else min(nlt_nadir, nlt_sum)
    return IrecistCourse(points, confirmed, open_after)


def _confirming(
    pending: Pending,
    sums: TargetSums | None,
    t_resp: Response | None,
    nt: NonTargetStatus | None,
    nt_increased: bool,
    brand_new: list[str],
    nlt_sum: float | None,
    nlnt_up: list[str],
) -> list[str]:
    """Each iCPD criterion met relative to the iUPD (Seymour 2017, Table 2 and its appendix)."""
    why = []
    measured = sums.measured_sum_mm if sums is not None else None
    if (
        measured is not None
        and pending.target_sum_mm is not None
        and measured - pending.target_sum_mm >= PD_MIN_INCREASE_MM - EPS
    ):
        why.append(
            f"target sum {measured:g} mm is >= 5 mm above {pending.target_sum_mm:g} mm at iUPD"
        )
    if "target" not in pending.categories and t_resp is Response.PD:
        why.append("target disease now meets RECIST 1.1 PD (a category not progressed at iUPD)")
    if "non-target" in pending.categories and nt_increased:
        why.append("further increase in non-target disease")
    if "non-target" not in pending.categories and nt is NonTargetStatus.PD:
        why.append("non-target unequivocal progression (a category not progressed at iUPD)")
    if brand_new:
        why.append(f"further new lesion(s) {', '.join(brand_new)}")
    if (
        nlt_sum is not None
        and pending.nlt_sum_mm is not None
        and nlt_sum - pending.nlt_sum_mm >= PD_MIN_INCREASE_MM - EPS
    ):
        why.append(
            f"new-lesion target sum {nlt_sum:g} mm is >= 5 mm above {pending.nlt_sum_mm:g} mm"
        )
    if nlnt_up:
        why.append(f"new non-target lesion(s) {', '.join(nlnt_up)} increased")
    return why
