"""SDTM special-purpose DM and DS, and the IE findings (SDTMIG 3.4 sections 5.2, 5.3, 6.3.4).

Reference dates (SDTMIG 3.4 section 5.2, DM assumptions): RFSTDTC is the CAR-T infusion, the
trial's day 0, so that SDTM study day 1 is the infusion day and the preconditioning days keep their
protocol numbers (-5, -3, -2); RFXSTDTC/RFXENDTC are the first and last exposure to any study
product (EX); RFICDTC informed consent; RFPENDTC the last contact.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hyposti.data.dataset import TrialDataset
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.standards.conventions import (
    as_date,
    build,
    iso8601,
    records_by,
    study_day,
    usubjid,
    whole,
)
from hyposti.standards.spec import Dataset, DomainSpec, Variable

#: Dataset off-study reasons -> NCOMPLT submission values (CDISC CT C66727).
DISPOSITION_TERMS = {
    "completed": "COMPLETED",
    "screen failure": "SCREEN FAILURE",
    "progression": "PROGRESSIVE DISEASE",
    "death": "DEATH",
    "adverse event": "ADVERSE EVENT",
    "withdrawal of consent": "WITHDRAWAL BY SUBJECT",
    "lost to follow-up": "LOST TO FOLLOW-UP",
    "investigator decision": "PHYSICIAN DECISION",
    "study terminated": "STUDY TERMINATED BY SPONSOR",
}
#: The trial dataset does not collect race: RACE is the CT term saying so (SDTMIG 3.4 DM
#: assumption 9), not a value guessed.
RACE_NOT_COLLECTED = "NOT REPORTED"
#: IETEST holds at most 200 characters; longer text is shortened and the full wording stays in
#: the protocol (SDTMIG 3.4 section 7.4.2, TI assumption 3).
IETEST_MAX = 200


def _id(name: str, label: str, core: str = "Req") -> Variable:
    return Variable(name, label, "text", core, origin="Assigned")  # type: ignore[arg-type]


def identifiers() -> tuple[Variable, ...]:
    """STUDYID, DOMAIN, USUBJID: the identifiers every subject-level domain opens with."""
    return (
        _id("STUDYID", "Study Identifier"),
        _id("DOMAIN", "Domain Abbreviation"),
        _id("USUBJID", "Unique Subject Identifier"),
    )


DM = DomainSpec(
    "DM",
    "Demographics",
    "SPECIAL PURPOSE",
    "One record per subject",
    ("STUDYID", "USUBJID"),
    (
        *identifiers(),
        Variable("SUBJID", "Subject Identifier for the Study", core="Req", origin="Collected"),
        Variable("RFSTDTC", "Subject Reference Start Date/Time", core="Exp", iso8601=True),
        Variable("RFENDTC", "Subject Reference End Date/Time", core="Exp", iso8601=True),
        Variable("RFXSTDTC", "Date/Time of First Study Treatment", core="Exp", iso8601=True),
        Variable("RFXENDTC", "Date/Time of Last Study Treatment", core="Exp", iso8601=True),
        Variable("RFICDTC", "Date/Time of Informed Consent", core="Exp", iso8601=True),
        Variable("RFPENDTC", "Date/Time of End of Participation", core="Exp", iso8601=True),
        Variable("DTHDTC", "Date/Time of Death", core="Exp", iso8601=True),
        Variable("DTHFL", "Subject Death Flag", core="Exp", codelist="NY"),
        Variable("SITEID", "Study Site Identifier", core="Req", origin="Collected"),
        Variable("AGE", "Age", "integer", "Exp", origin="Collected"),
        Variable("AGEU", "Age Units", core="Exp", codelist="AGEU"),
        Variable("SEX", "Sex", core="Req", codelist="SEX", origin="Collected"),
        Variable("RACE", "Race", core="Exp", codelist="RACE", origin="Collected"),
        Variable("ARMCD", "Planned Arm Code", core="Exp"),
        Variable("ARM", "Description of Planned Arm", core="Exp"),
        Variable("ACTARMCD", "Actual Arm Code", core="Exp"),
        Variable("ACTARM", "Description of Actual Arm", core="Exp"),
        Variable("ARMNRS", "Reason Arm and/or Actual Arm is Null", core="Exp"),
        Variable("COUNTRY", "Country", core="Req", origin="Assigned"),
    ),
)

DS = DomainSpec(
    "DS",
    "Disposition",
    "EVENTS",
    "One record per disposition status or protocol milestone per subject",
    ("STUDYID", "USUBJID", "DSSTDTC", "DSDECOD"),
    (
        *identifiers(),
        Variable("DSSEQ", "Sequence Number", "integer", "Req"),
        Variable(
            "DSTERM", "Reported Term for the Disposition Event", core="Req", origin="Collected"
        ),
        Variable("DSDECOD", "Standardized Disposition Term", core="Req", codelist="NCOMPLT"),
        Variable("DSCAT", "Category for Disposition Event", core="Exp", codelist="DSCAT"),
        Variable("EPOCH", "Epoch", core="Perm", codelist="EPOCH"),
        Variable("DSSTDTC", "Start Date/Time of Disposition Event", core="Exp", iso8601=True),
        Variable("DSSTDY", "Study Day of Start of Disposition Event", "integer", "Perm"),
    ),
    value_level=(("DSDECOD", "DSCAT", "PROTOCOL MILESTONE", "PROTMLST"),),
)

IE = DomainSpec(
    "IE",
    "Inclusion/Exclusion Criteria Not Met",
    "FINDINGS",
    "One record per inclusion/exclusion criterion not met per subject",
    ("STUDYID", "USUBJID", "IETESTCD"),
    (
        *identifiers(),
        Variable("IESEQ", "Sequence Number", "integer", "Req"),
        Variable("IETESTCD", "Inclusion/Exclusion Criterion Short Name", core="Req"),
        Variable("IETEST", "Inclusion/Exclusion Criterion", core="Req", origin="Protocol"),
        Variable("IECAT", "Inclusion/Exclusion Category", core="Req", codelist="IECAT"),
        Variable("IEORRES", "I/E Criterion Original Result", core="Req", codelist="NY"),
        Variable("IESTRESC", "I/E Criterion Result in Std Format", core="Req", codelist="NY"),
        Variable("IEDTC", "Date/Time of Collection", core="Perm", iso8601=True),
        Variable("IEDY", "Study Day of Collection", "integer", "Perm"),
    ),
)


def arm_code(level: int) -> str:
    """ARMCD of a dose level: 'DL1', 'DL2', ... (at most 20 characters, SDTMIG 3.4 s7.2.1)."""
    return f"DL{level}"


def arm_label(protocol: Protocol, level: int) -> str:
    """ARM of a dose level: the product, the level's label and its cells/kg."""
    product = protocol.investigational_product
    dose = next(d for d in product.dose_levels if d.level == level)
    return f"{product.name} {dose.label} ({dose.cells_per_kg:.0e} cells/kg)"


