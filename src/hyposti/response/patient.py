"""A patient's response course and best response by RECIST 1.1 (Eisenhauer 2009) or iRECIST."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response.baseline import check_patient, validate_baseline
from hyposti.response.best_response import Code, Visit, best_overall_response
from hyposti.response.irecist import irecist_course
from hyposti.response.records import PatientResponse, PatientTumourData, Response, TimePointResponse
from hyposti.response.timepoint import baseline_sum_mm, recist11_time_points

Criteria = Literal["recist11", "irecist"]
DISEASE_AFTER_CR = (Code.PR, Code.SD, Code.NN)

TO_CODE = {
    Response.CR: Code.CR,
    Response.PR: Code.PR,
    Response.SD: Code.SD,
    Response.NON_CR_NON_PD: Code.NN,
    Response.PD: Code.PD,
    Response.NE: Code.NE,
    Response.ICR: Code.CR,
    Response.IPR: Code.PR,
    Response.ISD: Code.SD,
    Response.INON_CR_NON_PD: Code.NN,
    Response.IUPD: Code.UPD,
    Response.ICPD: Code.PD,
}
FROM_CODE = {
    "recist11": {
        Code.CR: Response.CR,
        Code.PR: Response.PR,
        Code.SD: Response.SD,
        Code.NN: Response.NON_CR_NON_PD,
        Code.PD: Response.PD,
        Code.NE: Response.NE,
        Code.MISSING: Response.MISSING,
    },
    "irecist": {
        Code.CR: Response.ICR,
        Code.PR: Response.IPR,
        Code.SD: Response.ISD,
        Code.NN: Response.INON_CR_NON_PD,
        Code.UPD: Response.IUPD,
        Code.PD: Response.ICPD,
        Code.NE: Response.NE,
        Code.MISSING: Response.MISSING,
    },
}


def disease_after_cr_flag(cr_date: dt.date, response: str, on: dt.date, reading: str) -> str:
    """The data-quality flag for disease seen after a CR (RECIST 1.1 Table 3 note a)."""
    return (
        f"CR on {cr_date} followed by {response} on {on}: usually a data problem, query the "
        f"radiology (RECIST 1.1 Table 3 note a); reading {reading}"
    )


def recode_disease_after_cr(
    points: list[TimePointResponse], spec: ResponseSpec, criteria: Criteria
) -> tuple[list[TimePointResponse], list[str]]:
    """Flag disease seen after a CR and apply the protocol's reading (RECIST 1.1 Table 3 note a).

    A PR, SD or non-CR/non-PD after a CR: 'reappearance_is_pd' makes it PD (rows CR/PR and CR/SD
    then give SD if the minimum SD duration is met, otherwise PD); 'first_cr_was_pr' makes the
    earlier CRs PR (row CR/PR then gives PR). iRECIST time points are flagged only: an iUPD
    must arise from the iRECIST rules themselves.
    """
    cr_dates = [p.date for p in points if TO_CODE[p.overall_response] is Code.CR]
    if not cr_dates:
        return points, []
    after = [
        p
        for p in points
        if TO_CODE[p.overall_response] in DISEASE_AFTER_CR and p.date > cr_dates[0]
    ]
    if not after:
        return points, []
    first = after[0]
    flag = disease_after_cr_flag(
        cr_dates[0],
        first.overall_response.value,
        first.date,
        spec.cr_followed_by_pr if criteria == "recist11" else "none (iRECIST: flag only)",
    )
    if criteria != "recist11":
        return points, [flag]
    out = []
    for p in points:
        code = TO_CODE[p.overall_response]
        if (
            spec.cr_followed_by_pr == "reappearance_is_pd"
            and code in DISEASE_AFTER_CR
            and p.date > cr_dates[0]
        ):
            p = p.model_copy(
                update={
                    "overall_response": Response.PD,
                    "rule": f"{p.rule}; disease seen after the CR of {cr_dates[0]} -> PD "
                    "(Table 3 note a, reading reappearance_is_pd)",
                }
            )
        elif (
            spec.cr_followed_by_pr == "first_cr_was_pr" and code is Code.CR and p.date < first.date
        ):
            # Without target disease a CR that was not one is non-CR/non-PD (Table 2).
            was = Response.PR if p.target_response is not None else Response.NON_CR_NON_PD
            p = p.model_copy(
                update={
                    "overall_response": was,
                    "rule": f"{p.rule}; disease on {first.date} shows it was still present -> "
                    f"{was.value} (Table 3 note a, reading first_cr_was_pr)",
                }
            )
        out.append(p)
    return out, [flag]


def _exclusions(
    points: list[TimePointResponse], therapy: dt.date | None
) -> list[TimePointResponse]:
    """Keep time points up to the first (confirmed) progression and before new therapy (s4.4.3)."""
    out = []
    stop: str | None = None
    for p in points:
        reason = stop
        if reason is None and therapy is not None and p.date > therapy:
            reason = f"after new anticancer therapy started on {therapy}"
        out.append(
            p
            if reason is None
            else p.model_copy(update={"included": False, "excluded_because": reason})
        )
        if stop is None and reason is None and TO_CODE[p.overall_response] is Code.PD:
            stop = f"after progression on {p.date}"
    return out


def assess_patient(
    data: PatientTumourData, spec: ResponseSpec, criteria: Criteria = "recist11"
) -> PatientResponse:
    """Time points, best overall response and endpoint dates for one patient.

    RECIST 1.1 (Eisenhauer 2009 Tables 1-3) or iRECIST (Seymour 2017). Assessments after the
    first PD (iCPD) or after new anticancer therapy starts are shown but excluded. A CR followed by
    a PR is flagged and read as the protocol says (``spec.cr_followed_by_pr``).
    """
    check_patient(data)
    problems = validate_baseline(data)
    if criteria == "irecist":
        course = irecist_course(data, spec)
        points = course.points
    else:
        points = recist11_time_points(data, spec)
    points, flags = recode_disease_after_cr(points, spec, criteria)
    points = _exclusions(points, data.new_anticancer_therapy_date)
    has_targets = any(lesion.target for lesion in data.lesions)
    visits = [Visit(p.date, p.study_day, TO_CODE[p.overall_response]) for p in points if p.included]
    best = best_overall_response(visits, spec, target_disease=has_targets)
    included = [(i, p) for i, p in enumerate(points) if p.included]

    progression: dt.date | None = None
    open_iupd: dt.date | None = None
    pd_index = next((i for i, p in included if TO_CODE[p.overall_response] is Code.PD), None)
    if pd_index is not None:
        progression = points[pd_index].date
        if criteria == "irecist":
            progression = course.confirmed_iupd.get(pd_index, progression)
    elif criteria == "irecist" and included:
        open_iupd = course.open_iupd_after[included[-1][0]]
    adequate = [p.date for _, p in included if p.overall_response is not Response.NE]
    pcts = [p.pct_from_baseline for _, p in included if p.pct_from_baseline is not None]
    names = FROM_CODE[criteria]
    return PatientResponse(
        patient_id=data.patient_id,
        criteria=criteria,
        baseline_sum_mm=baseline_sum_mm(data),
        baseline_problems=problems,
        time_points=points,
        bor_confirmed=names[best.confirmed],
        bor_confirmed_reason=best.confirmed_reason,
        bor_unconfirmed=names[best.unconfirmed],
        bor_unconfirmed_reason=best.unconfirmed_reason,
        bor_confirmed_date=best.confirmed_date,
        bor_unconfirmed_date=best.unconfirmed_date,
        first_response_date=best.first_response_date,
        response_confirmed_date=best.response_confirmed_date,
        first_unconfirmed_response_date=best.first_unconfirmed_response_date,
        progression_date=progression,
        unconfirmed_progression_date=open_iupd,
        last_adequate_assessment_date=adequate[-1] if adequate else None,
        best_pct_change=min(pcts) if pcts else None,
        data_quality_flags=flags
        + [f"baseline: {p.rule} [{', '.join(p.lesion_ids)}]" for p in problems],
    )
