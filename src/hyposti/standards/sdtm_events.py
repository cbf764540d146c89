"""SDTM AE with its supplemental qualifiers SUPPAE (SDTMIG 3.4 sections 6.2.1 and 8.4).

AETOXGR carries the grade on the event's own scale: CTCAE v5.0, or ASTCT 2019 consensus grading
for CRS and ICANS (Lee et al. 2019, Biol Blood Marrow Transplant 25:625); the scale itself, the
relatedness to each preconditioning agent and the adjudicated DLT flag go to SUPPAE (section 8.4:
non-standard variables). AEREL is the relation to the investigational CAR-T product.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from hyposti.data.dataset import TrialDataset
from hyposti.data.schema import attribution_column
from hyposti.protocol import Protocol
from hyposti.standards.controlled_terminology import AEREL
from hyposti.standards.conventions import (
    as_date,
    build,
    iso8601,
    records_by,
    study_day,
    usubjid,
    whole,
    yn,
)
from hyposti.standards.sdtm_special import identifiers
from hyposti.standards.spec import Dataset, DomainSpec, Variable

AE = DomainSpec(
    "AE",
    "Adverse Events",
    "EVENTS",
    "One record per adverse event per subject",
    ("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
    (
        *identifiers(),
        Variable("AESEQ", "Sequence Number", "integer", "Req"),
        Variable("AESPID", "Sponsor-Defined Identifier", core="Perm", origin="Collected"),
        Variable("AETERM", "Reported Term for the Adverse Event", core="Req", origin="Collected"),
        Variable("AEDECOD", "Dictionary-Derived Term", core="Req", origin="Assigned"),
        Variable("AEBODSYS", "Body System or Organ Class", core="Exp", origin="Assigned"),
        Variable("AESER", "Serious Event", core="Exp", codelist="NY", origin="Collected"),
        Variable("AEREL", "Causality", core="Exp", codelist="SPONSOR_REL", origin="Collected"),
        Variable("AEOUT", "Outcome of Adverse Event", core="Perm", codelist="OUT"),
        Variable("AESDTH", "Results in Death", core="Perm", codelist="NY"),
        Variable("AETOXGR", "Standard Toxicity Grade", core="Perm", codelist="SPONSOR_TOXGR",
                 origin="Collected"),
        Variable("EPOCH", "Epoch", core="Perm", codelist="EPOCH"),
        Variable("AESTDTC", "Start Date/Time of Adverse Event", core="Exp", iso8601=True),
        Variable("AEENDTC", "End Date/Time of Adverse Event", core="Exp", iso8601=True),
        Variable("AESTDY", "Study Day of Start of Adverse Event", "integer", "Perm"),
        Variable("AEENDY", "Study Day of End of Adverse Event", "integer", "Perm"),
    ),
)  # fmt: skip

_SUPPAE_VARIABLES = (
    Variable("STUDYID", "Study Identifier", core="Req", origin="Assigned"),
    Variable("RDOMAIN", "Related Domain Abbreviation", core="Req", origin="Assigned"),
    Variable("USUBJID", "Unique Subject Identifier", core="Req", origin="Assigned"),
    Variable("IDVAR", "Identifying Variable", core="Exp", origin="Assigned"),
    Variable("IDVARVAL", "Identifying Variable Value", core="Exp", origin="Assigned"),
    Variable("QNAM", "Qualifier Variable Name", core="Req", origin="Assigned"),
    Variable("QLABEL", "Qualifier Variable Label", core="Req", origin="Assigned"),
    Variable("QVAL", "Data Value", core="Req", origin="Collected"),
    Variable("QORIG", "Origin", core="Req", origin="Assigned"),
    Variable("QEVAL", "Evaluator", core="Exp", origin="Assigned"),
)

#: A SUPPAE qualifier: QNAM, QLABEL, dataset column, how the value is written, QORIG, QEVAL.
Qualifier = tuple[str, str, str, Callable[[Any], str], str, str]


def qualifiers(protocol: Protocol) -> tuple[Qualifier, ...]:
    """SUPPAE's qualifiers: the scale, the causality to each preconditioning agent of
    ``protocol`` (AEREL<cdisc_code>) and the adjudicated DLT."""
    causality: tuple[Qualifier, ...] = tuple(
        (
            f"AEREL{agent.cdisc_code}",
            f"Causality to {agent.cdisc_label}",
            attribution_column(agent.id),
            AEREL.__getitem__,
            "CRF",
            "INVESTIGATOR",
        )
        for agent in protocol.preconditioning
    )
    return (
        ("AETOXSCL", "Toxicity Grading Scale", "scale", str, "CRF", ""),
        *causality,
        ("AEDLT", "Dose-Limiting Toxicity", "dlt", yn, "Assigned", "SAFETY REVIEW COMMITTEE"),
    )


def suppae_spec(protocol: Protocol) -> DomainSpec:
    """SUPPAE for ``protocol``: each qualifier's codelist is given at value level."""
    codelists = {"AETOXSCL": "SPONSOR_AESCALE", "AEDLT": "NY"}
    return DomainSpec(
        "SUPPAE",
        "Supplemental Qualifiers for AE",
        "RELATIONSHIP",
        "One record per supplemental qualifier per AE record",
        ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
        _SUPPAE_VARIABLES,
        subject_level=False,
        value_level=tuple(
            ("QVAL", "QNAM", qnam, codelists.get(qnam, "SPONSOR_REL"))
            for qnam, *_ in qualifiers(protocol)
        ),
    )


