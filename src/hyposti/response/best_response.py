"""Best overall response, confirmed or not (RECIST 1.1, Eisenhauer 2009 s4.4.3, s4.6, Table 3)."""

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


@dataclass(frozen=True)
class Visit:
    """One included time point: its date, study day and response code."""

    date: dt.date
    study_day: int
    code: Code


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


# What may confirm a response, and what may lie between it and its confirmation: RECIST 1.1
# Table 3 rows CR/CR -> CR, PR/CR -> PR, PR/PR -> PR (s4.6: 'criteria met again').
CONFIRMS = {Code.CR: (Code.CR,), Code.PR: (Code.CR, Code.PR)}


def confirmation_of(visits: Sequence[Visit], i: int, spec: ResponseSpec) -> int | None:
    """Index of the assessment confirming the CR/PR at ``i`` (RECIST 1.1 s4.6, Table 3), or None.

    Between the two, responses at least as good may occur, and at most
    ``max_ne_between_response_and_confirmation`` NE; for a PR, one SD if
    ``accept_sd_between_pr_and_confirmation``. Anything else (PD, iUPD, a worse response)
    breaks the confirmation.
    """
    first = visits[i]
    needed = CONFIRMS[first.code]
    ne = sd = 0
    for j in range(i + 1, len(visits)):
        v = visits[j]
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


def _sd_visit(visits: Sequence[Visit], spec: ResponseSpec) -> Visit | None:
    """First time point meeting SD criteria at or after the minimum SD day (s4.4.3, s4.6)."""
    for v in visits:
        if v.code in (Code.CR, Code.PR, Code.SD, Code.NN) and v.study_day >= spec.min_sd_days:
            return v
    return None


def _fallback(
    visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool
) -> tuple[Code, str]:
    """SD (non-CR/non-PD without targets) if its minimum duration is met, else PD, else NE."""
    sd = _sd_visit(visits, spec)
    stable = Code.SD if target_disease else Code.NN
    if sd is not None:
        return stable, (
            f"{stable.value}: {sd.code.value} on {sd.date} (study day {sd.study_day} >= "
            f"{spec.min_sd_days}) meets the minimum SD duration"
        )
    short = f"no time point meets SD criteria on or after study day {spec.min_sd_days}"
    for code in (Code.PD, Code.UPD):
        hit = next((v for v in visits if v.code is code), None)
        if hit is not None:
            return code, f"{code.value} on {hit.date}; {short}"
    return Code.NE, f"NE: {short} and no progression"


def _pair_text(visits: Sequence[Visit], i: int) -> str:
    """The Table 3 row a response and its next assessment fall in."""
    first = visits[i]
    nxt = visits[i + 1] if i + 1 < len(visits) else None
    after = f"{nxt.code.value} on {nxt.date}" if nxt else "no later assessment"
    return f"{first.code.value} on {first.date} then {after} (Table 3 row {first.code.value}/" + (
        f"{nxt.code.value})" if nxt else "-)"
    )


def best_overall_response(
    visits: Sequence[Visit], spec: ResponseSpec, target_disease: bool
) -> BestResponse:
    """Best overall response from included time points (RECIST 1.1, Eisenhauer 2009 Table 3)."""
    responses = [i for i, v in enumerate(visits) if v.code in CONFIRMS]
    first_any = visits[responses[0]].date if responses else None

    best_u = next((c for c in (Code.CR, Code.PR) if any(v.code is c for v in visits)), None)
    if best_u is not None:
        hit = next(v for v in visits if v.code is best_u)
        unconfirmed, u_reason = best_u, f"{best_u.value} on {hit.date} (no confirmation needed)"
    else:
        unconfirmed, u_reason = _fallback(visits, spec, target_disease)

    if not spec.confirmation_required:
        return BestResponse(
            unconfirmed,
            f"{u_reason}; the protocol does not require confirmation",
            unconfirmed,
            u_reason,
            first_any,
            None,
            first_any,
        )

    confirmed_pairs = [(i, confirmation_of(visits, i, spec)) for i in responses]
    confirmed_pairs = [(i, j) for i, j in confirmed_pairs if j is not None]
    if confirmed_pairs:
        first_i, first_j = confirmed_pairs[0]
        cr = next(((i, j) for i, j in confirmed_pairs if visits[i].code is Code.CR), None)
        bi, bj = cr if cr is not None else confirmed_pairs[0]
        code = visits[bi].code
        reason = (
            f"{code.value} on {visits[bi].date} confirmed by {visits[bj].code.value} on "
            f"{visits[bj].date} ({visits[bj].study_day - visits[bi].study_day} days >= "
            f"{spec.confirmation_min_days}; Table 3 row {code.value}/{visits[bj].code.value})"
        )
        return BestResponse(
            code,
            reason,
            unconfirmed,
            u_reason,
            visits[first_i].date,
            visits[first_j].date,
            first_any,
        )
    code, reason = _fallback(visits, spec, target_disease)
    if responses:
        reason = f"{_pair_text(visits, responses[0])}: not confirmed; {reason}"
    return BestResponse(code, reason, unconfirmed, u_reason, None, None, first_any)
