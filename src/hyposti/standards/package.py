"""The SDTM and ADaM packages of a trial dataset: which datasets, built in which order.

Both packages show the trial as at the dataset's data cut-off, as ``hyposti analyze`` counts it
(hyposti.analysis: events, scans and samples after the cut-off are not counted, follow-up is cut
at it), so that SDTM, ADaM and the analysis describe the same data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from hyposti.analysis.censoring import AssessmentSchedule
from hyposti.analysis.tumour import TumourOutcome, assess_responses
from hyposti.data.dataset import TrialDataset
from hyposti.errors import InputError
from hyposti.protocol import Protocol
from hyposti.standards.adam_adae import build_adae
from hyposti.standards.adam_adpc import build_adpc, build_adpp
from hyposti.standards.adam_adrs import CRITERIA, build_adrs
from hyposti.standards.adam_adsl import build_adsl
from hyposti.standards.adam_adtte import build_adtte
from hyposti.standards.dataset_json import write_dataset_json
from hyposti.standards.define_xml import metadata_version_oid, study_oid, write_define
from hyposti.standards.sdtm_design import build_ta, build_te, build_ti, build_ts, build_tv
from hyposti.standards.sdtm_events import build_ae, build_suppae
from hyposti.standards.sdtm_findings import build_rs, build_tr, build_tu
from hyposti.standards.sdtm_interventions import build_cm, build_ex
from hyposti.standards.sdtm_kinetics import build_pc, build_pp
from hyposti.standards.sdtm_measurements import build_lb, build_vs
from hyposti.standards.sdtm_special import build_dm, build_ds, build_ie
from hyposti.standards.spec import Dataset
from hyposti.standards.xpt import write_xpt

Format = Literal["xpt", "json"]
FORMATS = ("xpt", "json")

#: ISO 3166-1 alpha-3 of the trial's sites: NCT05681650's sponsor and site, Chinese PLA General
#: Hospital, are in China. The dataset records no country, so it is a parameter.
DEFAULT_COUNTRY = "CHN"


def as_of_cutoff(ds: TrialDataset) -> TrialDataset:
    """The dataset as at its data cut-off: records dated after it are left out, dates after it in
    disposition are not yet known, and the last contact is at most the cut-off."""
    import pandas as pd

    cut = ds.data_cutoff
    t = ds.tables()
    ae = t["adverse_events"].loc[t["adverse_events"]["onset_date"] <= cut].copy()
    ae.loc[ae["resolution_date"] > cut, "resolution_date"] = pd.NaT
    medications = t["medications"].loc[t["medications"]["start_date"] <= cut].copy()
    medications.loc[medications["end_date"] > cut, "end_date"] = pd.NaT
    scans = t["tumour_assessments"]
    measures = t["lesion_measurements"].loc[t["lesion_measurements"]["assessment_date"] <= cut]
    seen = set(zip(measures["subject_id"], measures["lesion_id"], strict=True))
    lesions = t["lesions"]
    kept = (lesions["category"] != "new") | pd.Series(
        [(s, lid) in seen for s, lid in zip(lesions["subject_id"], lesions["lesion_id"],
                                            strict=True)], index=lesions.index
    )  # fmt: skip
    disp = t["disposition"].copy()
    for column, detail in (
        ("progression_date", None),
        ("death_date", "death_cause"),
        ("new_therapy_date", None),
        ("off_study_date", "off_study_reason"),
    ):
        later = disp[column] > cut
        disp.loc[later, column] = pd.NaT
        if detail is not None:
            disp.loc[later, detail] = None
    disp["last_contact_date"] = disp["last_contact_date"].where(
        disp["last_contact_date"] <= cut, cut
    )  # fmt: skip
    return TrialDataset.from_frames(
        products=ds.products,
        **t
        | {
            "adverse_events": ae,
            "medications": medications,
            "lab_results": t["lab_results"].loc[t["lab_results"]["collection_date"] <= cut],
            "vital_signs": t["vital_signs"].loc[t["vital_signs"]["measurement_date"] <= cut],
            "exposure": t["exposure"].loc[t["exposure"]["administration_date"] <= cut],
            "tumour_assessments": scans.loc[scans["assessment_date"] <= cut],
            "lesion_measurements": measures,
            "lesions": lesions.loc[kept],
            "kinetics": t["kinetics"].loc[~(t["kinetics"]["sample_date"] > cut)],
            "disposition": disp,
        },
    )


def trial_responses(ds: TrialDataset, protocol: Protocol) -> dict[str, dict[str, TumourOutcome]]:
    """Every infused patient's response course by each criteria the protocol names."""
    return {c: assess_responses(ds, protocol.response, c) for c in protocol.response.criteria}


