"""SDTM trial design domains from the protocol file: TS, TE, TA, TV, TI (SDTMIG 3.4 section 7).

TE/TA (section 7.2): screening, preconditioning chemotherapy (day -5 nab-paclitaxel, days -3 and
-2 cyclophosphamide), one CAR-T infusion element per dose level, and follow-up; one arm per dose
level. TV (section 7.3.1): the protocol's visit days with VISITDY in SDTM study days (section
4.4.4: protocol day d >= 0 is SDTM day d + 1). TI (section 7.4.2): the 25 criteria. TS (section
7.6.1): registry facts as trial summary parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.standards.conventions import build, iso8601
from hyposti.standards.sdtm_special import arm_code, arm_label, criterion_text
from hyposti.standards.spec import Dataset, DomainSpec, Variable

STUDY = (
    Variable("STUDYID", "Study Identifier", core="Req", origin="Protocol"),
    Variable("DOMAIN", "Domain Abbreviation", core="Req", origin="Assigned"),
)

TS = DomainSpec(
    "TS", "Trial Summary", "TRIAL DESIGN", "One record per trial summary parameter value",
    ("STUDYID", "TSPARMCD", "TSSEQ"),
    (
        *STUDY,
        Variable("TSSEQ", "Sequence Number", "integer", "Req"),
        Variable("TSPARMCD", "Trial Summary Parameter Short Name", core="Req", codelist="TSPARMCD"),
        Variable("TSPARM", "Trial Summary Parameter", core="Req", codelist="TSPARM"),
        Variable("TSVAL", "Parameter Value", core="Exp", origin="Protocol"),
    ),
    subject_level=False,
)  # fmt: skip
TE = DomainSpec(
    "TE", "Trial Elements", "TRIAL DESIGN", "One record per planned Element", ("STUDYID", "ETCD"),
    (
        *STUDY,
        Variable("ETCD", "Element Code", core="Req"),
        Variable("ELEMENT", "Description of Element", core="Req"),
        Variable("TESTRL", "Rule for Start of Element", core="Req"),
        Variable("TEENRL", "Rule for End of Element", core="Perm"),
        Variable("TEDUR", "Planned Duration of Element", core="Perm"),
    ),
    subject_level=False,
)  # fmt: skip
TA = DomainSpec(
    "TA", "Trial Arms", "TRIAL DESIGN", "One record per planned Element per Arm",
    ("STUDYID", "ARMCD", "TAETORD"),
    (
        *STUDY,
        Variable("ARMCD", "Planned Arm Code", core="Req"),
        Variable("ARM", "Description of Planned Arm", core="Req"),
        Variable("TAETORD", "Planned Order of Element within Arm", "integer", "Req"),
        Variable("ETCD", "Element Code", core="Req"),
        Variable("ELEMENT", "Description of Element", core="Perm"),
        Variable("TABRANCH", "Branch", core="Exp"),
        Variable("TATRANS", "Transition Rule", core="Exp"),
        Variable("EPOCH", "Epoch", core="Req", codelist="EPOCH"),
    ),
    subject_level=False,
)  # fmt: skip
TV = DomainSpec(
    "TV", "Trial Visits", "TRIAL DESIGN", "One record per planned Visit per Arm",
    ("STUDYID", "VISITNUM"),
    (
        *STUDY,
        Variable("VISITNUM", "Visit Number", "float", "Req"),
        Variable("VISIT", "Visit Name", core="Perm"),
        Variable("VISITDY", "Planned Study Day of Visit", "integer", "Perm"),
        Variable("TVSTRL", "Visit Start Rule", core="Req"),
        Variable("TVENRL", "Visit End Rule", core="Perm"),
    ),
    subject_level=False,
)  # fmt: skip
TI = DomainSpec(
    "TI", "Trial Inclusion/Exclusion Criteria", "TRIAL DESIGN", "One record per I/E criterion",
    ("STUDYID", "IETESTCD"),
    (
        *STUDY,
        Variable("IETESTCD", "Incl/Excl Criterion Short Name", core="Req"),
        Variable("IETEST", "Inclusion/Exclusion Criterion", core="Req", origin="Protocol"),
        Variable("IECAT", "Inclusion/Exclusion Category", core="Req", codelist="IECAT"),
        Variable("TIVERS", "Protocol Criteria Versions", core="Perm"),
    ),
    subject_level=False,
)  # fmt: skip

# Registry wording -> TS submission values (TPHASE, STYPE, INTMODEL, TBLIND, SEXPOP codelists).
PHASES = {
    ("Phase 1",): "PHASE I TRIAL",
    ("Phase 1", "Phase 2"): "PHASE I/II TRIAL",
    ("Phase 2",): "PHASE II TRIAL",
}
STUDY_TYPES = {"Interventional": "INTERVENTIONAL"}
MODELS = {"Single Group Assignment": "SINGLE GROUP", "Parallel Assignment": "PARALLEL"}
MASKING = {"None (Open Label)": "OPEN LABEL"}
SEXES = {"All": "BOTH", "Female": "F", "Male": "M"}
TS_NAMES = {
    "TITLE": "Trial Title",
    "TPHASE": "Trial Phase Classification",
    "STYPE": "Study Type",
    "INTMODEL": "Intervention Model",
    "TBLIND": "Trial Blinding Schema",
    "RANDOM": "Trial is Randomized",
    "TCNTRL": "Control Type",
    "NARMS": "Planned Number of Arms",
    "PLANSUB": "Planned Number of Subjects",
    "AGEMIN": "Planned Minimum Age of Subjects",
    "AGEMAX": "Planned Maximum Age of Subjects",
    "SEXPOP": "Sex of Participants",
    "HLTSUBJI": "Healthy Subject Indicator",
    "SPONSOR": "Clinical Study Sponsor",
    "REGID": "Registry Identifier",
    "TRT": "Investigational Therapy or Treatment",
    "INDIC": "Trial Disease/Condition Indication",
    "ROUTE": "Route of Administration",
    "DOSU": "Dose Units",
    "DCUTDTC": "Data Cutoff Date",
}
TSVAL_MAX = 200


def _lookup(table: Mapping[Any, str], key: object, field: str) -> str:
    if key not in table:
        raise InputError(field, key, f"no CDISC submission value is mapped; known: {list(table)}")
    return str(table[key])


def build_ts(protocol: Protocol, data_cutoff: dt.date) -> Dataset:
    """TS: one record per trial summary parameter (SDTMIG 3.4 section 7.6.1)."""
    ids = protocol.identifiers
    low, high = protocol.eligibility.age_range_years
    values = {
        "TITLE": ids.official_title,
        "TPHASE": _lookup(PHASES, tuple(ids.phases), "identifiers.phases"),
        "STYPE": _lookup(STUDY_TYPES, ids.study_type, "identifiers.study_type"),
        "INTMODEL": _lookup(MODELS, ids.intervention_model, "identifiers.intervention_model"),
        "TBLIND": _lookup(MASKING, ids.masking, "identifiers.masking"),
        "RANDOM": "N" if ids.allocation in ("N/A", "Non-Randomized") else "Y",
        "TCNTRL": "NONE",
        "NARMS": str(protocol.num_doses),
        "PLANSUB": str(protocol.enrolment.total_estimated),
        "AGEMIN": f"P{low}Y",
        "AGEMAX": f"P{high}Y",
        "SEXPOP": _lookup(SEXES, protocol.eligibility.sexes, "eligibility.sexes"),
        "HLTSUBJI": "Y" if protocol.eligibility.accepts_healthy_volunteers else "N",
        "SPONSOR": ids.sponsor,
        "REGID": ids.nct_id,
        "TRT": protocol.investigational_product.name,
        "INDIC": ids.condition,
        "ROUTE": "INTRAVENOUS",
        "DOSU": protocol.investigational_product.dose_unit,
        "DCUTDTC": iso8601(data_cutoff),
    }
    rows = []
    for code, value in values.items():
        if len(value) > TSVAL_MAX:
            raise InputError(f"TS.{code}", value, f"TSVAL holds at most {TSVAL_MAX} characters")
        rows.append({"STUDYID": ids.nct_id, "DOMAIN": "TS", "TSSEQ": 1, "TSPARMCD": code,
                     "TSPARM": TS_NAMES[code], "TSVAL": value})  # fmt: skip
    return build(TS, rows, [])


def _elements(protocol: Protocol) -> list[dict[str, str]]:
    pre = sorted(d for agent in protocol.preconditioning for d in agent.days)
    names = " and ".join(a.name for a in protocol.preconditioning)
    span = -pre[0]
    out = [
        {"ETCD": "SCRN", "ELEMENT": "Screening", "TESTRL": "Informed consent",
         "TEENRL": f"{span} days before the CAR-T infusion", "TEDUR": ""},
        {"ETCD": "PRECOND", "ELEMENT": f"Preconditioning: {names}",
         "TESTRL": f"First preconditioning dose (study day {pre[0]})",
         "TEENRL": "CAR-T infusion", "TEDUR": f"P{span}D"},
    ]  # fmt: skip
    for d in protocol.investigational_product.dose_levels:
        out.append({"ETCD": f"CART{d.level}", "ELEMENT": f"CAR-T infusion, {d.label}",
                    "TESTRL": f"Infusion of {d.cells_per_kg:.0e} cells/kg (study day 0)",
                    "TEENRL": "End of the DLT window (study day "
                              f"{protocol.dlt.window_last_day})",
                    "TEDUR": f"P{protocol.dlt.window_last_day + 1}D"})  # fmt: skip
    out.append({"ETCD": "FU", "ELEMENT": "Follow-up", "TESTRL": "End of the DLT window",
                "TEENRL": "End of study, death or withdrawal", "TEDUR": ""})  # fmt: skip
    return out


def build_te(protocol: Protocol) -> Dataset:
    """TE: the planned elements (SDTMIG 3.4 section 7.2.2)."""
    study = protocol.identifiers.nct_id
    return build(TE, [{"STUDYID": study, "DOMAIN": "TE", **e} for e in _elements(protocol)], [])


def build_ta(protocol: Protocol) -> Dataset:
    """TA: one arm per dose level, each screening -> preconditioning -> CAR-T -> follow-up."""
    study = protocol.identifiers.nct_id
    elements = {e["ETCD"]: e["ELEMENT"] for e in _elements(protocol)}
    rows = []
    for d in protocol.investigational_product.dose_levels:
        path = [("SCRN", "SCREENING"), ("PRECOND", "TREATMENT"), (f"CART{d.level}", "TREATMENT"),
                ("FU", "FOLLOW-UP")]  # fmt: skip
        for order, (etcd, epoch) in enumerate(path, start=1):
            rows.append(
                {
                    "STUDYID": study,
                    "DOMAIN": "TA",
                    "ARMCD": arm_code(d.level),
                    "ARM": arm_label(protocol, d.level),
                    "TAETORD": order,
                    "ETCD": etcd,
                    "ELEMENT": elements[etcd],
                    "TABRANCH": "Assigned to this dose level at enrolment" if order == 1 else "",
                    "TATRANS": "",
                    "EPOCH": epoch,
                }
            )
    return build(TA, rows, ["ARMCD", "TAETORD"])


def sdtm_day(protocol_day: int) -> int:
    """The SDTM study day of a protocol day (day 0 = infusion = SDTM day 1; no day 0)."""
    return protocol_day + 1 if protocol_day >= 0 else protocol_day


def build_tv(protocol: Protocol) -> Dataset:
    """TV: screening, each preconditioning day, the infusion and every scheduled follow-up."""
    study = protocol.identifiers.nct_id
    if protocol.schedule is None:
        raise InputError("protocol.schedule", None, "TV needs the protocol's visit schedule")
    sched = protocol.schedule
    pre = sorted({d for agent in protocol.preconditioning for d in agent.days})
    days = [*pre, protocol.investigational_product.infusion_day, *sched.visit_days()]
    rows = [
        {"STUDYID": study, "DOMAIN": "TV", "VISITNUM": 1, "VISIT": "SCREENING",
         "VISITDY": sdtm_day(-sched.screening_within_days_before_infusion),
         "TVSTRL": "Informed consent",
         "TVENRL": f"Within {sched.screening_within_days_before_infusion} days before infusion"}
    ]  # fmt: skip
    for n, day in enumerate(days, start=2):
        window = sched.window_for(day) if day >= 1 else 0
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "TV",
                "VISITNUM": n,
                "VISIT": f"DAY {day}",
                "VISITDY": sdtm_day(day),
                "TVSTRL": f"Protocol day {day} (day 0 = CAR-T infusion)"
                + (f", window +/-{window} days" if window else ""),
                "TVENRL": "",
            }
        )
    return build(TV, rows, ["VISITNUM"])


def build_ti(protocol: Protocol) -> Dataset:
    """TI: every inclusion and exclusion criterion of the protocol (SDTMIG 3.4 section 7.4.2)."""
    study = protocol.identifiers.nct_id
    version = protocol.identifiers.last_update_posted.isoformat()
    rows = [
        {"STUDYID": study, "DOMAIN": "TI", "IETESTCD": c.id, "IETEST": criterion_text(c.text),
         "IECAT": c.kind.upper(), "TIVERS": version}
        for c in protocol.eligibility.criteria
    ]  # fmt: skip
    return build(TI, rows, [])
