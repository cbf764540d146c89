"""SDTM LB (laboratory test results) and VS (vital signs) from the dataset's lab_results and
vital_signs tables.

SDTMIG 3.4 sections 6.3.5 (LB) and 6.3.15 (VS), findings class: test code and name from the CDISC
LBTESTCD/LBTEST and VSTESTCD/VSTEST codelists; the result as collected (--ORRES, --ORRESU) and
standardised (--STRESC, --STRESN, --STRESU; the standard unit here is the collected one); LB's
normal range (LBORNRLO/LBORNRHI) and where the result falls (LBNRIND, CDISC NRIND codelist); the
last observation before the first study treatment flagged in --LOBXFL (SDTMIG 3.4 section
4.5.9) and, as earlier versions flag baseline, in --BLFL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from hyposti.data.dataset import TrialDataset
from hyposti.standards.conventions import as_date, build, iso8601, study_day, usubjid
from hyposti.standards.sdtm_special import identifiers
from hyposti.standards.spec import Dataset, DomainSpec, Variable

#: The dataset's lab tests as CDISC LBTESTCD, LBTEST (CT 2024-09-27) and a sponsor category.
LAB_CODES: dict[str, tuple[str, str, str]] = {
    "anc": ("NEUT", "Neutrophils", "HEMATOLOGY"),
    "platelets": ("PLAT", "Platelets", "HEMATOLOGY"),
    "haemoglobin": ("HGB", "Hemoglobin", "HEMATOLOGY"),
    "serum_creatinine": ("CREAT", "Creatinine", "CHEMISTRY"),
    "total_bilirubin": ("BILI", "Bilirubin", "CHEMISTRY"),
    "alt": ("ALT", "Alanine Aminotransferase", "CHEMISTRY"),
    "ast": ("AST", "Aspartate Aminotransferase", "CHEMISTRY"),
    "inr": ("INR", "Prothrombin Intl. Normalized Ratio", "COAGULATION"),
    "aptt": ("APTT", "Activated Partial Thromboplastin Time", "COAGULATION"),
}
#: The dataset's vital signs as CDISC VSTESTCD and VSTEST (CT 2024-09-27).
VITAL_CODES: dict[str, tuple[str, str]] = {
    "weight": ("WEIGHT", "Weight"),
    "height": ("HEIGHT", "Height"),
    "spo2": ("OXYSAT", "Oxygen Saturation"),
    "temperature": ("TEMP", "Temperature"),
    "systolic_bp": ("SYSBP", "Systolic Blood Pressure"),
}


def _result_variables(prefix: str) -> tuple[Variable, ...]:
    return (
        Variable(f"{prefix}ORRES", "Result or Finding in Original Units", core="Exp",
                 origin="Collected"),
        Variable(f"{prefix}ORRESU", "Original Units", core="Exp", codelist="UNIT",
                 origin="Collected"),
    )  # fmt: skip


def _standard_variables(prefix: str) -> tuple[Variable, ...]:
    return (
        Variable(f"{prefix}STRESC", "Character Result/Finding in Std Format", core="Exp"),
        Variable(f"{prefix}STRESN", "Numeric Result/Finding in Standard Units", "float", "Exp"),
        Variable(f"{prefix}STRESU", "Standard Units", core="Exp", codelist="UNIT"),
    )


def _timing_variables(prefix: str, what: str) -> tuple[Variable, ...]:
    return (
        Variable(f"{prefix}LOBXFL", "Last Observation Before Exposure Flag", core="Exp",
                 codelist="NY"),
        Variable(f"{prefix}BLFL", "Baseline Flag", core="Perm", codelist="NY"),
        Variable(f"{prefix}DTC", f"Date/Time of {what}", core="Exp", iso8601=True,
                 origin="Collected"),
        Variable(f"{prefix}DY", f"Study Day of {what}", "integer", "Perm"),
    )  # fmt: skip


LB = DomainSpec(
    "LB",
    "Laboratory Test Results",
    "FINDINGS",
    "One record per lab test per time point per visit per subject",
    ("STUDYID", "USUBJID", "LBTESTCD", "LBDTC"),
    (
        *identifiers(),
        Variable("LBSEQ", "Sequence Number", "integer", "Req"),
        Variable("LBTESTCD", "Lab Test or Examination Short Name", core="Req", codelist="LBTESTCD"),
        Variable("LBTEST", "Lab Test or Examination Name", core="Req", codelist="LBTEST"),
        Variable("LBCAT", "Category for Lab Test", core="Exp", origin="Assigned"),
        *_result_variables("LB"),
        Variable("LBORNRLO", "Reference Range Lower Limit in Orig Unit", core="Exp",
                 origin="Collected"),
        Variable("LBORNRHI", "Reference Range Upper Limit in Orig Unit", core="Exp",
                 origin="Collected"),
        *_standard_variables("LB"),
        Variable("LBSTNRLO", "Reference Range Lower Limit-Std Units", "float", "Exp"),
        Variable("LBSTNRHI", "Reference Range Upper Limit-Std Units", "float", "Exp"),
        Variable("LBNRIND", "Reference Range Indicator", core="Exp", codelist="NRIND"),
        *_timing_variables("LB", "Specimen Collection"),
    ),
)  # fmt: skip

VS = DomainSpec(
    "VS",
    "Vital Signs",
    "FINDINGS",
    "One record per vital sign measurement per time point per visit per subject",
    ("STUDYID", "USUBJID", "VSTESTCD", "VSDTC"),
    (
        *identifiers(),
        Variable("VSSEQ", "Sequence Number", "integer", "Req"),
        Variable("VSTESTCD", "Vital Signs Test Short Name", core="Req", codelist="VSTESTCD"),
        Variable("VSTEST", "Vital Signs Test Name", core="Req", codelist="VSTEST"),
        *_result_variables("VS"),
        *_standard_variables("VS"),
        *_timing_variables("VS", "Measurements"),
    ),
)


def reference_range_indicator(value: float, low: float | None, high: float | None) -> str:
    """LBNRIND: LOW below the lower limit, HIGH above the upper, NORMAL within; '' without a
    range (SDTMIG 3.4 LB assumption 7: the indicator compares the result with the range)."""
    if low is None and high is None:
        return ""
    if low is not None and value < low:
        return "LOW"
    if high is not None and value > high:
        return "HIGH"
    return "NORMAL"


def _number(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def _text(value: float | None) -> str:
    return "" if value is None else format(value, "g")


def last_before_exposure(
    records: Iterable[Mapping[str, Any]], first_dose: Mapping[str, dt.date | None], date: str
) -> set[int]:
    """Indices of the last record of each subject and test dated on or before the subject's first
    study treatment (SDTMIG 3.4 section 4.5.9, --LOBXFL); none for the never treated."""
    last: dict[tuple[str, str], tuple[dt.date, int]] = {}
    for i, r in enumerate(records):
        start = first_dose.get(r["subject_id"])
        when = as_date(r[date])
        if start is None or when is None or when > start:
            continue
        key = (r["subject_id"], r["test"])
        if key not in last or when >= last[key][0]:
            last[key] = (when, i)
    return {i for _, i in last.values()}


def _first_doses(ds: TrialDataset) -> dict[str, dt.date | None]:
    if ds.exposure.empty:
        return {}
    first = ds.exposure.groupby("subject_id")["administration_date"].min()
    return {str(k): as_date(v) for k, v in first.items()}


def _findings(
    ds: TrialDataset,
    spec: DomainSpec,
    table: str,
    date: str,
    codes: Mapping[str, tuple[str, ...]],
    extra: Any,
) -> Dataset:
    prefix = spec.name
    study = ds.study_id
    infusion = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    records = getattr(ds, table).to_dict(orient="records")
    flagged = last_before_exposure(records, _first_doses(ds), date)
    rows = []
    for i, r in enumerate(records):
        value = float(r["value"])
        unit = r["unit"] if isinstance(r["unit"], str) else ""
        flag = "Y" if i in flagged else ""
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": prefix,
                "USUBJID": usubjid(study, r["subject_id"]),
                f"{prefix}TESTCD": codes[r["test"]][0],
                f"{prefix}TEST": codes[r["test"]][1],
                f"{prefix}ORRES": _text(value),
                f"{prefix}ORRESU": unit,
                f"{prefix}STRESC": _text(value),
                f"{prefix}STRESN": value,
                f"{prefix}STRESU": unit,
                f"{prefix}LOBXFL": flag,
                f"{prefix}BLFL": flag,
                f"{prefix}DTC": iso8601(r[date]),
                f"{prefix}DY": study_day(r[date], infusion.get(r["subject_id"])),
                **extra(r, value),
            }
        )
    return build(spec, rows, [f"{prefix}DTC", f"{prefix}TESTCD"])


def _lab_extra(r: Mapping[str, Any], value: float) -> dict[str, Any]:
    low, high = _number(r["normal_low"]), _number(r["normal_high"])
    return {
        "LBCAT": LAB_CODES[r["test"]][2],
        "LBORNRLO": _text(low),
        "LBORNRHI": _text(high),
        "LBSTNRLO": low,
        "LBSTNRHI": high,
        "LBNRIND": reference_range_indicator(value, low, high),
    }


def build_lb(ds: TrialDataset) -> Dataset:
    """LB from the lab_results table."""
    return _findings(ds, LB, "lab_results", "collection_date", LAB_CODES, _lab_extra)


def build_vs(ds: TrialDataset) -> Dataset:
    """VS from the vital_signs table."""
    return _findings(ds, VS, "vital_signs", "measurement_date", VITAL_CODES, lambda r, v: {})
