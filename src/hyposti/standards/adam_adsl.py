"""ADaM ADSL: one record per subject with populations, treatment, key dates (ADaMIG 1.3 s3.2).

TRTSDT is the first exposure to any study product (the start of preconditioning, which is also
where the registry starts adverse-event collection); INFDT is the CAR-T infusion, the origin of
PFS, OS and TTR in the registry's endpoint definitions and the SDTM reference start (RFSTDTC).
Populations: SAFFL started preconditioning with a dose level (hyposti.analysis.safety);
INFFL infused (the efficacy population of hyposti.analysis); DLTEVLFL DLT-evaluable.
ADSL holds the subjects assigned a dose level: screen failures and subjects never assigned stay
in DM and DS (their ARM is null there with ARMNRS, SDTMIG 3.4 section 5.2), since ADSL's ARM and
TRT01P are required. ACTARM and TRT01A are null for a subject assigned but not treated, as
SDTMIG 3.4 leaves ACTARM null with ARMNRS 'ASSIGNED, NOT TREATED'.
"""

from __future__ import annotations

import pandas as pd

from hyposti.analysis.safety import safety_population
from hyposti.data.dataset import TrialDataset
from hyposti.protocol import Protocol
from hyposti.standards.conventions import as_date, build, records_by, usubjid, whole, yn
from hyposti.standards.sdtm_special import (
    DISPOSITION_TERMS,
    RACE_NOT_COLLECTED,
    arm_code,
    arm_label,
)
from hyposti.standards.spec import Dataset, DomainSpec, Variable


def _flag(name: str, label: str) -> Variable:
    return Variable(name, label, core="Cond", codelist="NY")


ADSL = DomainSpec(
    "ADSL", "Subject-Level Analysis Dataset", "SUBJECT LEVEL ANALYSIS DATASET",
    "One record per subject", ("STUDYID", "USUBJID"),
    (
        Variable("STUDYID", "Study Identifier", core="Req", origin="Predecessor"),
        Variable("USUBJID", "Unique Subject Identifier", core="Req", origin="Predecessor"),
        Variable("SUBJID", "Subject Identifier for the Study", core="Req", origin="Predecessor"),
        Variable("SITEID", "Study Site Identifier", core="Req", origin="Predecessor"),
        Variable("AGE", "Age", "integer", "Req", origin="Predecessor"),
        Variable("AGEU", "Age Units", core="Req", codelist="AGEU", origin="Predecessor"),
        Variable("SEX", "Sex", core="Req", codelist="SEX", origin="Predecessor"),
        Variable("RACE", "Race", core="Req", codelist="RACE", origin="Predecessor"),
        Variable("ARM", "Description of Planned Arm", core="Req", origin="Predecessor"),
        Variable("ACTARM", "Description of Actual Arm", core="Cond", origin="Predecessor"),
        Variable("PHASE", "Trial Part", core="Perm"),
        Variable("COHORT", "Escalation Cohort", "integer", "Perm"),
        Variable("TRT01P", "Planned Treatment for Period 01", core="Req"),
        Variable("TRT01PN", "Planned Treatment for Period 01 (N)", "integer", "Perm"),
        Variable("TRT01A", "Actual Treatment for Period 01", core="Cond"),
        Variable("TRT01AN", "Actual Treatment for Period 01 (N)", "integer", "Perm"),
        Variable("TRTSDT", "Date of First Exposure to Treatment", "date", "Cond"),
        Variable("TRTEDT", "Date of Last Exposure to Treatment", "date", "Cond"),
        Variable("INFDT", "Date of CAR-T Infusion", "date", "Perm"),
        Variable("ENRLFL", "Enrolled Population Flag", core="Cond", codelist="NY"),
        _flag("SAFFL", "Safety Population Flag"),
        _flag("INFFL", "Infused Population Flag"),
        _flag("DLTEVLFL", "DLT-Evaluable Population Flag"),
        Variable("EOSSTT", "End of Study Status", core="Perm"),
        Variable("DCSREAS", "Reason for Discontinuation from Study", core="Perm",
                 codelist="NCOMPLT"),
        Variable("EOSDT", "End of Study Date", "date", "Perm"),
        Variable("DTHFL", "Subject Died?", core="Perm", codelist="NY"),
        Variable("DTHDT", "Date of Death", "date", "Perm"),
        Variable("LSTALVDT", "Date Last Known Alive", "date", "Perm"),
        Variable("DCUTDT", "Data Cutoff Date", "date", "Perm"),
    ),
    standard="ADaMIG 1.3",
)  # fmt: skip


def build_adsl(ds: TrialDataset, protocol: Protocol) -> Dataset:
    """ADSL from the dataset: one row per consented subject."""
    study = ds.study_id
    safety = set(safety_population(ds)["subject_id"])
    dlt = ds.dlt_evaluations.set_index("subject_id")["evaluable"].to_dict()
    disp = records_by(ds.disposition, "subject_id")
    exposure = ds.exposure.groupby("subject_id")["administration_date"]
    first, last = exposure.min().to_dict(), exposure.max().to_dict()
    cutoff = ds.data_cutoff.date()
    rows = []
    for s in ds.subjects.loc[ds.subjects["dose_level"].notna()].itertuples():
        level = whole(s.dose_level)
        treated = pd.notna(s.infusion_date)
        d = disp.get(s.subject_id)
        reason = None if d is None or pd.isna(d["off_study_reason"]) else d["off_study_reason"]
        death = None if d is None else as_date(d["death_date"])
        contact = None if d is None else as_date(d["last_contact_date"])
        planned = arm_label(protocol, level)
        rows.append(
            {
                "STUDYID": study,
                "USUBJID": usubjid(study, s.subject_id),
                "SUBJID": s.subject_id,
                "SITEID": "" if pd.isna(s.site_id) else s.site_id,
                "AGE": s.age_years,
                "AGEU": "YEARS",
                "SEX": s.sex,
                "RACE": RACE_NOT_COLLECTED,
                "ARM": planned,
                "ACTARM": planned if treated else "",
                "PHASE": "" if pd.isna(s.phase) else str(s.phase).upper(),
                "COHORT": s.cohort,
                "TRT01P": arm_code(level),
                "TRT01PN": level,
                "TRT01A": arm_code(level) if treated else "",
                "TRT01AN": level if treated else None,
                "TRTSDT": first.get(s.subject_id),
                "TRTEDT": last.get(s.subject_id),
                "INFDT": s.infusion_date,
                "ENRLFL": yn(pd.notna(s.enrolment_date)),
                "SAFFL": yn(s.subject_id in safety),
                "INFFL": yn(treated),
                "DLTEVLFL": yn(bool(dlt.get(s.subject_id, False))),
                "EOSSTT": ("COMPLETED" if reason == "completed" else "DISCONTINUED")
                if reason
                else "ONGOING",
                "DCSREAS": DISPOSITION_TERMS[reason] if reason and reason != "completed" else "",
                "EOSDT": None if d is None else d["off_study_date"],
                "DTHFL": "Y" if death is not None and death <= cutoff else "",
                "DTHDT": death if death is not None and death <= cutoff else None,
                "LSTALVDT": None if contact is None else min(contact, cutoff),
                "DCUTDT": cutoff,
            }
        )
    return build(ADSL, rows, ["USUBJID"])
