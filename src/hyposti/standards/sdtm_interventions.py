"""SDTM interventions: EX (nab-paclitaxel, cyclophosphamide, the CAR-T cells) and CM (medications
given to manage adverse events, such as tocilizumab and dexamethasone for CRS or ICANS).

SDTMIG 3.4 section 6.1.3 (EX): one record per constant-dosing interval; each administration here
is a single day, so EXSTDTC = EXENDTC. Routes come from the protocol's regimen sections.
SDTMIG 3.4 section 6.1.1 (CM): one record per medication per constant-dosing interval, the dose
per administration in CMDOSE and how often in CMDOSFRQ (CDISC FREQ codelist).
"""

from __future__ import annotations

from hyposti.data.dataset import TrialDataset
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.standards.conventions import build, iso8601, study_day, usubjid
from hyposti.standards.sdtm_special import identifiers
from hyposti.standards.spec import Dataset, DomainSpec, Variable

EX = DomainSpec(
    "EX",
    "Exposure",
    "INTERVENTIONS",
    "One record per administration per subject",
    ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
    (
        *identifiers(),
        Variable("EXSEQ", "Sequence Number", "integer", "Req"),
        Variable("EXTRT", "Name of Treatment", core="Req", origin="Collected"),
        Variable("EXCAT", "Category of Treatment", core="Perm"),
        Variable("EXDOSE", "Dose", "float", "Exp", origin="Collected"),
        Variable("EXDOSU", "Dose Units", core="Exp", codelist="UNIT"),
        Variable("EXROUTE", "Route of Administration", core="Perm", codelist="ROUTE"),
        Variable("EPOCH", "Epoch", core="Perm", codelist="EPOCH"),
        Variable("EXSTDTC", "Start Date/Time of Treatment", core="Exp", iso8601=True),
        Variable("EXENDTC", "End Date/Time of Treatment", core="Perm", iso8601=True),
        Variable("EXSTDY", "Study Day of Start of Treatment", "integer", "Perm"),
        Variable("EXENDY", "Study Day of End of Treatment", "integer", "Perm"),
    ),
)

CM = DomainSpec(
    "CM",
    "Concomitant/Prior Medications",
    "INTERVENTIONS",
    "One record per recorded intervention occurrence or constant-dosing interval per subject",
    ("STUDYID", "USUBJID", "CMTRT", "CMSTDTC", "CMSPID"),
    (
        *identifiers(),
        Variable("CMSEQ", "Sequence Number", "integer", "Req"),
        Variable("CMSPID", "Sponsor-Defined Identifier", core="Perm", origin="Collected"),
        Variable("CMTRT", "Reported Name of Drug, Med, or Therapy", core="Req",
                 origin="Collected"),
        Variable("CMCAT", "Category for Medication", core="Perm", origin="Assigned"),
        Variable("CMINDC", "Indication", core="Perm", origin="Collected"),
        Variable("CMDOSE", "Dose per Administration", "float", "Perm", origin="Collected"),
        Variable("CMDOSU", "Dose Units", core="Perm", codelist="UNIT", origin="Collected"),
        Variable("CMDOSFRQ", "Dosing Frequency per Interval", core="Perm", codelist="FREQ"),
        Variable("CMSTDTC", "Start Date/Time of Medication", core="Perm", iso8601=True,
                 origin="Collected"),
        Variable("CMENDTC", "End Date/Time of Medication", core="Perm", iso8601=True,
                 origin="Collected"),
        Variable("CMSTDY", "Study Day of Start of Medication", "integer", "Perm"),
        Variable("CMENDY", "Study Day of End of Medication", "integer", "Perm"),
    ),
)  # fmt: skip

ROUTES = {"intravenous": "INTRAVENOUS", "intravenous infusion": "INTRAVENOUS"}


def _route(text: str, field: str) -> str:
    if text not in ROUTES:
        raise InputError(field, text, f"no ROUTE submission value is mapped; known: {list(ROUTES)}")
    return ROUTES[text]


def build_ex(ds: TrialDataset, protocol: Protocol) -> Dataset:
    """EX from the dataset's exposure table; the product's route and category from the protocol."""
    study = ds.study_id
    product = protocol.investigational_product
    routes = {product.name: _route(product.route, "investigational_product.route")}
    category = {product.name: "INVESTIGATIONAL PRODUCT"}
    for i, agent in enumerate(protocol.preconditioning):
        routes[agent.name] = _route(agent.route, f"preconditioning[{i}].route")
        category[agent.name] = "PRECONDITIONING CHEMOTHERAPY"
    infusion = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    rows = []
    for i, e in enumerate(ds.exposure.itertuples()):
        if e.product not in routes:
            raise InputError(
                f"exposure[{i}].product", e.product, f"must be a protocol product: {list(routes)}"
            )
        ref = infusion.get(e.subject_id)
        day = study_day(e.administration_date, ref)
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "EX",
                "USUBJID": usubjid(study, e.subject_id),
                "EXTRT": e.product,
                "EXCAT": category[str(e.product)],
                "EXDOSE": e.dose,
                "EXDOSU": e.dose_unit,
                "EXROUTE": routes[str(e.product)],
                "EPOCH": "TREATMENT",
                "EXSTDTC": iso8601(e.administration_date),
                "EXENDTC": iso8601(e.administration_date),
                "EXSTDY": day,
                "EXENDY": day,
            }
        )
    return build(EX, rows, ["EXSTDTC", "EXTRT"])


def dosing_frequency(interval_hours: object) -> str:
    """CMDOSFRQ from the dataset's interval: empty (a single dose) is ONCE, every n hours QnH
    (CDISC CT FREQ, C71113: ONCE, Q4H, Q6H, Q8H, Q12H, ...)."""
    import pandas as pd

    if pd.isna(interval_hours):  # type: ignore[call-overload]
        return "ONCE"
    hours = int(interval_hours)  # type: ignore[call-overload]
    if hours < 1:
        raise InputError("medications.interval_hours", interval_hours, "must be at least 1 hour")
    return "QD" if hours == 24 else f"Q{hours}H"


def build_cm(ds: TrialDataset) -> Dataset:
    """CM from the dataset's medications table, study days from the infusion day (RFSTDTC)."""
    study = ds.study_id
    infusion = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    rows = []
    for m in ds.medications.to_dict(orient="records"):
        ref = infusion.get(m["subject_id"])
        rows.append(
            {
                "STUDYID": study,
                "DOMAIN": "CM",
                "USUBJID": usubjid(study, m["subject_id"]),
                "CMSPID": m["medication_id"],
                "CMTRT": m["medication"],
                "CMCAT": "ADVERSE EVENT MANAGEMENT",
                "CMINDC": m["indication"],
                "CMDOSE": m["dose"],
                "CMDOSU": m["dose_unit"],
                "CMDOSFRQ": dosing_frequency(m["interval_hours"]),
                "CMSTDTC": iso8601(m["start_date"]),
                "CMENDTC": iso8601(m["end_date"]),
                "CMSTDY": study_day(m["start_date"], ref),
                "CMENDY": study_day(m["end_date"], ref),
            }
        )
    return build(CM, rows, ["CMSTDTC", "CMTRT", "CMSPID"])
