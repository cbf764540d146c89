"""The safety review: DLT adjudications -> dose-finding history -> the design's recommendation
and the dose paths ahead; the committee's signed decision opens the next cohort.

3+3 rules: Storer 1989 (Biometrics 45:925); non-evaluable patients are replaced (Le Tourneau,
Lee & Siu 2009, J Natl Cancer Inst 101:708).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hyposti.design import Cohort as Outcomes
from hyposti.design import Decision, design_from_protocol, dose_paths, fit, format_outcomes
from hyposti.design.protocol_design import protocol_dose_levels
from hyposti.errors import InputError
from hyposti.safety import PatientAdjudication, dose_finding_history
from hyposti.service.access import authorize
from hyposti.service.errors import RefusedError
from hyposti.service.models import Cohort, EscalationDecision, Study
from hyposti.service.services.records import change, check_not_future, create
from hyposti.service.services.safety import (
    DltProposalAwaiting,
    dlt_evaluation_store,
    participant_dlt_status,
)
from hyposti.service.services.signatures import signature_sign
from hyposti.service.trial_protocol import trial_protocol

#: Cohorts of dose paths shown ahead of the current history.
PATHS_AHEAD = 2


def decision_word(current: int, decision: Decision) -> str:
    """The escalation table's word for a decision relative to the current dose."""
    if decision.stop or decision.next_dose is None:
        return "stop"
    if decision.next_dose > current:
        return "escalate"
    return "stay" if decision.next_dose == current else "de-escalate"


@dataclass(frozen=True)
class Review:
    """What the committee sees for one cohort: adjudications, history, recommendation, paths,
    and the DLT proposals awaiting the investigator with the participants whose outcome turns
    on them (``undecided``)."""

    cohort: int
    dose_level: int
    adjudications: tuple[PatientAdjudication, ...]
    outcomes: str
    pending: tuple[str, ...]
    dlt_proposals: tuple[DltProposalAwaiting, ...]
    undecided: tuple[str, ...]
    needs_replacement: tuple[str, ...]
    settled: bool
    recommendation: Decision
    decision: str
    paths: dict[str, object]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "dose_level": self.dose_level,
            "outcomes": self.outcomes,
            "pending": list(self.pending),
            "dlt_proposals": [p.to_dict() for p in self.dlt_proposals],
            "undecided": list(self.undecided),
            "needs_replacement": list(self.needs_replacement),
            "settled": self.settled,
            "recommendation": {**self.recommendation.to_dict(), "decision": self.decision},
            "paths": self.paths,
            "adjudications": [a.model_dump(mode="json") for a in self.adjudications],
        }


