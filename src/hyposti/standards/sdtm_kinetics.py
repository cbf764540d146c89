"""SDTM PC (CAR transgene copies per sample) and PP (their NCA parameters), SDTMIG 3.4 s6.3.10.

PC: one record per qPCR sample; a result below the LLOQ is 'BLQ' with no numeric value and the
limit in PCLLOQ. Elapsed time from the CAR-T infusion is an ISO 8601 duration (PCELTM, section
4.4.7). PP: the NCA parameters hyposti.analysis.kinetics computes for each profile (blood, and
tumour series long enough for NCA), on samples up to the data cut-off, as ``hyposti analyze``.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from hyposti.analysis.kinetics import ProfileNca, kinetics_analysis
from hyposti.data.dataset import TrialDataset
from hyposti.standards.conventions import build, iso8601, number, study_day, usubjid
from hyposti.standards.sdtm_special import identifiers
from hyposti.standards.spec import Dataset, DomainSpec, Variable

ANALYTE_CODE, ANALYTE = "CARHER2", "HypoSti.CAR-HER2 Transgene Copies"
COPIES = "copies/ug"
SPECIMEN = {"blood": "BLOOD", "tumour": "TISSUE"}

PC = DomainSpec(
    "PC", "Pharmacokinetics Concentrations", "FINDINGS",
    "One record per sample characteristic or time-point concentration per reference time point "
    "per analyte per subject", ("STUDYID", "USUBJID", "PCSPEC", "PCDTC"),
    (
        *identifiers(),
        Variable("PCSEQ", "Sequence Number", "integer", "Req"),
        Variable("PCTESTCD", "Pharmacokinetic Test Short Name", core="Req"),
        Variable("PCTEST", "Pharmacokinetic Test Name", core="Req"),
        Variable("PCORRES", "Result or Finding in Original Units", core="Exp", origin="Collected"),
        Variable("PCORRESU", "Original Units", core="Exp", codelist="UNIT"),
        Variable("PCSTRESC", "Character Result/Finding in Std Format", core="Exp"),
        Variable("PCSTRESN", "Numeric Result/Finding in Standard Units", "float", "Exp"),
        Variable("PCSTRESU", "Standard Units", core="Exp", codelist="UNIT"),
        Variable("PCSPEC", "Specimen Material Type", core="Exp", codelist="SPECTYPE"),
        Variable("PCLLOQ", "Lower Limit of Quantitation", "float", "Exp"),
        Variable("PCDTC", "Date/Time of Specimen Collection", core="Exp", iso8601=True),
        Variable("PCDY", "Actual Study Day of Specimen Collection", "integer", "Perm"),
        Variable("PCTPTREF", "Time Point Reference", core="Perm"),
        Variable("PCELTM", "Planned Elapsed Time from Time Point Ref", core="Perm"),
    ),
)  # fmt: skip
PP = DomainSpec(
    "PP", "Pharmacokinetics Parameters", "FINDINGS",
    "One record per PK parameter per time-concentration profile per subject",
    ("STUDYID", "USUBJID", "PPSPEC", "PPTESTCD"),
    (
        *identifiers(),
        Variable("PPSEQ", "Sequence Number", "integer", "Req"),
        Variable("PPTESTCD", "Parameter Short Name", core="Req", codelist="PKPARMCD"),
        Variable("PPTEST", "Parameter Name", core="Req"),
        Variable("PPCAT", "Parameter Category", core="Exp"),
        Variable("PPORRES", "Result or Finding in Original Units", core="Exp"),
        Variable("PPORRESU", "Original Units", core="Exp", codelist="UNIT"),
        Variable("PPSTRESC", "Character Result/Finding in Std Format", core="Exp"),
        Variable("PPSTRESN", "Numeric Result/Finding in Standard Units", "float", "Exp"),
        Variable("PPSTRESU", "Standard Units", core="Exp", codelist="UNIT"),
        Variable("PPSPEC", "Specimen Material Type", core="Exp", codelist="SPECTYPE"),
        Variable("PPSTINT", "Planned Start of Assessment Interval", core="Perm"),
        Variable("PPENINT", "Planned End of Assessment Interval", core="Perm"),
    ),
)  # fmt: skip

#: (hyposti.analysis.nca parameter of a profile, PPTESTCD, PPTEST, unit, interval end)
PARAMETERS: tuple[tuple[Callable[[ProfileNca], float | None], str, str, str, str], ...] = (
    (lambda p: p.cmax, "CMAX", "Max Conc", COPIES, ""),
    (lambda p: p.tmax, "TMAX", "Time of CMAX", "day", ""),
    (lambda p: p.auc_0_28, "AUCINT", "AUC from T1 to T2", "day*copies/ug", "P28D"),
    (lambda p: p.auc_last, "AUCLST", "AUC to Last Nonzero Conc", "day*copies/ug", ""),
    (lambda p: p.clast, "CLST", "Last Nonzero Conc", COPIES, ""),
    (lambda p: p.tlast, "TLST", "Time of Last Nonzero Conc", "day", ""),
)


def _elapsed(day: float) -> str:
    return f"P{day:g}D" if day >= 0 else f"-P{-day:g}D"


def reported_samples(ds: TrialDataset) -> pd.DataFrame:
    """Samples up to the data cut-off (those ``hyposti analyze`` counts)."""
    return ds.kinetics.loc[~(ds.kinetics["sample_date"] > ds.data_cutoff)]


def build_pc(ds: TrialDataset) -> Dataset:
    """PC: each sample, quantified or below the LLOQ."""
    study = ds.study_id
    infusion = ds.subjects.set_index("subject_id")["infusion_date"].to_dict()
    rows = []
    for k in reported_samples(ds).itertuples():
        below = pd.isna(k.copies_per_ug) or number(k.copies_per_ug) < number(k.lloq)
        text = "BLQ" if below else f"{k.copies_per_ug:g}"
        rows.append(
            {
                "STUDYID": study, "DOMAIN": "PC", "USUBJID": usubjid(study, k.subject_id),
                "PCTESTCD": ANALYTE_CODE, "PCTEST": ANALYTE, "PCORRES": text,
                "PCORRESU": "" if below else COPIES, "PCSTRESC": text,
                "PCSTRESN": None if below else k.copies_per_ug,
                "PCSTRESU": "" if below else COPIES, "PCSPEC": SPECIMEN[str(k.matrix)],
                "PCLLOQ": k.lloq, "PCDTC": iso8601(k.sample_date),
                "PCDY": study_day(k.sample_date, infusion.get(k.subject_id)),
                "PCTPTREF": "CAR-T INFUSION", "PCELTM": _elapsed(number(k.study_day)),
            }
        )  # fmt: skip
    return build(PC, rows, ["PCSPEC", "PCDTC"])


def build_pp(ds: TrialDataset) -> Dataset:
    """PP: Cmax, Tmax, AUC0-28, AUClast, Clast, Tlast of each profile hyposti.analysis fits."""
    study = ds.study_id
    levels = ds.subjects.set_index("subject_id")["dose_level"]
    result = kinetics_analysis(reported_samples(ds), levels)
    rows = []
    for p in result.per_patient:
        for parameter, code, name, unit, end in PARAMETERS:
            value = parameter(p)
            if value is None:
                continue
            rows.append(
                {
                    "STUDYID": study, "DOMAIN": "PP", "USUBJID": usubjid(study, p.subject_id),
                    "PPTESTCD": code, "PPTEST": name, "PPCAT": ANALYTE,
                    "PPORRES": f"{value:g}", "PPORRESU": unit, "PPSTRESC": f"{value:g}",
                    "PPSTRESN": value, "PPSTRESU": unit, "PPSPEC": SPECIMEN[p.matrix],
                    "PPSTINT": "P0D" if end else "", "PPENINT": end,
                }
            )  # fmt: skip
    return build(PP, rows, ["PPSPEC"])
