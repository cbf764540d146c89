"""Which of one patient's adverse events are dose-limiting, and whether the patient is evaluable.

Rules: the protocol's DLT definition (NCT05681650 registry record, outcome "Incidence of dose
limiting toxicities"), held as data in the protocol's ``dlt`` section, and the 3+3 evaluability
convention (Le Tourneau, Lee & Siu 2009, J Natl Cancer Inst 101:708).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hyposti.bounds import Identifier, InputRecord, TrialDate
from hyposti.errors import InputError, ProtocolError, parse_record
from hyposti.protocol.safety_spec import DltClause, DltSpec
from hyposti.safety.adverse_event import AdverseEvent, check_attributions
from hyposti.safety.dictionary import lookup, system_organ_classes

Evaluability = Literal["evaluable", "not evaluable", "pending"]


class PatientSafetyRecord(InputRecord):
    """What DLT adjudication needs of one patient: dates, dose level, cohort and adverse events."""

    patient_id: Identifier
    dose_level: int = Field(ge=1, description="1-based dose level received.")
    cohort: int = Field(ge=1, description="1-based cohort number, in order of enrolment.")
    preconditioning_start: TrialDate
    infusion: TrialDate | None = Field(
        description="CAR-T infusion date (day 0); None if not infused."
    )
    last_follow_up: TrialDate = Field(description="Last date the patient was assessed.")
    adverse_events: tuple[AdverseEvent, ...] = ()
    death: TrialDate | None = Field(
        default=None, description="Date of death, if the patient died (ends follow-up)."
    )
    death_cause: str | None = Field(
        default=None, max_length=200, description="Cause of death as recorded."
    )


class EventAdjudication(BaseModel):
    """One adverse event's verdict: DLT or not, the clause that applied and every reason."""

    model_config = ConfigDict(frozen=True)

    index: int
    event_id: str | None
    term: str
    grade: int
    scale: str
    onset: dt.date
    study_day: int | None
    clause: str | None
    is_dlt: bool
    reasons: tuple[str, ...]


