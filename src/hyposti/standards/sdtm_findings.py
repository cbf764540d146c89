"""SDTM oncology findings TU, TR, RS (SDTMIG 3.4 section 6.3.9; SDTM Oncology domains).

TU identifies each lesion (target, non-target, new) with TULNKID linking its TR measurements;
TR holds each target or new lesion's diameter (LDIAM, or SAXIS for a lymph node: RECIST 1.1,
Eisenhauer 2009 section 3.2) or its state when not measured; RS holds the overall response at
each assessment (OVRLRESP) by RECIST 1.1 and by iRECIST (Seymour 2017), as hyposti.response
assesses it, with RSCAT naming the criteria.
"""

from __future__ import annotations

import pandas as pd

from hyposti.analysis.tumour import TumourOutcome
from hyposti.data.dataset import TrialDataset
from hyposti.standards.conventions import build, iso8601, number, study_day, usubjid
from hyposti.standards.sdtm_special import identifiers
from hyposti.standards.spec import Dataset, DomainSpec, Variable

CRITERIA_NAMES = {"recist11": "RECIST 1.1", "irecist": "iRECIST"}
METHODS = {"CT": "CT SCAN", "MRI": "MRI", "caliper": "CALIPER", "chest_xray": "X-RAY"}


def _dtc(prefix: str) -> tuple[Variable, Variable]:
    return (
        Variable(f"{prefix}DTC", "Date/Time of Collection", core="Exp", iso8601=True),
        Variable(f"{prefix}DY", "Study Day of Collection", "integer", "Perm"),
    )


TU = DomainSpec(
    "TU", "Tumor/Lesion Identification", "FINDINGS",
    "One record per identified lesion per subject", ("STUDYID", "USUBJID", "TULNKID"),
    (
        *identifiers(),
        Variable("TUSEQ", "Sequence Number", "integer", "Req"),
        Variable("TULNKID", "Link ID", core="Exp", origin="Collected"),
        Variable("TUTESTCD", "Tumor/Lesion ID Short Name", core="Req", codelist="TUTESTCD"),
        Variable("TUTEST", "Tumor/Lesion ID Test Name", core="Req"),
        Variable("TUORRES", "Tumor/Lesion ID Result", core="Exp", codelist="TUORRES",
                 origin="Collected"),
        Variable("TUSTRESC", "Tumor/Lesion ID Result Std. Format", core="Exp",
                 codelist="TUORRES"),
        Variable("TULOC", "Location of the Tumor/Lesion", core="Exp", origin="Collected"),
        Variable("TUMETHOD", "Method of Identification", core="Exp", codelist="METHOD",
                 origin="Collected"),
        Variable("TUEVAL", "Evaluator", core="Exp"),
        *_dtc("TU"),
    ),
)  # fmt: skip
TR = DomainSpec(
    "TR", "Tumor/Lesion Results", "FINDINGS",
    "One record per tumor measurement/assessment per visit per subject",
    ("STUDYID", "USUBJID", "TRLNKID", "TRTESTCD", "TRDTC"),
    (
        *identifiers(),
        Variable("TRSEQ", "Sequence Number", "integer", "Req"),
        Variable("TRGRPID", "Group ID", core="Perm"),
        Variable("TRLNKID", "Link ID", core="Exp", origin="Collected"),
        Variable("TRTESTCD", "Tumor/Lesion Assessment Short Name", core="Req",
                 codelist="TRTESTCD"),
        Variable("TRTEST", "Tumor/Lesion Assessment Test Name", core="Req"),
        Variable("TRORRES", "Result or Finding in Original Units", core="Exp",
                 origin="Collected"),
        Variable("TRORRESU", "Original Units", core="Exp", codelist="UNIT"),
        Variable("TRSTRESC", "Character Result/Finding in Std Format", core="Exp"),
        Variable("TRSTRESN", "Numeric Result/Finding in Standard Units", "float", "Exp"),
        Variable("TRSTRESU", "Standard Units", core="Exp", codelist="UNIT"),
        Variable("TREVAL", "Evaluator", core="Exp"),
        *_dtc("TR"),
    ),
)  # fmt: skip
RS = DomainSpec(
    "RS", "Disease Response and Clin Classification", "FINDINGS",
    "One record per response assessment per visit per criteria per subject",
    ("STUDYID", "USUBJID", "RSCAT", "RSTESTCD", "RSDTC"),
    (
        *identifiers(),
        Variable("RSSEQ", "Sequence Number", "integer", "Req"),
        Variable("RSTESTCD", "Assessment Short Name", core="Req", codelist="ONCRSTCD"),
        Variable("RSTEST", "Assessment Name", core="Req", codelist="ONCRSTS"),
        Variable("RSCAT", "Category for Assessment", core="Exp"),
        Variable("RSORRES", "Result or Finding in Original Units", core="Exp",
                 codelist="ONCRSR"),
        Variable("RSSTRESC", "Character Result/Finding in Std Format", core="Exp",
                 codelist="ONCRSR"),
        Variable("RSEVAL", "Evaluator", core="Exp"),
        Variable("RSACPTFL", "Accepted Record Flag", core="Perm", codelist="NY"),
        *_dtc("RS"),
    ),
)  # fmt: skip

