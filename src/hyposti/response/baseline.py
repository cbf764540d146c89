"""Baseline measurability and target selection (RECIST 1.1, Eisenhauer 2009 s3.1, s4.2)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from hyposti.errors import InputError
from hyposti.response.records import (
    BaselineProblem,
    LesionMeasurement,
    Method,
    NewLesionState,
    PatientTumourData,
    TargetState,
)

# Named here too (explicit re-export) because iRECIST imports them from this module.
from hyposti.response.thresholds import CHEST_XRAY_MIN_MM, NODE_PATHOLOGICAL_MIN_MM
from hyposti.response.thresholds import MAX_TARGETS as MAX_TARGETS
from hyposti.response.thresholds import MAX_TARGETS_PER_ORGAN as MAX_TARGETS_PER_ORGAN
from hyposti.response.thresholds import MEASURABLE_MIN_MM as MEASURABLE_MIN_MM
from hyposti.response.thresholds import NODE_MEASURABLE_MIN_MM as NODE_MEASURABLE_MIN_MM

NODAL_ORGAN = "lymph nodes"  # RECIST 1.1 s4.2: all nodes count as one organ


class LesionAtBaseline(Protocol):
    """What the baseline rules read of a lesion: a :class:`BaselineLesion` or a table row."""

    @property
    def lesion_id(self) -> str: ...
    @property
    def organ(self) -> str: ...
    @property
    def nodal(self) -> bool: ...
    @property
    def method(self) -> Method: ...
    @property
    def slice_thickness_mm(self) -> float | None: ...
    @property
    def diameter_mm(self) -> float | None: ...
    @property
    def target(self) -> bool: ...


def measurable_floor_mm(lesion: LesionAtBaseline) -> float:
    """Smallest measurable size by method (RECIST 1.1, Eisenhauer 2009 section 3.1)."""
    if lesion.nodal:
        return NODE_MEASURABLE_MIN_MM
    if lesion.method is Method.CHEST_XRAY:
        return CHEST_XRAY_MIN_MM
    if lesion.method in (Method.CT, Method.MRI) and (lesion.slice_thickness_mm or 0.0) > 5.0:
        return 2.0 * float(lesion.slice_thickness_mm or 0.0)
    return MEASURABLE_MIN_MM


def organ_key(lesion: LesionAtBaseline) -> str:
    """Organ used for the per-organ limit: all lymph nodes are one organ (RECIST 1.1 s4.2)."""
    return NODAL_ORGAN if lesion.nodal else lesion.organ.strip().lower()


def validate_baseline(data: PatientTumourData) -> list[BaselineProblem]:
    """Baseline selection problems with lesion ids (RECIST 1.1, Eisenhauer 2009 s3.1, s4.2)."""
    return baseline_problems(data.lesions)


def baseline_problems(lesions: Sequence[LesionAtBaseline]) -> list[BaselineProblem]:
    """Measurability, target counts and normal nodes of a baseline (RECIST 1.1 s3.1, s4.2)."""
    problems: list[BaselineProblem] = []
    targets = [lesion for lesion in lesions if lesion.target]
    for lesion in targets:
        floor = measurable_floor_mm(lesion)
        size = lesion.diameter_mm
        if size is not None and size < floor:
            kind = "node short axis" if lesion.nodal else f"longest diameter ({lesion.method})"
            problems.append(
                BaselineProblem(
                    lesion_ids=[lesion.lesion_id],
                    rule=f"target not measurable: {kind} {size:g} mm < {floor:g} mm "
                    "(RECIST 1.1 s3.1)",
                )
            )
    if len(targets) > MAX_TARGETS:
        problems.append(
            BaselineProblem(
                lesion_ids=[t.lesion_id for t in targets],
                rule=f"{len(targets)} target lesions > {MAX_TARGETS} (RECIST 1.1 s4.2)",
            )
        )
    # No organ can hold more targets than there are (half the simulated patients have <= 2).
    per_organ = (
        Counter(organ_key(t) for t in targets) if len(targets) > MAX_TARGETS_PER_ORGAN else {}
    )
    for organ, count in per_organ.items():
        if count > MAX_TARGETS_PER_ORGAN:
            problems.append(
                BaselineProblem(
                    lesion_ids=[t.lesion_id for t in targets if organ_key(t) == organ],
                    rule=f"{count} targets in {organ} > {MAX_TARGETS_PER_ORGAN} per organ "
                    "(RECIST 1.1 s4.2; all lymph nodes are one organ)",
                )
            )
    for lesion in lesions:
        if (
            not lesion.target
            and lesion.nodal
            and lesion.diameter_mm is not None
            and lesion.diameter_mm < NODE_PATHOLOGICAL_MIN_MM
        ):
            problems.append(
                BaselineProblem(
                    lesion_ids=[lesion.lesion_id],
                    rule=f"node short axis {lesion.diameter_mm:g} mm < "
                    f"{NODE_PATHOLOGICAL_MIN_MM:g} mm is normal, not a lesion (RECIST 1.1 s3.1)",
                )
            )
    return problems


def _where(data: PatientTumourData, date: object = None, lesion: str | None = None) -> str:
    where = f"patient[{data.patient_id}]"
    if date is not None:
        where += f".assessment[{date}]"
    if lesion is not None:
        where += f".lesion[{lesion}]"
    return where


def check_patient(data: PatientTumourData) -> None:
    """Reject input no response can be computed from, naming patient, date and lesion."""
    if not data.lesions:
        raise InputError(
            _where(data) + ".lesions", [], "no baseline lesions: a baseline assessment is required"
        )
    ids = {lesion.lesion_id for lesion in data.lesions}
    if len(ids) < len(data.lesions):
        # Counted only when some id repeats: the count is the error's value.
        counts = Counter(lesion.lesion_id for lesion in data.lesions)
        lesion_id, count = next((i, c) for i, c in counts.items() if c > 1)
        raise InputError(
            _where(data, lesion=lesion_id), count, "baseline lesion ids must be unique"
        )
    for lesion in data.lesions:
        if lesion.target and lesion.diameter_mm is None:
            raise InputError(
                _where(data, data.baseline_date, lesion.lesion_id) + ".diameter_mm",
                None,
                "a target lesion needs a baseline measurement (RECIST 1.1 s4.2)",
            )
    target_ids = {lesion.lesion_id for lesion in data.lesions if lesion.target}
    has_non_target = any(not lesion.target for lesion in data.lesions)
    previous = data.baseline_date
    for a in data.assessments:
        if a.date <= previous:
            raise InputError(
                _where(data, a.date) + ".date",
                a.date.isoformat(),
                f"assessments must be in increasing date order after {previous.isoformat()}",
            )
        previous = a.date
        at_date = {m.lesion_id: m for m in a.targets}
        # Counted only when some id repeats: the count is the error's value.
        repeats = Counter(m.lesion_id for m in a.targets) if len(at_date) < len(a.targets) else {}
        for m in a.targets:
            if m.lesion_id not in target_ids:
                raise InputError(
                    _where(data, a.date, m.lesion_id),
                    m.lesion_id,
                    "follow-up target lesion id not among the baseline target lesions "
                    f"{sorted(target_ids)}",
                )
            if repeats.get(m.lesion_id, 1) > 1:
                raise InputError(
                    _where(data, a.date, m.lesion_id),
                    repeats[m.lesion_id],
                    "recorded more than once",
                )
            _check_measurement(data, a.date, m, target_ids, at_date)
        missing = target_ids - at_date.keys()
        if missing:
            raise InputError(
                _where(data, a.date, min(missing)),
                None,
                "every baseline target needs an entry at each assessment; record "
                "'not_evaluated' explicitly",
            )
        if has_non_target != (a.non_target is not None):
            rule = (
                "non-target status required: non-target lesions were recorded at baseline"
                if has_non_target
                else "no non-target lesions at baseline: non-target status must be empty"
            )
            raise InputError(_where(data, a.date) + ".non_target", a.non_target, rule)
        for n in a.new_lesions:
            if n.lesion_id in ids:
                raise InputError(
                    _where(data, a.date, n.lesion_id),
                    n.lesion_id,
                    "a new lesion reuses a baseline id",
                )
            if n.state is not NewLesionState.PRESENT and n.diameter_mm is not None:
                raise InputError(
                    _where(data, a.date, n.lesion_id) + ".diameter_mm",
                    n.diameter_mm,
                    f"a new lesion recorded '{n.state}' cannot carry a measurement",
                )


def _check_measurement(
    data: PatientTumourData,
    date: object,
    m: LesionMeasurement,
    target_ids: set[str],
    at_date: dict[str, LesionMeasurement],
) -> None:
    lesion, state, diameter = m.lesion_id, m.state, m.diameter_mm
    fragments, merged_into = m.fragments_mm, m.merged_into
    if state is TargetState.MEASURED:
        if (diameter is None) == (not fragments):
            raise InputError(
                _where(data, date, lesion),
                {"diameter_mm": diameter, "fragments_mm": fragments},
                "a measured target needs exactly one of diameter_mm or fragments_mm (split lesion)",
            )
    elif diameter is not None or fragments:
        raise InputError(
            _where(data, date, lesion) + ".diameter_mm",
            diameter,
            f"state '{state}' takes no measurement",
        )
    if state is TargetState.MERGED:
        host = at_date.get(merged_into or "")
        if merged_into == lesion or merged_into not in target_ids or host is None:
            raise InputError(
                _where(data, date, lesion) + ".merged_into",
                merged_into,
                "a merged target must name another target recorded at the same assessment",
            )
        if host.state is not TargetState.MEASURED:
            raise InputError(
                _where(data, date, lesion) + ".merged_into",
                merged_into,
                "the lesion it merged into must be measured (the coalesced lesion's diameter)",
            )
    elif merged_into is not None:
        raise InputError(
            _where(data, date, lesion) + ".merged_into",
            merged_into,
            "only a 'merged' target names a host",
        )
