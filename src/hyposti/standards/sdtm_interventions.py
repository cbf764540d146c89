"""SDTM EX: every administration of nab-paclitaxel, cyclophosphamide and the CAR-T cells.

SDTMIG 3.4 section 6.1.3 (EX): one record per constant-dosing interval; each administration here
is a single day, so EXSTDTC = EXENDTC. Routes come from the protocol's regimen sections.
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
