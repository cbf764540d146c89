"""The dataset's tumour tables assessed by hyposti.response, one outcome per infused patient.

RECIST 1.1 runs through the trial-wide vectorised engine
(``hyposti.response.trial.trial_responses``) on long tables built straight from the dataset, best
overall response included; its reasons in words come from the one best-response rule
(``hyposti.response.best_response.explain``).
iRECIST has no vectorised engine and is assessed patient by patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from hyposti.data.dataset import TrialDataset
from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response import (
    Assessment,
    BaselineLesion,
    LesionMeasurement,
    Method,
    NewLesion,
    NewLesionState,
    NewLesionStatus,
    NonTargetStatus,
    PatientResponse,
    PatientTumourData,
    Response,
    TargetState,
    assess_patient,
)
from hyposti.response.baseline import baseline_problems
from hyposti.response.best_response import Code, Visit, explain, no_assessment
from hyposti.response.patient import DISEASE_AFTER_CR, Criteria, disease_after_cr_flag
from hyposti.response.trial import trial_responses

_NEW_STATE = {
    "present": NewLesionState.PRESENT,
    "measured": NewLesionState.PRESENT,
    "disappeared": NewLesionState.DISAPPEARED,
    "not_evaluated": NewLesionState.NOT_EVALUATED,
}
_NOT_PRESENT = ("disappeared", "not_evaluated")
_Row = dict[Hashable, Any]
_RESPONSE = {code: Response(code.value) for code in Code}


class _BaselineRow(NamedTuple):
    """A baseline lesion as the dataset records it (validated at load), for the baseline rules."""

    lesion_id: str
    organ: str
    nodal: bool
    method: Method
    slice_thickness_mm: float | None
    diameter_mm: float | None
    target: bool


class TumourPoint(NamedTuple):
    """One follow-up scan: date, study day, % change of the target sum and the overall response.

    Immutable like the other records; a named tuple because a trial has one per scan (5x10^4 for
    10^4 patients) and a tuple is made several times faster than a frozen dataclass.
    """

    date: dt.date
    study_day: int
    pct_from_baseline: float | None
    overall_response: Response
    included: bool


@dataclass(frozen=True)
class TumourOutcome:
    """What the efficacy endpoints need of one patient's tumour response."""

    subject_id: str
    bor_confirmed: Response
    bor_confirmed_reason: str
    bor_unconfirmed: Response
    best_pct_change: float | None
    first_response_date: dt.date | None
    first_unconfirmed_response_date: dt.date | None
    progression_date: dt.date | None
    time_points: tuple[TumourPoint, ...]
    data_quality_flags: tuple[str, ...]


def _opt(value: Any) -> Any:
    return None if value is None or pd.isna(value) else value


def _flag(values: pd.Series) -> pd.Series:
    """A boolean column with empty cells read as False."""
    return values.astype(object).where(values.notna(), False).astype(bool)


def _baselines(ds: TrialDataset) -> pd.DataFrame:
    """Infused subjects with a baseline scan: subject_id, infusion_date, baseline_date."""
    subjects = ds.subjects.loc[
        ds.subjects["infusion_date"].notna(), ["subject_id", "infusion_date"]
    ]
    scans = ds.tumour_assessments
    base = scans.loc[_flag(scans["baseline"]), ["subject_id", "assessment_date"]]
    base = base.drop_duplicates("subject_id").rename(columns={"assessment_date": "baseline_date"})
    return subjects.merge(base, on="subject_id", how="inner")


