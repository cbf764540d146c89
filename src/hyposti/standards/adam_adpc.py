"""ADaM ADPC and ADPP: CAR transgene levels and their NCA parameters (ADaMIG 1.3 BDS).

ADPC (CDISC ADaM Implementation Guide for Non-compartmental Analysis Input Data, ADNCA 2021):
one record per sample with ARELTM = study day from the infusion (days); AVAL is the measured
copies/ug, missing with AVALC 'BLQ' below the LLOQ -- how BLQ values enter NCA is the analysis'
stated rule (hyposti.analysis.nca.BlqRule), not a value imputed here.
ADPP: one record per NCA parameter of SDTM PP, AVAL its value, the unit in PARAM (BDS keeps
one unit per parameter).
"""

from __future__ import annotations

from hyposti.data.dataset import TrialDataset
from hyposti.standards.conventions import build, number, usubjid
from hyposti.standards.sdtm_kinetics import SPECIMEN, reported_samples
from hyposti.standards.spec import Dataset, DomainSpec, Variable

ADPC = DomainSpec(
    "ADPC", "Pharmacokinetic Concentrations Analysis", "BASIC DATA STRUCTURE",
    "One record per subject per specimen per sample", ("STUDYID", "USUBJID", "PARAMCD", "ARELTM"),
    (
        Variable("STUDYID", "Study Identifier", core="Req", origin="Predecessor"),
        Variable("USUBJID", "Unique Subject Identifier", core="Req", origin="Predecessor"),
        Variable("TRT01A", "Actual Treatment for Period 01", core="Req", origin="Predecessor"),
        Variable("PARAMCD", "Parameter Code", core="Req"),
        Variable("PARAM", "Parameter", core="Req"),
        Variable("AVAL", "Analysis Value", "float", "Cond"),
        Variable("AVALC", "Analysis Value (C)", core="Cond"),
        Variable("ALLOQ", "Analysis Lower Limit of Quantitation", "float", "Perm"),
        Variable("ADT", "Analysis Date", "date", "Perm"),
        Variable("ARELTM", "Analysis Relative Time", "float", "Perm"),
        Variable("ARELTMU", "Analysis Relative Time Unit", core="Perm"),
    ),
    standard="ADaMIG 1.3",
)  # fmt: skip
PARAMS = {
    "BLOOD": ("CARBLD", "CAR-HER2 transgene copies in blood (copies/ug)"),
    "TISSUE": ("CARTUM", "CAR-HER2 transgene copies in tumour (copies/ug)"),
}


def build_adpc(ds: TrialDataset, adsl: Dataset) -> Dataset:
    """ADPC for the samples up to the data cut-off."""
    study = ds.study_id
    trt = adsl.frame.set_index("SUBJID")["TRT01A"].to_dict()
    rows = []
    for k in reported_samples(ds).itertuples():
        below = k.copies_per_ug != k.copies_per_ug or number(k.copies_per_ug) < number(k.lloq)
        code, name = PARAMS[SPECIMEN[str(k.matrix)]]
        rows.append(
            {
                "STUDYID": study, "USUBJID": usubjid(study, k.subject_id),
                "TRT01A": trt.get(k.subject_id, ""), "PARAMCD": code, "PARAM": name,
                "AVAL": None if below else k.copies_per_ug, "AVALC": "BLQ" if below else "",
                "ALLOQ": k.lloq, "ADT": k.sample_date, "ARELTM": number(k.study_day),
                "ARELTMU": "DAYS",
            }
        )  # fmt: skip
    return build(ADPC, rows, ["USUBJID", "PARAMCD", "ARELTM"])


ADPP = DomainSpec(
    "ADPP", "Pharmacokinetic Parameters Analysis", "BASIC DATA STRUCTURE",
    "One record per subject per specimen per parameter",
    ("STUDYID", "USUBJID", "PARCAT1", "PARAMCD"),
    (
        Variable("STUDYID", "Study Identifier", core="Req", origin="Predecessor"),
        Variable("USUBJID", "Unique Subject Identifier", core="Req", origin="Predecessor"),
        Variable("TRT01A", "Actual Treatment for Period 01", core="Req", origin="Predecessor"),
        Variable("PARAMCD", "Parameter Code", core="Req", codelist="PKPARMCD",
                 origin="Predecessor"),
        Variable("PARAM", "Parameter", core="Req"),
        Variable("PARCAT1", "Parameter Category 1", core="Perm", origin="Predecessor"),
        Variable("AVAL", "Analysis Value", "float", "Cond", origin="Predecessor"),
    ),
    standard="ADaMIG 1.3",
)  # fmt: skip


def build_adpp(pp: Dataset, adsl: Dataset) -> Dataset:
    """ADPP from SDTM PP: each NCA parameter of each profile, with the subject's treatment."""
    trt = adsl.frame.set_index("USUBJID")["TRT01A"].to_dict()
    rows = [
        {
            "STUDYID": r.STUDYID, "USUBJID": r.USUBJID, "TRT01A": trt.get(r.USUBJID, ""),
            "PARAMCD": r.PPTESTCD, "PARAM": f"{r.PPTEST} ({r.PPSTRESU})", "PARCAT1": r.PPSPEC,
            "AVAL": r.PPSTRESN,
        }
        for r in pp.frame.itertuples()
    ]  # fmt: skip
    return build(ADPP, rows, ["USUBJID", "PARCAT1", "PARAMCD"])