def cohort_review_data(number: int, today: dt.date) -> Review:
    """Adjudicate every escalation participant up to cohort ``number`` and fit the design.

    The recommendation is the design engine's answer for what is known: every evaluable outcome,
    the reviewed cohort's included even when it has none yet, so an incomplete cohort reads
    "cohort incomplete: ... stay" and never as the decision its empty slots would give. A DLT
    proposal awaiting the investigator counts there as the engine judges it, as it does
    everywhere until the investigator decides.

    A slot whose outcome is still open is filled both ways, no DLT and DLT: one without a
    DLT-evaluable outcome (window open, not infused, awaiting a replacement), and one whose
    outcome turns on DLT proposals awaiting the investigator (confirmed, the participant has a
    DLT; overridden, none, or a window still open or a replacement to come, which is again
    either). The review is "settled" when both fillings give the same decision: a 3+3 decision
    only grows more cautious with more DLTs (Storer 1989), so the two bound every mix of the
    open slots' outcomes. The dose paths ahead start from the no-DLT reading.
    """
    protocol = trial_protocol()
    design = design_from_protocol(protocol)
    cohort = Cohort.objects.filter(number=number, phase="escalation").first()
    if cohort is None:
        raise InputError("cohort", number, "no such escalation cohort")
    cohorts = list(Cohort.objects.filter(phase="escalation", number__lte=number).order_by("number"))
    statuses, waiting = [], []
    for c in cohorts:
        for enrolment in c.enrolments.select_related("participant").order_by("slot"):
            p = enrolment.participant
            if p.preconditioning_start_date is None:
                waiting.append(p.subject_id)
            else:
                statuses.append(participant_dlt_status(p, today))
    adjudications = [s.adjudication for s in statuses]
    history = dose_finding_history(adjudications, design.num_doses)
    # Per cohort: the evaluable outcomes as they stand, those of them not open on a DLT
    # proposal, and how many are.
    outcomes: dict[int, list[bool]] = {c.number: [] for c in cohorts}
    decided: dict[int, list[bool]] = {c.number: [] for c in cohorts}
    undecided = dict.fromkeys(outcomes, 0)
    for s in statuses:
        a = s.adjudication
        if a.evaluability == "evaluable":
            outcomes[a.cohort].append(a.has_dlt)
        if s.undecided:
            undecided[a.cohort] += 1
        elif a.evaluability == "evaluable":
            decided[a.cohort].append(a.has_dlt)
    filled = {}
    for dlt in (False, True):
        filled[dlt] = tuple(
            Outcomes(dose=c.dose_level, dlts=(*decided[c.number],) + (dlt,) * max(
                undecided[c.number], design.cohort_size - len(decided[c.number])))
            for c in cohorts
        )  # fmt: skip
    known = tuple(
        Outcomes(dose=c.dose_level, dlts=tuple(outcomes[c.number]))
        for c in cohorts
        if outcomes[c.number] or c.number == number
    )
    label = protocol_dose_levels(protocol).label
    best, worst = fit(design, filled[False], label), fit(design, filled[True], label)
    settled = (worst.next_dose, worst.mtd, worst.stop) == (best.next_dose, best.mtd, best.stop)
    recommendation = fit(design, known, label)
    return Review(
        cohort=number,
        dose_level=cohort.dose_level,
        adjudications=tuple(adjudications),
        outcomes=format_outcomes(history.cohorts),
        pending=(*history.pending, *waiting),
        dlt_proposals=tuple(p for s in statuses for p in s.awaiting),
        undecided=tuple(s.adjudication.patient_id for s in statuses if s.undecided),
        needs_replacement=history.needs_replacement,
        settled=settled,
        recommendation=recommendation,
        decision=decision_word(cohort.dose_level, recommendation),
        paths=dose_paths(design, PATHS_AHEAD, filled[False]).to_dict(label)
        if settled and not best.stop
        else {},
    )


@transaction.atomic
def cohort_review(*, user: AbstractBaseUser, now: dt.datetime, number: int) -> Review:
    """Store each settled DLT evaluation, close DLT windows that have ended, open a slot for
    each non-evaluable patient to be replaced, and return the review."""
    authorize(user, "escalation.review")
    today = now.astimezone(dt.UTC).date()
    review = cohort_review_data(number, today)
    username = user.get_username()
    for adj in review.adjudications:
        dlt_evaluation_store(adj, username=username, now=now)
    cohort = Cohort.objects.select_for_update().get(number=number)
    in_cohort = set(cohort.enrolments.values_list("participant__subject_id", flat=True))
    replace = len(in_cohort & set(review.needs_replacement))
    slots = trial_protocol().design.cohort_size + replace
    if slots > cohort.slots:
        change(
            cohort,
            {"slots": slots, "is_open": True},
            username=username,
            now=now,
            reason=f"{replace} non-evaluable patient(s) to replace",
        )
    return review


def _check_decision(
    decision: str, current: int, next_dose: int | None, num_doses: int
) -> int | None:
    """The next dose level the decision leads to (None to stop), if the rules allow it."""
    if decision in ("stop",):
        return None
    if next_dose is None or not 1 <= next_dose <= num_doses:
        raise InputError("next_dose_level", next_dose, f"{decision} needs a dose in 1..{num_doses}")
    expected = {
        "escalate": next_dose == current + 1,
        "stay": next_dose == current,
        "de-escalate": next_dose < current,
        "expand": True,
    }[decision]
    if not expected:
        rule = {
            "escalate": f"escalation goes to dose {current + 1}, one level up, no skipping",
            "stay": f"stay means dose {current}",
            "de-escalate": f"de-escalation goes below dose {current}",
        }[decision]
        raise InputError("next_dose_level", next_dose, rule)
    return next_dose