def response_tables(
    ds: TrialDataset, base: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(measurements, assessments) of :func:`hyposti.response.trial.assess_trial` from a dataset.

    Infused subjects with a baseline scan (``base``, from the dataset if not given); follow-up
    scans up to the data cut-off. An equivocal new lesion seen unequivocally at any kept scan
    counts from its first scan (RECIST 1.1 s4.3.5).
    """
    base = _baselines(ds) if base is None else base
    cutoff = ds.data_cutoff.normalize()
    scans = ds.tumour_assessments.merge(base, on="subject_id", how="inner")
    follow = scans.loc[
        ~_flag(scans["baseline"]) & (scans["assessment_date"].dt.normalize() <= cutoff)
    ]
    lesions = ds.lesions.merge(base[["subject_id", "baseline_date"]], on="subject_id")
    targets = lesions.loc[lesions["category"] == "target"]
    has_nt = set(lesions.loc[lesions["category"] == "non-target", "subject_id"])
    keys = ["subject_id", "assessment_date"]
    meas = ds.lesion_measurements.merge(
        lesions[["subject_id", "lesion_id", "category", "lymph_node"]],
        on=["subject_id", "lesion_id"],
        how="inner",
    )
    at_baseline = targets.merge(
        meas.drop(columns=["category", "lymph_node"]).rename(
            columns={"assessment_date": "baseline_date"}
        ),
        on=["subject_id", "lesion_id", "baseline_date"],
        how="left",
    )
    on_scan = meas.merge(follow[keys], on=keys, how="inner")
    target_rows = on_scan.loc[on_scan["category"] == "target"]
    state = target_rows["state"].where(target_rows["state"] != "present", "measured")
    measurements = pd.concat(
        [
            pd.DataFrame(
                {
                    "patient_id": at_baseline["subject_id"],
                    "date": at_baseline["baseline_date"],
                    "lesion_id": at_baseline["lesion_id"],
                    "nodal": _flag(at_baseline["lymph_node"]),
                    "state": TargetState.MEASURED.value,
                    "diameter_mm": at_baseline["diameter_mm"].astype(float),
                }
            ),
            pd.DataFrame(
                {
                    "patient_id": target_rows["subject_id"],
                    "date": target_rows["assessment_date"],
                    "lesion_id": target_rows["lesion_id"],
                    "nodal": _flag(target_rows["lymph_node"]),
                    "state": state,
                    "diameter_mm": target_rows["diameter_mm"].astype(float),
                }
            ),
        ],
        ignore_index=True,
    )

    new = on_scan.loc[on_scan["category"] == "new"]
    equivocal = _flag(new["equivocal"])
    confirmed = set(zip(new["subject_id"][~equivocal], new["lesion_id"][~equivocal], strict=True))
    seen = pd.Series(list(zip(new["subject_id"], new["lesion_id"], strict=True)), index=new.index)
    present = ~new["state"].isin(_NOT_PRESENT)
    unequivocal = present & (~equivocal | seen.isin(confirmed))
    per_scan = new.assign(unequivocal=unequivocal, present=present).groupby(keys)[
        ["unequivocal", "present"]
    ]
    status = per_scan.any().reset_index()
    status["new_lesions"] = np.select(
        [status["unequivocal"], status["present"]],
        [NewLesionStatus.UNEQUIVOCAL.value, NewLesionStatus.EQUIVOCAL.value],
        NewLesionStatus.NONE.value,
    )
    follow = follow.merge(status[[*keys, "new_lesions"]], on=keys, how="left")
    therapy = ds.disposition.drop_duplicates("subject_id").set_index("subject_id")[
        "new_therapy_date"
    ]
    baseline_rows = pd.DataFrame(
        {
            "patient_id": base["subject_id"],
            "date": base["baseline_date"],
            "baseline": True,
            "reference_date": base["infusion_date"],
            "non_target": np.where(base["subject_id"].isin(has_nt), "present", ""),
            "new_lesions": NewLesionStatus.NONE.value,
        }
    )
    follow_rows = pd.DataFrame(
        {
            "patient_id": follow["subject_id"],
            "date": follow["assessment_date"],
            "baseline": False,
            "reference_date": follow["infusion_date"],
            "non_target": follow["non_target_status"].fillna("").astype(str),
            "new_lesions": follow["new_lesions"].fillna(NewLesionStatus.NONE.value),
        }
    )
    assessments = pd.concat([baseline_rows, follow_rows], ignore_index=True)
    assessments["new_anticancer_therapy_date"] = assessments["patient_id"].map(therapy)
    return measurements, assessments


def _optional(values: pd.Series) -> list[Any]:
    """A column's values with empty cells as None."""
    cells = values.astype(object).tolist()
    return [v if kept else None for v, kept in zip(cells, values.notna(), strict=True)]


def _baseline_flags(ds: TrialDataset, base: pd.DataFrame) -> dict[str, list[str]]:
    """Baseline selection problems per subject, as data-quality flags (RECIST 1.1 s3.1, s4.2)."""
    lesions = ds.lesions.loc[ds.lesions["category"] != "new"]
    sizes = ds.lesion_measurements.rename(columns={"assessment_date": "baseline_date"})
    rows = lesions.merge(base[["subject_id", "baseline_date"]], on="subject_id").merge(
        sizes[["subject_id", "lesion_id", "baseline_date", "diameter_mm"]],
        on=["subject_id", "lesion_id", "baseline_date"],
        how="left",
    )
    methods = {m: Method(m) for m in Method}
    by_subject: dict[str, list[_BaselineRow]] = {}
    for sid, lesion_id, organ, nodal, method, thickness, size, target in zip(
        rows["subject_id"],
        rows["lesion_id"],
        rows["organ"],
        _flag(rows["lymph_node"]),
        rows["method"].fillna(Method.CT.value),
        _optional(rows["slice_thickness_mm"]),
        _optional(rows["diameter_mm"]),
        rows["category"] == "target",
        strict=True,
    ):
        by_subject.setdefault(sid, []).append(
            _BaselineRow(lesion_id, organ, nodal, methods[method], thickness, size, target)
        )
    out: dict[str, list[str]] = {}
    for sid, found in by_subject.items():
        problems = baseline_problems(found)
        if problems:
            out[sid] = [f"baseline: {p.rule} [{', '.join(p.lesion_ids)}]" for p in problems]
    return out


def _recist11(ds: TrialDataset, spec: ResponseSpec) -> dict[str, TumourOutcome]:
    """RECIST 1.1 by the vectorised engine, best response included; its reasons in words by the
    one best-response rule (``hyposti.response.best_response.explain``)."""
    base = _baselines(ds)
    if base.empty:  # nobody scanned yet (a trial in its first weeks)
        return {}
    measurements, assessments = response_tables(ds, base)
    points, choices = trial_responses(measurements, assessments, spec)
    subjects = base["subject_id"].tolist()
    flags = _baseline_flags(ds, base)
    pid = points["patient_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, pid[1:] != pid[:-1]]) if len(pid) else np.zeros(0, int)
    bounds = dict(zip(pid[starts], zip(starts, np.r_[starts[1:], len(pid)], strict=True),
                      strict=True))  # fmt: skip
    dates = points["date"].to_numpy().astype("datetime64[D]").astype(object)
    days = points["study_day"].to_numpy().tolist()
    pct = points["pct_from_baseline"].to_numpy()
    pct_values = [None if np.isnan(v) else float(v) for v in pct]
    # Each time point's record made once, in one pass; a patient's outcome takes its slice.
    overall = points["overall_response"].to_numpy()
    codes = {name: Code(name) for name in set(overall)}
    responses = {name: Response(name) for name in codes}
    included = points["included"].to_numpy().tolist()
    records = [
        TumourPoint(*cells)
        for cells in zip(dates, days, pct_values, [responses[o] for o in overall], included,
                         strict=True)
    ]  # fmt: skip
    kept = points.loc[points["included"]]
    best_pct = kept.groupby("patient_id")["pct_from_baseline"].min().to_dict()
    progressed = kept.loc[kept["overall_response"] == Code.PD.value].drop_duplicates("patient_id")
    progression = dict(zip(progressed["patient_id"], dates[progressed.index], strict=True))
    table = points["table_response"].to_numpy()
    with_cr = set(pid[table == Code.CR.value])
    out = {}
    for sid in subjects:
        lo, hi = bounds.get(sid, (0, 0))
        choice = choices[sid]

        # The included time points are the patient's first rows (a cut-off ends them).
        def visit(k: int, lo: int = lo) -> Visit:
            return Visit(dates[lo + k], days[lo + k], codes[overall[lo + k]])

        best = explain(choice, visit, spec) if choice.count else no_assessment(spec)
        pct_change = best_pct.get(sid, np.nan)
        notes = _disease_after_cr(range(lo, hi), table, dates, spec) if sid in with_cr else []
        out[sid] = TumourOutcome(
            subject_id=sid,
            bor_confirmed=_RESPONSE[best.confirmed],
            bor_confirmed_reason=best.confirmed_reason,
            bor_unconfirmed=_RESPONSE[best.unconfirmed],
            best_pct_change=None if np.isnan(pct_change) else float(pct_change),
            first_response_date=best.first_response_date,
            first_unconfirmed_response_date=best.first_unconfirmed_response_date,
            progression_date=progression.get(sid),
            time_points=tuple(records[lo:hi]),
            data_quality_flags=tuple(notes + flags.get(sid, [])),
        )
    return out


def _disease_after_cr(
    rows: range, table: np.ndarray, dates: np.ndarray, spec: ResponseSpec
) -> list[str]:
    """The Table 3 note a flag when a PR, SD or non-CR/non-PD follows the first CR."""
    first_cr = next((i for i in rows if table[i] == Code.CR.value), None)
    if first_cr is None:
        return []
    after = {c.value for c in DISEASE_AFTER_CR}
    later = next((i for i in rows if i > first_cr and table[i] in after), None)
    if later is None:
        return []
    return [disease_after_cr_flag(dates[first_cr], table[later], dates[later],
                                  spec.cr_followed_by_pr)]  # fmt: skip


def _by_subject(frame: pd.DataFrame) -> dict[str, list[_Row]]:
    """Rows as plain dicts grouped by subject (one pass; per-patient pandas slicing is slow)."""
    out: dict[str, list[_Row]] = {}
    for row in frame.to_dict(orient="records"):
        out.setdefault(row["subject_id"], []).append(row)
    return out


def _target(r: _Row) -> LesionMeasurement:
    return LesionMeasurement(
        lesion_id=r["lesion_id"],
        state=TargetState(r["state"]) if r["state"] != "present" else TargetState.MEASURED,
        diameter_mm=_opt(r["diameter_mm"]),
        merged_into=_opt(r["merged_into"]),
    )


def _new(r: _Row, lesion: _Row) -> NewLesion:
    return NewLesion(
        lesion_id=r["lesion_id"],
        organ=lesion["organ"],
        nodal=bool(lesion["lymph_node"]),
        equivocal=bool(_opt(r["equivocal"]) or False),
        state=_NEW_STATE.get(r["state"], NewLesionState.PRESENT),
        diameter_mm=_opt(r["diameter_mm"]),
        increased=bool(_opt(r["increased"]) or False),
    )


def _follow_up(scan: _Row, rows: Sequence[_Row], lesion_rows: dict[str, _Row]) -> Assessment:
    kinds = [(r, lesion_rows.get(r["lesion_id"], {}).get("category")) for r in rows]
    status = _opt(scan["non_target_status"])
    return Assessment(
        date=scan["assessment_date"].date(),
        targets=[_target(r) for r, kind in kinds if kind == "target"],
        non_target=None if status is None else NonTargetStatus(status),
        non_target_increased=bool(_opt(scan["non_target_increased"]) or False),
        new_lesions=[_new(r, lesion_rows[r["lesion_id"]]) for r, kind in kinds if kind == "new"],
    )


def tumour_data(ds: TrialDataset) -> list[PatientTumourData]:
    """One record per infused subject with a baseline scan, in the response engine's terms."""
    infused = ds.subjects.loc[ds.subjects["infusion_date"].notna()]
    therapy = dict(zip(ds.disposition["subject_id"], ds.disposition["new_therapy_date"],
                       strict=True))  # fmt: skip
    lesions = _by_subject(ds.lesions)
    scans = _by_subject(ds.tumour_assessments)
    measures = _by_subject(ds.lesion_measurements)
    out = []
    for sid, infusion in zip(infused["subject_id"], infused["infusion_date"], strict=True):
        scan = scans.get(sid, [])
        baseline_scan = next((a for a in scan if a["baseline"] is True), None)
        if baseline_scan is None:
            continue
        baseline_date = baseline_scan["assessment_date"]
        lesion_rows = {r["lesion_id"]: r for r in lesions.get(sid, [])}
        by_date: dict[pd.Timestamp, list[_Row]] = {}
        for m in measures.get(sid, []):
            by_date.setdefault(m["assessment_date"], []).append(m)
        at_baseline = {m["lesion_id"]: m for m in by_date.get(baseline_date, [])}
        baseline = [
            BaselineLesion(
                lesion_id=lid,
                organ=r["organ"],
                nodal=bool(r["lymph_node"]),
                method=Method(_opt(r["method"]) or "CT"),
                slice_thickness_mm=_opt(r["slice_thickness_mm"]),
                diameter_mm=_opt(at_baseline.get(lid, {}).get("diameter_mm")),
                target=r["category"] == "target",
            )
            for lid, r in lesion_rows.items()
            if r["category"] != "new"
        ]
        assessments = [
            _follow_up(a, by_date.get(a["assessment_date"], []), lesion_rows)
            for a in sorted(scan, key=lambda a: a["assessment_date"])
            if a["baseline"] is not True
        ]
        new_therapy = _opt(therapy.get(sid))
        out.append(
            PatientTumourData(
                patient_id=sid,
                reference_date=infusion.date(),
                baseline_date=baseline_date.date(),
                lesions=baseline,
                assessments=assessments,
                new_anticancer_therapy_date=None if new_therapy is None else new_therapy.date(),
            )
        )
    return out


def tumour_outcome(r: PatientResponse) -> TumourOutcome:
    """The analysis's view of a per-patient engine result."""
    return TumourOutcome(
        subject_id=r.patient_id,
        bor_confirmed=r.bor_confirmed,
        bor_confirmed_reason=r.bor_confirmed_reason,
        bor_unconfirmed=r.bor_unconfirmed,
        best_pct_change=r.best_pct_change,
        first_response_date=r.first_response_date,
        first_unconfirmed_response_date=r.first_unconfirmed_response_date,
        progression_date=r.progression_date,
        time_points=tuple(
            TumourPoint(p.date, p.study_day, p.pct_from_baseline, p.overall_response, p.included)
            for p in r.time_points
        ),
        data_quality_flags=tuple(r.data_quality_flags),
    )


def assess_responses(
    ds: TrialDataset, spec: ResponseSpec, criteria: Criteria = "recist11"
) -> dict[str, TumourOutcome]:
    """Best overall response and endpoint dates per patient (RECIST 1.1 or iRECIST); only scans
    up to the data cut-off count."""
    if criteria == "recist11":
        return _recist11(ds, spec)
    cutoff = ds.data_cutoff.date()
    out = {}
    for data in tumour_data(ds):
        kept = [a for a in data.assessments if a.date <= cutoff]
        if len(kept) != len(data.assessments):
            data = data.model_copy(update={"assessments": kept})
        out[data.patient_id] = tumour_outcome(assess_patient(data, spec, criteria))
    return out
