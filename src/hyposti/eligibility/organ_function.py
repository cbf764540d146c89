"""I7: adequate organ function from labs dated within the window before the first study dose.

Thresholds come from the protocol's sponsor-editable `organ_function` section; creatinine
clearance by Cockcroft & Gault 1976 (Nephron 16:31).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from hyposti.eligibility.context import ScreeningContext, at_least, at_most, fmt
from hyposti.eligibility.dates import age_in_years
from hyposti.eligibility.record import Lab, LabVsUln
from hyposti.eligibility.verdict import Outcome, absent_fields, combine, met, missing, not_met
from hyposti.errors import InputError
from hyposti.protocol.eligibility_spec import OrganFunctionRule, OrganFunctionSpec

_L = TypeVar("_L", Lab, LabVsUln)
_P = ParamSpec("_P")


def cockcroft_gault(
    age_years: int, weight_kg: float, creatinine_mg_dl: float, female: bool
) -> float:
    """Creatinine clearance, mL/min: (140 - age) x weight / (72 x Scr), x 0.85 for women.

    Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
    Nephron 1976;16:31-41.
    """
    clearance = (140 - age_years) * weight_kg / (72 * creatinine_mg_dl)
    return clearance * 0.85 if female else clearance


def _dated(lab: Lab | LabVsUln, field: str, first_dose: dt.date, days: int) -> Outcome | None:
    """Missing-data outcome when the lab is outside the window; None when usable."""
    gap = (first_dose - lab.date).days
    if not 0 <= gap <= days:
        return missing(
            [field],
            f"{field} of {lab.date} is {gap} days before the first dose on "
            f"{first_dose}; a result within {days} days is needed",
        )
    return None


def _minimum(lab: Lab, name: str, limit: float, unit: str) -> Outcome:
    ok = at_least(lab.value, limit)
    sign = ">=" if ok else "<"
    return (met if ok else not_met)(
        f"{name} {fmt(lab.value)} {unit} ({lab.date}) {sign} {fmt(limit)}", **{name: lab.value}
    )


def _uln(lab: LabVsUln, name: str, limit: float, why: str = "") -> Outcome:
    ratio = lab.value / lab.uln
    ok = at_most(lab.value, limit * lab.uln)
    sign = "<=" if ok else ">"
    return (met if ok else not_met)(
        f"{name} {fmt(lab.value)} = {fmt(ratio)} x ULN {fmt(lab.uln)} ({lab.date}) {sign} "
        f"{fmt(limit)} x ULN{why}",
        **{f"{name}_x_uln": round(ratio, 4)},
    )


def _with_exception(
    lab: LabVsUln, name: str, limit: float, loose: float, flag: bool | None, field: str, why: str
) -> Outcome:
    """The usual limit, or the looser one when the exception (``flag``) holds."""
    if at_most(lab.value, limit * lab.uln):
        return _uln(lab, name, limit)
    if flag is None and at_most(lab.value, loose * lab.uln):
        return missing(
            [field],
            f"{name} {fmt(lab.value / lab.uln)} x ULN exceeds {fmt(limit)} "
            f"x ULN; whether {why} applies (limit {fmt(loose)} x ULN) is not recorded",
        )
    if flag:
        return _uln(lab, name, loose, f" ({why})")
    return _uln(lab, name, limit)


def _judged(
    lab: _L | None,
    field: str,
    first_dose: dt.date,
    days: int,
    judge: Callable[Concatenate[_L, _P], Outcome],
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> Outcome:
    """``judge``'s outcome for a lab recorded within the window; else the missing-data one."""
    name = f"labs.{field}"
    if lab is None:
        return missing([name], f"{name} not recorded")
    return _dated(lab, name, first_dose, days) or judge(lab, *args, **kwargs)