class PatientAdjudication(BaseModel):
    """A patient's DLT verdicts and DLT-evaluability, each with its reason."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    dose_level: int
    cohort: int
    infusion: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    events: tuple[EventAdjudication, ...]
    has_dlt: bool
    evaluability: Evaluability
    evaluability_reason: str

    @property
    def dlts(self) -> tuple[EventAdjudication, ...]:
        return tuple(e for e in self.events if e.is_dlt)


def parse_patient(data: Any, products: Sequence[str]) -> PatientSafetyRecord:
    """Validate a patient record (e.g. parsed JSON) whose adverse events are attributed to the
    protocol's ``products`` (``Protocol.product_ids``); a RecordError lists every problem of the
    record's shape, an InputError names an attribution to a product the protocol does not give or
    a product left without one."""
    record = parse_record(PatientSafetyRecord, data, "patient safety record")
    for i, event in enumerate(record.adverse_events):
        check_attributions(event.attribution, products, f"adverse_events[{i}].")
    return record


#: Which clause covers an event, as an index into the DLT definition's clauses, by (term, scale).
_ClauseMemo = dict[tuple[str, str], int | None]


@lru_cache(maxsize=16)
def _checked_clauses(spec: DltSpec) -> _ClauseMemo:
    """An empty memo for :func:`_clause` under ``spec``, once its clauses are checked: a
    ProtocolError where a clause names a term or a system organ class CTCAE v5.0 does not have.

    Cached on the spec itself (a protocol is frozen all the way down): a trial adjudicates every
    patient against one DLT definition, which is checked once.
    """
    problems = []
    socs = set(system_organ_classes())
    for i, clause in enumerate(spec.clauses):
        for term in clause.terms:
            try:
                lookup(term)
            except InputError as exc:
                problems.append(f"dlt.clauses[{i}].terms: {exc}")
        problems += [
            f"dlt.clauses[{i}].socs: {soc!r} is not a CTCAE v5.0 system organ class"
            for soc in clause.socs
            if soc not in socs
        ]
    if problems:
        raise ProtocolError("protocol dlt section", problems)
    return {}


def _clause(event: AdverseEvent, spec: DltSpec, memo: _ClauseMemo) -> DltClause | None:
    """The first clause whose terms, system organ classes or scales cover ``event``.

    The answer follows from the term (its organ class is the term's) and the scale alone, and a
    trial's events share a few dozen of them: each is found once and kept in ``memo``.
    """
    key = (event.term, event.scale)
    if key not in memo:
        soc = event.soc
        memo[key] = next(
            (
                i
                for i, clause in enumerate(spec.clauses)
                if clause.catch_all
                or event.term in clause.terms
                or soc in clause.socs
                or event.scale in clause.scales
            ),
            None,
        )
    index = memo[key]
    return None if index is None else spec.clauses[index]


def _check_dates(record: PatientSafetyRecord, today: dt.date) -> None:
    dates = {
        "preconditioning_start": record.preconditioning_start,
        "infusion": record.infusion,
        "last_follow_up": record.last_follow_up,
        "death": record.death,
    }
    for field, value in dates.items():
        if value is not None and value > today:
            raise InputError(field, value.isoformat(), f"date is after today ({today.isoformat()})")
    start = record.preconditioning_start
    if record.infusion is not None and record.infusion <= start:
        raise InputError(
            "infusion",
            record.infusion.isoformat(),
            f"infusion (day 0) must follow the start of preconditioning ({start.isoformat()})",
        )
    if record.last_follow_up < (record.infusion or start):
        raise InputError(
            "last_follow_up",
            record.last_follow_up.isoformat(),
            f"last follow-up precedes {'infusion' if record.infusion else 'preconditioning'} "
            f"({(record.infusion or start).isoformat()})",
        )
    if record.death is not None and record.death != record.last_follow_up:
        raise InputError(
            "last_follow_up",
            record.last_follow_up.isoformat(),
            f"a patient who died is followed to the date of death ({record.death.isoformat()})",
        )
    seen: dict[str, int] = {}
    last = record.last_follow_up
    for i, event in enumerate(record.adverse_events):
        onset = event.onset
        if event.id is not None and seen.setdefault(event.id, i) != i:
            raise InputError(
                f"adverse_events[{i}].id",
                event.id,
                f"also the id of adverse_events[{seen[event.id]}]",
            )
        event.check_not_after(today, f"adverse_events[{i}].")
        if onset < start:
            raise InputError(
                f"adverse_events[{i}].onset",
                onset.isoformat(),
                f"adverse events count from the start of preconditioning ({start.isoformat()}); "
                "an earlier condition is medical history",
            )
        if onset > last:
            raise InputError(
                f"adverse_events[{i}].onset",
                onset.isoformat(),
                f"onset is after the last follow-up ({last.isoformat()})",
            )


def _adjudicate_event(
    index: int, event: AdverseEvent, infusion: dt.date | None, spec: DltSpec, memo: _ClauseMemo
) -> EventAdjudication:
    reasons = []
    study_day = (event.onset - infusion).days if infusion is not None else None
    first, last = spec.window_first_day, spec.window_last_day
    if study_day is None:
        reasons.append("not infused: no DLT window")
    elif not first <= study_day <= last:
        when = "before" if study_day < first else "after"
        reasons.append(
            f"outside the DLT window: onset day {study_day} is {when} days {first}-{last}"
        )
    attribution = event.attribution.get(spec.related_product)
    if attribution is None:
        raise InputError(
            f"adverse_events[{index}].attribution.{spec.related_product}",
            None,
            "the DLT definition asks the attribution to this product (dlt.related_product)",
        )
    if attribution not in spec.related_attributions:
        related = "/".join(spec.related_attributions)
        reasons.append(
            f"not related: attribution to {spec.related_product} is {attribution!r} "
            f"(related = {related})"
        )
    clause = _clause(event, spec, memo)
    if clause is None:
        reasons.append("no clause of the DLT definition covers this event")
    elif event.grade < clause.min_grade:
        reasons.append(
            f"below threshold: grade {event.grade} < {clause.min_grade} for "
            f"{clause.id} ({clause.label})"
        )
    is_dlt = not reasons
    if is_dlt and clause is not None:
        reasons.append(
            f"DLT under {clause.id}: {clause.label} (grade {event.grade}, day {study_day})"
        )
    return EventAdjudication(
        index=index,
        event_id=event.id,
        term=event.term,
        grade=event.grade,
        scale=event.scale,
        onset=event.onset,
        study_day=study_day,
        clause=clause.id if clause else None,
        is_dlt=is_dlt,
        reasons=tuple(reasons),
    )


def adjudicate(record: PatientSafetyRecord, spec: DltSpec, today: dt.date) -> PatientAdjudication:
    """DLT verdict for each adverse event and the patient's DLT-evaluability.

    NCT05681650 registry: DLTs are CAR-T-related events within the first 28 days meeting one of
    the protocol's clauses; window, relatedness and clauses are read from ``spec``. Evaluable:
    infused and followed through the window, or had a DLT (Le Tourneau 2009); "pending" while
    today is inside the window without a DLT.
    """
    memo = _checked_clauses(spec)
    _check_dates(record, today)
    infusion = record.infusion
    events = tuple(
        _adjudicate_event(i, event, infusion, spec, memo)
        for i, event in enumerate(record.adverse_events)
    )
    dlts = [e for e in events if e.is_dlt]
    window_start = window_end = None
    if infusion is None:
        status: Evaluability = "not evaluable"
        reason = "not infused"
    else:
        window_start = infusion + dt.timedelta(days=spec.window_first_day)
        window_end = infusion + dt.timedelta(days=spec.window_last_day)
        needed = infusion + dt.timedelta(days=spec.evaluable_follow_up_days)
        followed_to = (record.last_follow_up - infusion).days
        if dlts:
            first_dlt = min(dlts, key=lambda e: e.onset)
            status, reason = (
                "evaluable",
                f"had a DLT ({first_dlt.term}) on day {first_dlt.study_day}",
            )
        elif record.death is not None and record.death < needed:
            status = "not evaluable"
            reason = (
                f"died on day {followed_to} ({record.death_cause or 'cause not recorded'}) inside "
                f"the DLT window without a DLT: replace the patient"
            )
        elif record.last_follow_up >= needed:
            status = "evaluable"
            reason = (
                f"followed through day {spec.evaluable_follow_up_days} without a DLT "
                f"(last follow-up day {followed_to})"
            )
        elif today < needed:
            status = "pending"
            reason = (
                f"DLT window open: followed to day {followed_to}, evaluable from "
                f"{needed.isoformat()} (day {spec.evaluable_follow_up_days})"
            )
        else:
            status = "not evaluable"
            reason = (
                f"follow-up stopped on day {followed_to} without a DLT, before day "
                f"{spec.evaluable_follow_up_days}: replace the patient"
            )
    return PatientAdjudication(
        patient_id=record.patient_id,
        dose_level=record.dose_level,
        cohort=record.cohort,
        infusion=infusion,
        window_start=window_start,
        window_end=window_end,
        events=events,
        has_dlt=bool(dlts),
        evaluability=status,
        evaluability_reason=reason,
    )
