"""ADaM ADAE: adverse events with treatment emergence, relatedness per product and DLT flags.

ADaM Occurrence Data Structure (ADaMIG OCCDS v1.1, section 3): TRTEMFL = onset on or after the
first study treatment (TRTSDT, preconditioning start: the registry collects AEs "since the
initiation of preconditioning chemotherapy"); relatedness to each product the protocol gives
(AREL and the product's cdisc_code) = attribution possible, probable or definite (NCI CTEP
attribution scale, as hyposti.analysis.safety counts it); DLTWFL = onset within the protocol's
DLT window (study days window_first_day..window_last_day from the infusion); DLTFL = the safety
review committee's adjudicated DLT. Only events with onset on or before the data cut-off are
analysed (hyposti.analysis.safety.reported_aes).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from hyposti.analysis.safety import reported_aes
from hyposti.data.dataset import TrialDataset
from hyposti.data.schema import RELATED_ATTRIBUTIONS, attribution_column
from hyposti.protocol import Protocol
from hyposti.standards.conventions import as_date, build, records_by, study_day, yn
from hyposti.standards.spec import Dataset, DomainSpec, Variable


def _y(name: str, label: str) -> Variable:
    return Variable(name, label, core="Cond", codelist="NY")


#: ADAE's variables before and after the relatedness flags, one per product the protocol gives.
_HEAD = (
    Variable("STUDYID", "Study Identifier", core="Req", origin="Predecessor"),
    Variable("USUBJID", "Unique Subject Identifier", core="Req", origin="Predecessor"),
    Variable("AESEQ", "Sequence Number", "integer", "Req", origin="Predecessor"),
    Variable("TRTA", "Actual Treatment", core="Req"),
    Variable("TRTAN", "Actual Treatment (N)", "integer", "Perm"),
    Variable("AETERM", "Reported Term for the Adverse Event", core="Req", origin="Predecessor"),
    Variable("AEDECOD", "Dictionary-Derived Term", core="Req", origin="Predecessor"),
    Variable("AEBODSYS", "Body System or Organ Class", core="Req", origin="Predecessor"),
    Variable("AETOXGR", "Standard Toxicity Grade", core="Perm", codelist="SPONSOR_TOXGR",
             origin="Predecessor"),
    Variable("ATOXGRN", "Analysis Toxicity Grade (N)", "integer", "Perm"),
    Variable("AETOXSCL", "Toxicity Grading Scale", core="Perm", codelist="SPONSOR_AESCALE"),
    Variable("AESER", "Serious Event", core="Perm", codelist="NY", origin="Predecessor"),
    Variable("ASTDT", "Analysis Start Date", "date", "Cond"),
    Variable("AENDT", "Analysis End Date", "date", "Cond"),
    Variable("ASTDY", "Analysis Start Relative Day", "integer", "Perm"),
    _y("TRTEMFL", "Treatment Emergent Analysis Flag"),
)  # fmt: skip
_TAIL = (
    _y("ARELFL", "Related to Any Study Product"),
    _y("DLTWFL", "Onset in DLT Window Flag"),
    _y("DLTFL", "Dose-Limiting Toxicity Flag"),
)


@lru_cache(maxsize=8)
def adae_spec(protocol: Protocol) -> DomainSpec:
    """ADAE for ``protocol``: a relatedness flag AREL<cdisc_code> per product it gives."""
    related = tuple(
        _y(f"AREL{p.cdisc_code}", f"Related to {p.cdisc_label}") for p in protocol.products
    )
    return DomainSpec(
        "ADAE",
        "Adverse Events Analysis Dataset",
        "OCCURRENCE DATA STRUCTURE",
        "One record per adverse event per subject",
        ("STUDYID", "USUBJID", "AESEQ"),
        (*_HEAD, *related, *_TAIL),
        standard="ADaMIG 1.3",
    )


def build_adae(ds: TrialDataset, protocol: Protocol, ae: Dataset, adsl: Dataset) -> Dataset:
    """ADAE from SDTM AE (its AESEQ), the dataset's attributions and ADSL's treatment dates."""
    source = records_by(reported_aes(ds), "ae_id")
    subj = records_by(adsl.frame, "USUBJID")
    first_day, last_day = protocol.dlt.window_first_day, protocol.dlt.window_last_day
    rows = []
    for r in ae.frame.loc[ae.frame["AESPID"].isin(list(source))].itertuples():
        event = source[r.AESPID]
        s = subj[r.USUBJID]
        onset = as_date(event["onset_date"])
        infusion = as_date(s["INFDT"])
        trtsdt = as_date(s["TRTSDT"])
        related = {
            f"AREL{p.cdisc_code}": event[attribution_column(p.id)] in RELATED_ATTRIBUTIONS
            for p in protocol.products
        }
        day_from_infusion = None if infusion is None or onset is None else (onset - infusion).days
        rows.append(
            {
                "STUDYID": r.STUDYID,
                "USUBJID": r.USUBJID,
                "AESEQ": r.AESEQ,
                "TRTA": s["TRT01A"],
                "TRTAN": s["TRT01AN"],
                "AETERM": r.AETERM,
                "AEDECOD": r.AEDECOD,
                "AEBODSYS": r.AEBODSYS,
                "AETOXGR": r.AETOXGR,
                "ATOXGRN": int(str(r.AETOXGR)),  # AE.AETOXGR holds the grade as text
                "AETOXSCL": event["scale"],
                "AESER": r.AESER,
                "ASTDT": onset,
                "AENDT": event["resolution_date"],
                "ASTDY": study_day(onset, infusion),
                "TRTEMFL": yn(trtsdt is not None and onset is not None and onset >= trtsdt),
                **{k: yn(v) for k, v in related.items()},
                "ARELFL": yn(any(related.values())),
                "DLTWFL": yn(day_from_infusion is not None
                             and first_day <= day_from_infusion <= last_day),
                "DLTFL": yn(bool(event["dlt"]) if pd.notna(event["dlt"]) else False),
            }
        )  # fmt: skip
    return build(adae_spec(protocol), rows, ["USUBJID", "AESEQ"])
