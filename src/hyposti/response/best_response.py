"""Best overall response, confirmed or not (RECIST 1.1, Eisenhauer 2009 s4.4.3, s4.6, Table 3).

The options RECIST 1.1 leaves open are named as pharmaverse admiralonco names them
(``derive_param_bor``, ``derive_param_confirmed_bor``): ``max_nr_ne``, ``accept_sd``,
``missing_as_ne`` and its rule that no PR may follow a CR within a PR's confirmation period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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


def _fallback(visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool) -> Reading:
    """SD, else non-CR/non-PD, from the minimum SD day on; else PD, iUPD; else NE (s4.4.3, s4.6).

    A CR, PR or SD on or after study day ``min_sd_days`` is SD (non-CR/non-PD without target
    disease, Table 2); a non-CR/non-PD time point is non-CR/non-PD. Earlier ones count as NE
    (admiralonco's order: CR, PR, SD, NON-CR/NON-PD, PD, NE; the first date of the best).
    """
    late = [v for v in visits if v.study_day >= spec.min_sd_days]
    responding = (Code.CR, Code.PR, Code.SD)
    ranks = (
        ((Code.SD, responding), (Code.NN, (Code.NN,)))
        if target_disease
        else ((Code.NN, (*responding, Code.NN)),)
    )
    for code, counted in ranks:
        hit = next((v for v in late if v.code in counted), None)
        if hit is not None:
            return Reading(
                code,
                hit.date,
                f"{code.value}: {hit.code.value} on {hit.date} (study day {hit.study_day} >= "
                f"{spec.min_sd_days}) meets the minimum SD duration",
            )
    short = f"no time point meets SD criteria on or after study day {spec.min_sd_days}"
    for code in (Code.PD, Code.UPD):
        found = next((v for v in visits if v.code is code), None)
        if found is not None:
            return Reading(code, found.date, f"{code.value} on {found.date}; {short}")
    return Reading(Code.NE, visits[0].date, f"NE: {short} and no progression")


def _pair_text(visits: Sequence[Visit], i: int) -> str:
    """The Table 3 row a response and its next assessment fall in."""
    first = visits[i]
    nxt = visits[i + 1] if i + 1 < len(visits) else None
    after = f"{nxt.code.value} on {nxt.date}" if nxt else "no later assessment"
    return f"{first.code.value} on {first.date} then {after} (Table 3 row {first.code.value}/" + (
        f"{nxt.code.value})" if nxt else "-)"
    )


def _no_assessment(spec: ResponseSpec) -> BestResponse:
    """MISSING, or NE with ``missing_as_ne`` (admiralonco ``derive_param_bor``)."""
    code = Code.NE if spec.missing_as_ne else Code.MISSING
    reason = (
        f"{code.value}: no assessment counts towards best response (reading "
        f"missing_as_ne={str(spec.missing_as_ne).lower()})"
    )
    return BestResponse(code, reason, code, reason, None, None, None, None, None)


def _unconfirmed(visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool) -> Reading:
    """The best time point: CR or PR at any time, otherwise the minimum-duration fallback."""
    for code in (Code.CR, Code.PR):
        hit = next((v for v in visits if v.code is code), None)
        if hit is not None:
            return Reading(code, hit.date, f"{code.value} on {hit.date} (no confirmation needed)")
    return _fallback(visits, spec, target_disease)


def best_overall_response(
    visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool
) -> BestResponse:
    """Best overall response from included time points (RECIST 1.1, Eisenhauer 2009 Table 3)."""
    if not visits:
        return _no_assessment(spec)
    responses = [i for i, v in enumerate(visits) if v.code in CONFIRMS]
    first_any = visits[responses[0]].date if responses else None
    best_u = _unconfirmed(visits, spec, target_disease)

    if not spec.confirmation_required:
        return BestResponse(
            best_u.code,
            f"{best_u.reason}; the protocol does not require confirmation",
            best_u.code,
            best_u.reason,
            first_any,
            None,
            first_any,
            best_u.date,
            best_u.date,
        )

    confirmed_pairs = [(i, confirmation_of(visits, i, spec)) for i in responses]
    pairs = [(i, j) for i, j in confirmed_pairs if j is not None]
    if pairs:
        first_i, first_j = pairs[0]
        bi, bj = next(((i, j) for i, j in pairs if visits[i].code is Code.CR), pairs[0])
        code = visits[bi].code
        reason = (
            f"{code.value} on {visits[bi].date} confirmed by {visits[bj].code.value} on "
            f"{visits[bj].date} ({visits[bj].study_day - visits[bi].study_day} days >= "
            f"{spec.confirmation_min_days}; Table 3 row {code.value}/{visits[bj].code.value})"
        )
        return BestResponse(
            code,
            reason,
            best_u.code,
            best_u.reason,
            visits[first_i].date,
            visits[first_j].date,
            first_any,
            visits[bi].date,
            best_u.date,
        )
    best_c = _fallback(visits, spec, target_disease)
    reason = best_c.reason
    if responses:
        reason = f"{_pair_text(visits, responses[0])}: not confirmed; {reason}"
    return BestResponse(
        best_c.code,
        reason,
        best_u.code,
        best_u.reason,
        None,
        None,
        first_any,
        best_c.date,
        best_u.date,
    )