def build_sdtm(
    ds: TrialDataset, protocol: Protocol, country: str = DEFAULT_COUNTRY
) -> list[Dataset]:
    """The SDTM datasets, in define.xml order: trial design, special purpose, then by class."""
    ds = as_of_cutoff(ds)
    ae = build_ae(ds)
    return [
        build_ts(protocol, ds.data_cutoff.date()),
        build_te(protocol),
        build_ta(protocol),
        build_tv(protocol),
        build_ti(protocol),
        build_dm(ds, protocol, country),
        build_ex(ds, protocol),
        build_cm(ds),
        ae,
        build_ds(ds),
        build_ie(ds, protocol),
        build_lb(ds),
        build_vs(ds),
        build_pc(ds),
        build_pp(ds),
        build_tu(ds),
        build_tr(ds),
        build_rs(ds, trial_responses(ds, protocol)),
        build_suppae(ds, ae, protocol),
    ]


def build_adam(ds: TrialDataset, protocol: Protocol) -> list[Dataset]:
    """ADSL, ADAE, ADRS, ADTTE (by the protocol's primary criteria), ADPC and ADPP."""
    ds = as_of_cutoff(ds)
    responses = trial_responses(ds, protocol)
    adsl = build_adsl(ds, protocol)
    primary = protocol.response.primary_criteria
    schedule = AssessmentSchedule.from_protocol(protocol)
    return [
        adsl,
        build_adae(ds, protocol, build_ae(ds), adsl),
        build_adrs(ds, protocol.response, responses, adsl),
        build_adtte(ds, responses[primary], schedule, CRITERIA[primary][0]),
        build_adpc(ds, adsl),
        build_adpp(build_pp(ds), adsl),
    ]


def _check_not_another_package(folder: Path, datasets: list[Dataset]) -> None:
    """Refuse a folder whose define.xml describes the other standard's datasets (ADaM's names
    begin with AD, by the naming conventions of ADaM v2.1; SDTM's never do).

    Writing there would replace that define.xml and leave its datasets undescribed: a submission
    keeps SDTM and ADaM in folders of their own (FDA Study Data Technical Conformance Guide,
    eCTD m5/datasets/<study>/tabulations/sdtm and analysis/adam), each with its define.xml.
    An earlier export of the same package is simply written over.
    """
    from hyposti.standards.define_xml import described_files

    define = folder / "define.xml"
    described = described_files(define) if define.is_file() else None
    analysis = datasets[0].spec.standard.startswith("ADaM")
    others = sorted(n for n in described or () if n.startswith("AD") != analysis)
    if others:
        raise InputError(
            "--output",
            str(folder),
            f"holds the define.xml of another package ({', '.join(others)}); write each "
            "package (SDTM, ADaM) to a folder of its own",
        )


def write_package(
    datasets: list[Dataset],
    folder: str | Path,
    fmt: str,
    study_id: str,
    study_name: str,
    created: dt.datetime,
) -> list[Path]:
    """Write one file per dataset (``dm.xpt`` or ``dm.json``) and ``define.xml`` into ``folder``.

    ``created`` stamps the Dataset-JSON and define.xml headers (a parameter: no hidden clock).
    """
    if fmt not in FORMATS:
        raise InputError("--format", fmt, f"must be one of {', '.join(FORMATS)}")
    out = Path(folder)
    _check_not_another_package(out, datasets)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    mdv = metadata_version_oid(study_id, datasets[0].spec.standard)
    for d in datasets:
        # a file of the other format left from an earlier export would be checked as this one
        (out / f"{d.name.lower()}.{'json' if fmt == 'xpt' else 'xpt'}").unlink(missing_ok=True)
        if fmt == "xpt":
            paths.append(write_xpt(d, out))
        else:
            paths.append(write_dataset_json(d, out, study_oid(study_id), mdv, created))
    paths.append(write_define(datasets, out, study_id, study_name, created, fmt))
    return paths
