"""Best overall response, confirmed or not (RECIST 1.1, Eisenhauer 2009 s4.4.3, s4.6, Table 3).

The options RECIST 1.1 leaves open are named as pharmaverse admiralonco names them
(``derive_param_bor``, ``derive_param_confirmed_bor``): ``max_nr_ne``, ``accept_sd``,
``missing_as_ne`` and its rule that no PR may follow a CR within a PR's confirmation period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hyposti.protocol.response_spec import ResponseSpec


class Code(StrEnum):
    """A time-point response as the best-response rules see it; UPD is iRECIST's iUPD."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    NN = "NON-CR/NON-PD"
    UPD = "iUPD"
    PD = "PD"
    NE = "NE"
    MISSING = "MISSING"


@dataclass(frozen=True)
class Visit:
    """One included time point: its date, study day and response code."""

    date: dt.date
    study_day: int
    code: Code


@dataclass(frozen=True)
class Reading:
    """One best response, the assessment it is read from (ADaM's ADT) and why."""

    code: Code
    date: dt.date | None
    reason: str


@dataclass(frozen=True)
class BestResponse:
    """Best overall response, confirmed and unconfirmed, with the dates the endpoints need."""

    confirmed: Code
    confirmed_reason: str
    unconfirmed: Code
    unconfirmed_reason: str
    first_response_date: dt.date | None
    response_confirmed_date: dt.date | None
    first_unconfirmed_response_date: dt.date | None
    confirmed_date: dt.date | None
    unconfirmed_date: dt.date | None


# What may confirm a response, and what may lie between it and its confirmation: RECIST 1.1
# Table 3 rows CR/CR -> CR, PR/CR -> PR, PR/PR -> PR (s4.6: 'criteria met again').
CONFIRMS = {Code.CR: (Code.CR,), Code.PR: (Code.CR, Code.PR)}


def confirmation_of(visits: Sequence[Visit], i: int, spec: ResponseSpec) -> int | None:
    """Index of the assessment confirming the CR/PR at ``i`` (RECIST 1.1 s4.6, Table 3), or None.

    Between the two, responses at least as good may occur, and at most
    ``max_ne_between_response_and_confirmation`` NE; for a PR, one SD if
    ``accept_sd_between_pr_and_confirmation``. Anything else (PD, iUPD, a worse response)
    breaks the confirmation; so does a PR after a CR, the confirming one included, when
    ``pr_after_cr_breaks_confirmation`` (admiralonco ``derive_param_confirmed_bor``).
    """
    first = visits[i]
    needed = CONFIRMS[first.code]
    ne = sd = 0
    cr_seen = False
    for j in range(i + 1, len(visits)):
        v = visits[j]
        if v.code is Code.PR and cr_seen and spec.pr_after_cr_breaks_confirmation:
            return None
        cr_seen = cr_seen or v.code is Code.CR
        if v.code in needed:
            if v.study_day - first.study_day >= spec.confirmation_min_days:
                return j
            continue
        if v.code is Code.NE and ne < spec.max_ne_between_response_and_confirmation:
            ne += 1
            continue
        if (
            v.code is Code.SD
            and first.code is Code.PR
            and spec.accept_sd_between_pr_and_confirmation
            and sd == 0
        ):
            sd = 1
            continue
        return None
    return None


def _fallback_reading(code: Code, visit: Visit, spec: ResponseSpec) -> Reading:
    """The fallback best response in words: SD or non-CR/non-PD from its time point, PD or iUPD
    from the first such time point, NE from the first time point (RECIST 1.1 s4.4.3)."""
    if code in (Code.SD, Code.NN):
        return Reading(
            code,
            visit.date,
            f"{code.value}: {visit.code.value} on {visit.date} (study day {visit.study_day} >= "
            f"{spec.min_sd_days}) meets the minimum SD duration",
        )
    short = f"no time point meets SD criteria on or after study day {spec.min_sd_days}"
    if code in (Code.PD, Code.UPD):
        return Reading(code, visit.date, f"{code.value} on {visit.date}; {short}")
    return Reading(Code.NE, visit.date, f"NE: {short} and no progression")


def fallback_ranks(target_disease: bool) -> tuple[tuple[Code, tuple[Code, ...]], ...]:
    """The minimum-duration fallback's ranks: each best response and the codes counting for it.

    A CR, PR or SD on or after study day ``min_sd_days`` is SD (non-CR/non-PD without target
    disease, Table 2); a non-CR/non-PD time point is non-CR/non-PD (admiralonco's order: CR, PR,
    SD, NON-CR/NON-PD, PD, NE).
    """
    responding = (Code.CR, Code.PR, Code.SD)
    if target_disease:
        return ((Code.SD, responding), (Code.NN, (Code.NN,)))
    return ((Code.NN, (*responding, Code.NN)),)