TR_STATES = {
    "disappeared": "ABSENT",
    "too_small_to_measure": "TOO SMALL TO MEASURE",
    "not_evaluated": "NOT EVALUATED",
    "merged": "MERGED",
    "present": "PRESENT",
}


def _infusions(ds: TrialDataset) -> dict[str, object]:
    dates = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    return {str(subject): date for subject, date in dates.items()}


def build_tu(ds: TrialDataset) -> Dataset:
    """TU: each lesion, dated by its baseline scan (new lesions: the scan first showing them)."""
    study = ds.study_id
    infusion = _infusions(ds)
    baseline = ds.tumour_assessments.loc[ds.tumour_assessments["baseline"].fillna(False)]
    baseline_date = baseline.set_index("subject_id")["assessment_date"].to_dict()
    first_seen = ds.lesion_measurements.groupby(["subject_id", "lesion_id"])[
        "assessment_date"
    ].min()
    rows = []
    for lesion in ds.lesions.itertuples():
        new = lesion.category == "new"
        date = (first_seen.get((lesion.subject_id, lesion.lesion_id)) if new
                else baseline_date.get(lesion.subject_id))  # fmt: skip
        result = str(lesion.category).upper()
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "TU",
                "USUBJID": usubjid(study, lesion.subject_id),
                "TULNKID": lesion.lesion_id,
                "TUTESTCD": "TUMIDENT",
                "TUTEST": "Tumor Identification",
                "TUORRES": result,
                "TUSTRESC": result,
                "TULOC": str(lesion.organ).upper(),
                "TUMETHOD": "" if pd.isna(lesion.method) else METHODS[str(lesion.method)],
                "TUEVAL": "INVESTIGATOR",
                "TUDTC": iso8601(date),
                "TUDY": study_day(date, infusion.get(str(lesion.subject_id))),
            }
        )
    return build(TU, rows, ["TUDTC", "TULNKID"])


def build_tr(ds: TrialDataset) -> Dataset:
    """TR: a diameter (LDIAM; SAXIS for a node) or, when not measured, the lesion's state."""
    study = ds.study_id
    infusion = _infusions(ds)
    lesions = {(r["subject_id"], r["lesion_id"]): r for r in ds.lesions.to_dict(orient="records")}
    rows = []
    for m in ds.lesion_measurements.itertuples():
        lesion = lesions[(m.subject_id, m.lesion_id)]
        common = {
            "STUDYID": study,
            "DOMAIN": "TR",
            "USUBJID": usubjid(study, m.subject_id),
            "TRGRPID": str(lesion["category"]).upper(),
            "TRLNKID": m.lesion_id,
            "TREVAL": "INVESTIGATOR",
            "TRDTC": iso8601(m.assessment_date),
            "TRDY": study_day(m.assessment_date, infusion.get(str(m.subject_id))),
        }
        if pd.notna(m.diameter_mm):
            node = bool(lesion["lymph_node"])
            rows.append(
                common | {
                    "TRTESTCD": "SAXIS" if node else "LDIAM",
                    "TRTEST": "Short Axis" if node else "Longest Diameter",
                    "TRORRES": f"{number(m.diameter_mm):g}", "TRORRESU": "mm",
                    "TRSTRESC": f"{number(m.diameter_mm):g}", "TRSTRESN": m.diameter_mm,
                    "TRSTRESU": "mm",
                }
            )  # fmt: skip
        else:
            state = TR_STATES[m.state]
            rows.append(
                common | {"TRTESTCD": "TUMSTATE", "TRTEST": "Tumor State", "TRORRES": state,
                          "TRSTRESC": state}
            )  # fmt: skip
    return build(TR, rows, ["TRDTC", "TRLNKID", "TRTESTCD"])


def build_rs(ds: TrialDataset, responses: dict[str, dict[str, TumourOutcome]]) -> Dataset:
    """RS: OVRLRESP at every follow-up assessment, per criteria (``responses[criteria][subject]``).

    RSACPTFL is 'N' on assessments the best-response rules exclude (after progression or new
    anticancer therapy; RECIST 1.1 section 4.4.3)."""
    study = ds.study_id
    infusion = _infusions(ds)
    rows = []
    for criteria, by_subject in responses.items():
        for sid, r in by_subject.items():
            for p in r.time_points:
                value = p.overall_response.value
                rows.append(
                    {
                        "STUDYID": study,
                        "DOMAIN": "RS",
                        "USUBJID": usubjid(study, sid),
                        "RSTESTCD": "OVRLRESP",
                        "RSTEST": "Overall Response",
                        "RSCAT": CRITERIA_NAMES[criteria],
                        "RSORRES": value,
                        "RSSTRESC": value,
                        "RSEVAL": "INVESTIGATOR",
                        "RSACPTFL": "Y" if p.included else "N",
                        "RSDTC": iso8601(p.date),
                        "RSDY": study_day(p.date, infusion.get(sid)),
                    }
                )
    return build(RS, rows, ["RSCAT", "RSDTC"])
