"""ADaM ADRS: overall response per assessment, best (confirmed) response and response flag.

Basic Data Structure (ADaMIG 1.3 section 4), parameters as in the admiralonco ADRS template
(pharmaverse/admiralonco, vignette "Creating ADRS"): OVR per assessment, BOR (unconfirmed),
CBOR (confirmed, RECIST 1.1 Eisenhauer 2009 section 4.6 and Table 3) and RSP (confirmed CR or
PR), for RECIST 1.1 and, with an I prefix, iRECIST (Seymour 2017). The best responses are derived
from the OVR records by hyposti.response.best_overall_response, restricted to assessments up to
the first progression (admiralonco ``source_pd``); AVAL codes responses as admiralonco's
``aval_resp`` (CR 1, PR 2, SD 3, NON-CR/NON-PD 4, PD 5, NE 6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hyposti.analysis.tumour import TumourOutcome
from hyposti.data.dataset import TrialDataset
from hyposti.errors import InputError
from hyposti.protocol.response_spec import ResponseSpec
from hyposti.response import Response
from hyposti.response.best_response import BestResponse, Code, Visit, best_overall_response
from hyposti.response.patient import FROM_CODE, TO_CODE
from hyposti.standards.conventions import as_date, build, study_day, yn
from hyposti.standards.spec import Dataset, DomainSpec, Variable

ADRS = DomainSpec(
    "ADRS", "Response Analysis Dataset", "BASIC DATA STRUCTURE",
    "One record per subject per parameter per analysis date",
    ("STUDYID", "USUBJID", "PARAMCD", "ADT"),
    (
        Variable("STUDYID", "Study Identifier", core="Req", origin="Predecessor"),
        Variable("USUBJID", "Unique Subject Identifier", core="Req", origin="Predecessor"),
        Variable("TRT01A", "Actual Treatment for Period 01", core="Req", origin="Predecessor"),
        Variable("PARAMCD", "Parameter Code", core="Req"),
        Variable("PARAM", "Parameter", core="Req"),
        Variable("PARCAT1", "Parameter Category 1", core="Perm"),
        Variable("AVALC", "Analysis Value (C)", core="Cond"),
        Variable("AVAL", "Analysis Value", "integer", "Cond"),
        Variable("ADT", "Analysis Date", "date", "Cond"),
        Variable("ADY", "Analysis Relative Day", "integer", "Perm"),
        Variable("ANL01FL", "Analysis Flag 01", core="Cond", codelist="NY"),
    ),
    standard="ADaMIG 1.3",
)  # fmt: skip

CRITERIA = {"recist11": ("RECIST 1.1", ""), "irecist": ("iRECIST", "I")}
PARAMS = {
    "OVR": "Overall Response by Investigator",
    "BOR": "Best Overall Response by Investigator",
    "CBOR": "Best Confirmed Overall Response by Investigator",
    "RSP": "Confirmed Response (CR or PR) by Investigator",
}
#: admiralonco ``aval_resp``: the order of responses, best first.
# admiralonco aval_resp(): MISSING (no assessment) is 7.
AVAL_RESP = {
    Code.CR: 1, Code.PR: 2, Code.SD: 3, Code.NN: 4, Code.PD: 5, Code.NE: 6, Code.MISSING: 7,
}  # fmt: skip
RESPONSE_CODES = (Code.CR, Code.PR)


def best_response_from_ovr(
    ovr: Sequence[tuple[dt.date, Response]],
    reference: dt.date,
    spec: ResponseSpec,
    target_disease: bool,
) -> BestResponse:
    """Best overall response, confirmed and not, from dated overall responses.

    Assessments after the first progression are left out (admiralonco ``filter_pd``; RECIST 1.1
    section 4.4.3), then hyposti.response.best_overall_response applies Table 3 with the
    protocol's confirmation interval, NE allowance and minimum SD day counted from ``reference``.
    """
    visits: list[Visit] = []
    for date, response in sorted(ovr, key=lambda x: x[0]):
        code = TO_CODE[response]
        visits.append(Visit(date, (date - reference).days, code))
        if code is Code.PD:
            break
    return best_overall_response(visits, spec, target_disease)


def _rows_for(
    usubjid: str,
    trt: str,
    criteria: str,
    r: TumourOutcome | None,
    reference: dt.date,
    spec: ResponseSpec,
    target_disease: bool,
) -> list[dict[str, object]]:
    label, prefix = CRITERIA[criteria]
    names = FROM_CODE[criteria]
    common = {"USUBJID": usubjid, "TRT01A": trt, "PARCAT1": label}
    rows: list[dict[str, object]] = []
    ovr = []
    for p in r.time_points if r else []:
        code = TO_CODE[p.overall_response]
        rows.append(
            common | {"PARAMCD": f"{prefix}OVR", "PARAM": PARAMS["OVR"],
                      "AVALC": p.overall_response.value,
                      "AVAL": AVAL_RESP.get(code) if not prefix else None,
                      "ADT": p.date, "ADY": study_day(p.date, reference),
                      "ANL01FL": yn(p.included)}
        )  # fmt: skip
        if p.included:
            ovr.append((p.date, p.overall_response))
    best = best_response_from_ovr(ovr, reference, spec, target_disease)
    for paramcd, code, date in (
        ("BOR", best.unconfirmed, best.first_unconfirmed_response_date),
        ("CBOR", best.confirmed, best.first_response_date),
    ):
        when = date if code in RESPONSE_CODES else None
        rows.append(
            common | {"PARAMCD": f"{prefix}{paramcd}", "PARAM": PARAMS[paramcd],
                      "AVALC": names[code].value,
                      "AVAL": AVAL_RESP[code] if not prefix else None,
                      "ADT": when, "ADY": study_day(when, reference), "ANL01FL": "Y"}
        )  # fmt: skip
    responder = best.confirmed in RESPONSE_CODES
    rows.append(
        common | {"PARAMCD": f"{prefix}RSP", "PARAM": PARAMS["RSP"], "AVALC": yn(responder),
                  "AVAL": int(responder), "ADT": best.first_response_date,
                  "ADY": study_day(best.first_response_date, reference), "ANL01FL": "Y"}
    )  # fmt: skip
    return rows


def build_adrs(
    ds: TrialDataset,
    spec: ResponseSpec,
    responses: dict[str, dict[str, TumourOutcome]],
    adsl: Dataset,
) -> Dataset:
    """ADRS for every infused subject (ADSL INFFL = 'Y'); one without a baseline scan has no OVR
    records and BOR/CBOR 'NE' (admiralonco ``missing_as_ne = TRUE``)."""
    targets = set(ds.lesions.loc[ds.lesions["category"] == "target", "subject_id"])
    rows = []
    for s in adsl.frame.loc[adsl.frame["INFFL"] == "Y"].itertuples():
        reference = as_date(s.INFDT)
        if reference is None:
            raise InputError(f"ADSL {s.USUBJID}.INFDT", None, "INFFL = 'Y' needs an infusion date")
        for criteria, by_subject in responses.items():
            r = by_subject.get(str(s.SUBJID))
            target = s.SUBJID in targets or r is None
            subject, arm = str(s.USUBJID), str(s.TRT01A)
            for row in _rows_for(subject, arm, criteria, r, reference, spec, target):
                rows.append({"STUDYID": s.STUDYID, **row})
    return build(ADRS, rows, ["USUBJID", "PARCAT1", "PARAMCD", "ADT"])