def criterion_text(text: str) -> str:
    """IETEST: the criterion's text, shortened at a word to 200 characters with '...' if longer."""
    flat = " ".join(text.split())
    if len(flat) <= IETEST_MAX:
        return flat
    return flat[: IETEST_MAX - 3].rsplit(" ", 1)[0] + "..."


def _exposure_bounds(ds: TrialDataset) -> dict[str, tuple[Any, Any]]:
    ex = ds.exposure
    if ex.empty:
        return {}
    g = ex.groupby("subject_id")["administration_date"]
    return {sid: (lo, hi) for sid, lo, hi in zip(g.min().index, g.min(), g.max(), strict=True)}


def screen_failures(ds: TrialDataset) -> set[str]:
    """Subjects who failed screening: a criterion not met and never enrolled."""
    scr = ds.screening
    unmet = set(scr.loc[~scr["met"].fillna(True).astype(bool), "subject_id"])
    enrolled = set(ds.subjects.loc[ds.subjects["enrolment_date"].notna(), "subject_id"])
    return unmet - enrolled


def build_dm(ds: TrialDataset, protocol: Protocol, country: str) -> Dataset:
    """DM: one record per consented subject (SDTMIG 3.4 section 5.2)."""
    study = ds.study_id
    exposure = _exposure_bounds(ds)
    disp = records_by(ds.disposition, "subject_id")
    failed = screen_failures(ds)
    rows = []
    for s in ds.subjects.itertuples():
        d = disp.get(s.subject_id)
        level = None if pd.isna(s.dose_level) else whole(s.dose_level)
        treated = not pd.isna(s.infusion_date)
        if s.subject_id in failed:
            reason = "SCREEN FAILURE"
        elif level is None:
            reason = "NOT ASSIGNED"
        elif not treated:
            reason = "ASSIGNED, NOT TREATED"
        else:
            reason = ""
        first, last = exposure.get(str(s.subject_id), (None, None))
        death = None if d is None else d["death_date"]
        end = None if d is None else (d["off_study_date"] if pd.notna(d["off_study_date"])
                                      else d["last_contact_date"])  # fmt: skip
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "DM",
                "USUBJID": usubjid(study, s.subject_id),
                "SUBJID": s.subject_id,
                "RFSTDTC": iso8601(s.infusion_date),
                "RFENDTC": iso8601(end) if treated else "",
                "RFXSTDTC": iso8601(first),
                "RFXENDTC": iso8601(last),
                "RFICDTC": iso8601(s.consent_date),
                "RFPENDTC": iso8601(None if d is None else d["last_contact_date"]),
                "DTHDTC": iso8601(death),
                "DTHFL": "Y" if iso8601(death) else "",
                "SITEID": "" if pd.isna(s.site_id) else s.site_id,
                "AGE": s.age_years,
                "AGEU": "YEARS",
                "SEX": s.sex,
                "ARMCD": arm_code(level) if level is not None else "",
                "ARM": arm_label(protocol, level) if level is not None else "",
                "ACTARMCD": arm_code(level) if level is not None and treated else "",
                "ACTARM": arm_label(protocol, level) if level is not None and treated else "",
                "ARMNRS": reason,
                "COUNTRY": country,
            }
        )
    return build(DM, rows, [])