def _outcome(grade: int, resolution: object) -> str:
    if grade == 5:
        return "FATAL"
    return "NOT RECOVERED/NOT RESOLVED" if as_date(resolution) is None else "RECOVERED/RESOLVED"


def build_ae(ds: TrialDataset) -> Dataset:
    """AE: one record per adverse-event episode with the grade on its own scale."""
    study = ds.study_id
    infusion = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    investigational = ds.attribution_columns[0]  # the protocol's investigational product
    rows = []
    for a in ds.adverse_events.itertuples():
        ref = infusion.get(a.subject_id)
        onset_day = study_day(a.onset_date, ref)
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "AE",
                "USUBJID": usubjid(study, a.subject_id),
                "AESPID": a.ae_id,
                "AETERM": a.term,
                "AEDECOD": a.term,
                "AEBODSYS": a.soc,
                "AESER": yn(a.serious),
                "AEREL": AEREL[str(getattr(a, investigational))],
                "AEOUT": _outcome(whole(a.grade), a.resolution_date),
                "AESDTH": "Y" if whole(a.grade) == 5 else "N",
                "AETOXGR": str(whole(a.grade)),
                "EPOCH": "TREATMENT" if onset_day is None or onset_day <= 1 else "FOLLOW-UP",
                "AESTDTC": iso8601(a.onset_date),
                "AEENDTC": iso8601(a.resolution_date),
                "AESTDY": onset_day,
                "AEENDY": study_day(a.resolution_date, ref),
            }
        )
    return build(AE, rows, ["AESTDTC", "AESPID"])


def build_suppae(ds: TrialDataset, ae: Dataset, protocol: Protocol) -> Dataset:
    """SUPPAE: scale, relatedness to each preconditioning agent and DLT, keyed by AESEQ."""
    source = records_by(ds.adverse_events, "ae_id")
    rows = []
    for r in ae.frame.itertuples():
        event = source[r.AESPID]
        for qnam, label, column, write, origin, evaluator in qualifiers(protocol):
            value = event[column]
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            rows.append(
                {
                    "STUDYID": r.STUDYID,
                    "RDOMAIN": "AE",
                    "USUBJID": r.USUBJID,
                    "IDVAR": "AESEQ",
                    "IDVARVAL": str(whole(r.AESEQ)),
                    "QNAM": qnam,
                    "QLABEL": label,
                    "QVAL": write(value),
                    "QORIG": origin,
                    "QEVAL": evaluator,
                }
            )
    return build(suppae_spec(protocol), rows, ["USUBJID"])