@transaction.atomic
def escalation_decide(
    *,
    user: AbstractBaseUser,
    now: dt.datetime,
    number: int,
    decision: str,
    reason: str,
    password: str,
    next_dose_level: int | None = None,
    decision_date: dt.date | None = None,
    mtd_dose_level: int | None = None,
    rp2d_rationale: str = "",
) -> EscalationDecision:
    """The safety review committee's decision on a cohort, signed (approval). It may differ from
    the design's recommendation, with a reason. Escalate / stay / de-escalate open the next
    cohort; stop declares the MTD; expand declares the RP2D and opens the expansion."""
    from hyposti.data.schema import ESCALATION_DECISIONS

    authorize(user, "escalation.decide")
    protocol = trial_protocol()
    num_doses = len(protocol.investigational_product.dose_levels)
    decision_date = decision_date or now.astimezone(dt.UTC).date()
    check_not_future("decision_date", decision_date, now)
    if decision not in ESCALATION_DECISIONS:
        raise InputError("decision", decision, f"must be one of {', '.join(ESCALATION_DECISIONS)}")
    if not reason.strip():
        raise RefusedError("reason", reason, "the committee's decision needs a reason")
    cohort = Cohort.objects.select_for_update().filter(number=number, phase="escalation").first()
    if cohort is None:
        raise InputError("cohort", number, "no such escalation cohort")
    if EscalationDecision.objects.filter(cohort=cohort).exists():
        raise RefusedError("cohort", number, "already decided; a new decision is a correction")
    if cohort.is_open or cohort.enrolments.count() < cohort.slots:
        raise RefusedError("cohort", number, "its slots are not all filled yet")
    review = cohort_review(user=user, now=now, number=number)
    in_cohort = {a.patient_id for a in review.adjudications if a.cohort == number}
    unconfirmed = [p.ae_id for p in review.dlt_proposals if p.patient_id in in_cohort]
    if unconfirmed:
        raise RefusedError(
            "adverse_events",
            unconfirmed,
            "the investigator must confirm or override these DLT proposals first",
        )
    if not review.settled:
        still_open = []
        if review.pending:
            still_open.append(f"DLT windows still open ({', '.join(review.pending)})")
        if review.undecided:
            still_open.append(
                f"DLT proposals awaiting the investigator ({', '.join(review.undecided)})"
            )
        raise RefusedError(
            "cohort",
            number,
            f"{' and '.join(still_open) or 'slots without an evaluable patient'}: "
            "their outcome could change the recommendation",
        )
    if review.needs_replacement and cohort.slots > cohort.enrolments.count():
        raise RefusedError("cohort", number, "non-evaluable patients must be replaced first")
    next_dose = _check_decision(decision, cohort.dose_level, next_dose_level, num_doses)
    evaluable = [
        a for a in review.adjudications if a.cohort == number and a.evaluability == "evaluable"
    ]
    record = EscalationDecision(
        cohort=cohort,
        n_patients=len(evaluable),
        n_dlt=sum(a.has_dlt for a in evaluable),
        recommendation=review.to_dict()["recommendation"],
        decision=decision,
        next_dose_level=next_dose,
        reason=reason,
        decision_date=decision_date,
    )
    username = user.get_username()
    create([record], username=username, now=now, reason=f"committee decision: {decision}")
    signature_sign(user=user, now=now, instance=record, meaning="approval", password=password)
    study = Study.objects.select_for_update().get()
    if decision in ("stop", "expand"):
        mtd = mtd_dose_level or review.recommendation.mtd
        values: dict[str, Any] = {"mtd_dose_level": mtd}
        if decision == "expand":
            values |= {"rp2d_dose_level": next_dose_level, "rp2d_rationale": rp2d_rationale}
        change(study, values, username=username, now=now, reason=f"committee decision {decision}")
    if next_dose is not None:
        expand = decision == "expand"
        enrolment = protocol.enrolment
        new = Cohort(
            number=number + 1,
            phase="expansion" if expand else "escalation",
            dose_level=next_dose,
            slots=enrolment.expansion_max if expand else protocol.design.cohort_size,
            opened_at=now,
        )
        create([new], username=username, now=now, reason=f"opened by the decision on {number}")
    return record