def _epoch(date: object, infusion: object, failed: bool) -> str:
    day, start = as_date(date), as_date(infusion)
    if failed or start is None or day is None:
        return "SCREENING"
    return "TREATMENT" if (day - start).days <= 0 else "FOLLOW-UP"


def build_ds(ds: TrialDataset) -> Dataset:
    """DS: informed consent (protocol milestone) and the end-of-study disposition event."""
    study = ds.study_id
    infusion = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    failed = screen_failures(ds)
    rows = []
    for s in ds.subjects.itertuples():
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "DS",
                "USUBJID": usubjid(study, s.subject_id),
                "DSTERM": "INFORMED CONSENT OBTAINED",
                "DSDECOD": "INFORMED CONSENT OBTAINED",
                "DSCAT": "PROTOCOL MILESTONE",
                "EPOCH": "SCREENING",
                "DSSTDTC": iso8601(s.consent_date),
                "DSSTDY": study_day(s.consent_date, s.infusion_date),
            }
        )
    for d in ds.disposition.itertuples():
        if pd.isna(d.off_study_reason):
            continue
        ref = infusion.get(d.subject_id)
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "DS",
                "USUBJID": usubjid(study, d.subject_id),
                "DSTERM": str(d.off_study_reason).upper(),
                "DSDECOD": DISPOSITION_TERMS[str(d.off_study_reason)],
                "DSCAT": "DISPOSITION EVENT",
                "EPOCH": _epoch(d.off_study_date, ref, d.subject_id in failed),
                "DSSTDTC": iso8601(d.off_study_date),
                "DSSTDY": study_day(d.off_study_date, ref),
            }
        )
    return build(DS, rows, ["DSSTDTC", "DSCAT"])


def build_ie(ds: TrialDataset, protocol: Protocol) -> Dataset:
    """IE: the criteria each subject did not meet (SDTMIG 3.4 section 6.3.4): an inclusion
    criterion not met is IEORRES 'N', an exclusion criterion that applies is 'Y'."""
    study = ds.study_id
    criteria = {c.id: c for c in protocol.eligibility.criteria}
    infusion = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    rows = []
    scr = ds.screening
    for r in scr.loc[~scr["met"].fillna(True).astype(bool)].itertuples():
        c = criteria.get(str(r.criterion_id))
        if c is None:
            raise InputError(
                "screening.criterion_id", r.criterion_id, "must be a criterion of the protocol"
            )
        result = "N" if c.kind == "inclusion" else "Y"
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "IE",
                "USUBJID": usubjid(study, r.subject_id),
                "IETESTCD": c.id,
                "IETEST": criterion_text(c.text),
                "IECAT": c.kind.upper(),
                "IEORRES": result,
                "IESTRESC": result,
                "IEDTC": iso8601(r.screening_date),
                "IEDY": study_day(r.screening_date, infusion.get(r.subject_id)),
            }
        )
    return build(IE, rows, ["IETESTCD"])