def organ_function(rule: OrganFunctionRule, ctx: ScreeningContext) -> Outcome:
    """Registry I7: every organ-function lab within the window and within its threshold."""
    limits = ctx.protocol.organ_function
    assert limits is not None, "Protocol refuses this rule without the section at load"
    record = ctx.record
    first_dose = record.first_study_dose_date
    if first_dose is None:
        return missing(["first_study_dose_date"], "the lab window needs the first study dose date")
    labs, days = record.labs, rule.within_days_before_first_dose
    liver = record.disease.liver_metastases
    # Judges and their arguments are passed, not wrapped in a closure per lab: a screening judges
    # eleven labs, and the synthetic trial screens thousands of candidates.
    return combine(
        [
            _judged(
                labs.anc_10e9_per_l,
                "anc_10e9_per_l",
                first_dose,
                days,
                _minimum,
                "anc",
                limits.anc_min_10e9_per_l,
                "x10^9/L",
            ),
            _judged(
                labs.platelets_10e9_per_l,
                "platelets_10e9_per_l",
                first_dose,
                days,
                _minimum,
                "platelets",
                limits.platelets_min_10e9_per_l,
                "x10^9/L",
            ),
            _judged(
                labs.haemoglobin_g_dl,
                "haemoglobin_g_dl",
                first_dose,
                days,
                _minimum,
                "haemoglobin",
                limits.haemoglobin_min_g_dl,
                "g/dL",
            ),
            _judged(
                labs.total_bilirubin,
                "total_bilirubin",
                first_dose,
                days,
                _with_exception,
                "total_bilirubin",
                limits.total_bilirubin_max_x_uln,
                limits.total_bilirubin_max_x_uln_gilbert,
                labs.gilbert_syndrome,
                "labs.gilbert_syndrome",
                "Gilbert's syndrome",
            ),
            *(
                _judged(
                    transaminase,
                    name,
                    first_dose,
                    days,
                    _with_exception,
                    name,
                    limits.alt_ast_max_x_uln,
                    limits.alt_ast_max_x_uln_liver_metastases,
                    liver,
                    "disease.liver_metastases",
                    "liver metastases",
                )
                for name, transaminase in (("alt", labs.alt), ("ast", labs.ast))
            ),
            _judged(
                labs.serum_creatinine_mg_dl,
                "serum_creatinine_mg_dl",
                first_dose,
                days,
                _clearance,
                ctx,
                limits,
            ),
            _judged(
                labs.lvef_percent,
                "lvef_percent",
                first_dose,
                days,
                _minimum,
                "lvef",
                limits.lvef_min_percent,
                "%",
            ),
            _judged(
                labs.spo2_room_air_percent,
                "spo2_room_air_percent",
                first_dose,
                days,
                _minimum,
                "spo2_room_air",
                limits.spo2_room_air_min_percent,
                "%",
            ),
            *(
                _judged(
                    clotting,
                    name,
                    first_dose,
                    days,
                    _coagulation,
                    name,
                    limit,
                    labs.on_anticoagulation,
                    limits.coagulation_waived_on_anticoagulation,
                )
                for name, clotting, limit in (
                    ("inr", labs.inr, limits.inr_max_x_uln),
                    ("aptt", labs.aptt, limits.aptt_max_x_uln),
                )
            ),
        ]
    )


def _coagulation(
    lab: LabVsUln, name: str, limit: float, anticoagulated: bool | None, waived: bool
) -> Outcome:
    if at_most(lab.value, limit * lab.uln) or not waived:
        return _uln(lab, name, limit)
    if anticoagulated is None:
        return missing(
            ["labs.on_anticoagulation"],
            f"{name} {fmt(lab.value / lab.uln)} x ULN "
            f"exceeds {fmt(limit)} x ULN; anticoagulation status not recorded",
        )
    if anticoagulated:
        return met(
            f"{name} {fmt(lab.value / lab.uln)} x ULN ({lab.date}): limit waived on "
            "therapeutic anticoagulation",
            **{f"{name}_x_uln": round(lab.value / lab.uln, 4)},
        )
    return _uln(lab, name, limit)


def _clearance(creatinine: Lab, ctx: ScreeningContext, limits: OrganFunctionSpec) -> Outcome:
    demo = ctx.record.demographics
    born, weight = demo.date_of_birth, demo.weight_kg
    needed = {
        "demographics.date_of_birth": born,
        "demographics.weight_kg": weight,
        "demographics.sex": demo.sex,
    }
    absent = absent_fields(needed)
    if absent or born is None or weight is None:
        return missing(absent, "creatinine clearance (Cockcroft-Gault) needs age, weight and sex")
    if creatinine.value <= 0:
        raise InputError(
            "labs.serum_creatinine_mg_dl.value",
            creatinine.value,
            "serum creatinine must be positive (Cockcroft-Gault divides by it)",
        )
    age = age_in_years(born, creatinine.date)
    clearance = cockcroft_gault(age, weight, creatinine.value, demo.sex == "female")
    ok = at_least(clearance, limits.creatinine_clearance_min_ml_min)
    sign = ">=" if ok else "<"
    return (met if ok else not_met)(
        f"creatinine clearance {clearance:.1f} mL/min (Cockcroft-Gault: age {age}, "
        f"{fmt(weight)} kg, creatinine {fmt(creatinine.value)} mg/dL, {demo.sex}) {sign} "
        f"{fmt(limits.creatinine_clearance_min_ml_min)}",
        creatinine_clearance_ml_min=round(clearance, 2),
    )