def _fallback(
    visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool
) -> tuple[Code, int]:
    """SD, else non-CR/non-PD, from the minimum SD day on; else PD, iUPD; else NE (s4.4.3, s4.6):
    the code and the visit it is read from (the first of that kind; the first visit for NE).
    Time points before the minimum SD day count as NE for SD."""
    late = [i for i, v in enumerate(visits) if v.study_day >= spec.min_sd_days]
    for code, counted in fallback_ranks(target_disease):
        hit = next((i for i in late if visits[i].code in counted), None)
        if hit is not None:
            return code, hit
    for code in (Code.PD, Code.UPD):
        found = next((i for i, v in enumerate(visits) if v.code is code), None)
        if found is not None:
            return code, found
    return Code.NE, 0


@dataclass(frozen=True)
class Choice:
    """The time points the best-response rules read, as indices into the ``count`` included
    visits (None: no such visit); :func:`explain` turns them into the best response and its
    reasons. The per-patient rules (:func:`choose`) and the trial-wide vectorised engine
    (``hyposti.response.trial``) both make one."""

    count: int
    fallback_code: Code
    fallback: int
    response: int | None
    best: int | None
    confirmed_first: tuple[int, int] | None
    confirmed_best: tuple[int, int] | None


def choose(visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool) -> Choice:
    """Where each reading comes from (RECIST 1.1, Eisenhauer 2009 s4.6, Table 3): the
    minimum-duration fallback, the first CR/PR, the first CR else PR, the first confirmed response
    and the first confirmed CR (else that response)."""
    responses = [i for i, v in enumerate(visits) if v.code in CONFIRMS]
    best = next(
        (i for code in (Code.CR, Code.PR) for i, v in enumerate(visits) if v.code is code), None
    )
    pairs = []
    if spec.confirmation_required:
        for i in responses:
            j = confirmation_of(visits, i, spec)
            if j is not None:
                pairs.append((i, j))
    fallback_code, fallback = _fallback(visits, spec, target_disease)
    return Choice(
        count=len(visits),
        fallback_code=fallback_code,
        fallback=fallback,
        response=responses[0] if responses else None,
        best=best,
        confirmed_first=pairs[0] if pairs else None,
        confirmed_best=next((p for p in pairs if visits[p[0]].code is Code.CR), pairs[0])
        if pairs
        else None,
    )


def _pair_text(first: Visit, nxt: Visit | None) -> str:
    """The Table 3 row a response and its next assessment fall in."""
    after = f"{nxt.code.value} on {nxt.date}" if nxt else "no later assessment"
    return f"{first.code.value} on {first.date} then {after} (Table 3 row {first.code.value}/" + (
        f"{nxt.code.value})" if nxt else "-)"
    )


def no_assessment(spec: ResponseSpec) -> BestResponse:
    """MISSING, or NE with ``missing_as_ne`` (admiralonco ``derive_param_bor``)."""
    code = Code.NE if spec.missing_as_ne else Code.MISSING
    reason = (
        f"{code.value}: no assessment counts towards best response (reading "
        f"missing_as_ne={str(spec.missing_as_ne).lower()})"
    )
    return BestResponse(code, reason, code, reason, None, None, None, None, None)


def explain(choice: Choice, visit: Callable[[int], Visit], spec: ResponseSpec) -> BestResponse:
    """The best response, confirmed and unconfirmed, with its reasons, from the time points
    ``choice`` names (``visit(i)`` is the i-th included visit; there is at least one) (RECIST 1.1,
    Eisenhauer 2009 s4.6, Table 3)."""
    first_any = None if choice.response is None else visit(choice.response).date
    best_c = _fallback_reading(choice.fallback_code, visit(choice.fallback), spec)
    if choice.best is None:
        best_u = best_c
    else:
        hit = visit(choice.best)
        best_u = Reading(
            hit.code, hit.date, f"{hit.code.value} on {hit.date} (no confirmation needed)"
        )
    if not spec.confirmation_required:
        return BestResponse(
            best_u.code, f"{best_u.reason}; the protocol does not require confirmation",
            best_u.code, best_u.reason, first_any, None, first_any, best_u.date, best_u.date,
        )  # fmt: skip
    if choice.confirmed_first is not None and choice.confirmed_best is not None:
        bi, bj = (visit(i) for i in choice.confirmed_best)
        code = bi.code
        reason = (
            f"{code.value} on {bi.date} confirmed by {bj.code.value} on {bj.date} "
            f"({bj.study_day - bi.study_day} days >= {spec.confirmation_min_days}; Table 3 row "
            f"{code.value}/{bj.code.value})"
        )
        first_i, first_j = (visit(i) for i in choice.confirmed_first)
        return BestResponse(
            code, reason, best_u.code, best_u.reason, first_i.date, first_j.date, first_any,
            bi.date, best_u.date,
        )  # fmt: skip
    reason = best_c.reason
    if choice.response is not None:
        i = choice.response
        nxt = visit(i + 1) if i + 1 < choice.count else None
        reason = f"{_pair_text(visit(i), nxt)}: not confirmed; {reason}"
    return BestResponse(
        best_c.code, reason, best_u.code, best_u.reason, None, None, first_any, best_c.date,
        best_u.date,
    )  # fmt: skip


def best_overall_response(
    visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool
) -> BestResponse:
    """Best overall response from included time points (RECIST 1.1, Eisenhauer 2009 Table 3)."""
    if not visits:
        return no_assessment(spec)
    return explain(choose(visits, spec, target_disease), visits.__getitem__, spec)
