"""The project's own conformance rules for SDTM and ADaM files, run on a folder of XPT or JSON.

The CDISC CORE rules engine cannot run offline here (its rule and metadata cache comes from the
CDISC Library API), so hyposti checks the structural rules it relies on itself, as data: each
rule has an id, a severity, its source and a check. Sources: SDTMIG 3.4 sections 4.1.2 (names,
labels), 2.1/4.1.5 (core), 4.1.9 (--SEQ), 4.3 (controlled terminology), 4.4.1 (ISO 8601),
4.4.4 (study day); ADaMIG 1.3 section 3.2 (ADSL one record per subject); ADaM BDS for TTE
(CNSR 0/1, AVAL >= 0); FDA Study Data Technical Conformance Guide 3.3 (XPT v5 limits); the
Dataset-JSON v1.1 schema; CDISC's Metadata Submission Guidelines v1.0 section 3.2.1 (define.xml
describes every dataset submitted).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hyposti.errors import InputError
from hyposti.standards.controlled_terminology import codelist
from hyposti.standards.conventions import study_day
from hyposti.standards.spec import DomainSpec

if TYPE_CHECKING:
    import pandas as pd

    from hyposti.protocol import Protocol

Severity = Literal["error", "warning"]
ISO8601 = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:\d{2}|Z)?)?)?)?$"
)


@dataclass(frozen=True)
class Finding:
    """One breach: the rule, how serious, where (dataset, variable, 1-based row) and what."""

    rule_id: str
    severity: Severity
    domain: str
    variable: str | None
    row: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "domain": self.domain,
            "variable": self.variable,
            "row": self.row,
            "message": self.message,
        }


@dataclass(frozen=True)
class Table:
    """A dataset as read from a file: its rows, its metadata and the project's spec of it."""

    name: str
    frame: pd.DataFrame
    label: str
    labels: dict[str, str]
    spec: DomainSpec | None
    reference_starts: dict[str, str]
    document: dict[str, Any] | None = None


Hit = tuple[str | None, int | None, str]
Check = Callable[[Table], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    """A rule: ``check`` runs over each dataset; None for a rule on a whole file (HC0080)."""

    id: str
    severity: Severity
    source: str
    description: str
    check: Check | None

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "source": self.source,
                "description": self.description}  # fmt: skip


def _missing(value: object) -> bool:
    return value is None or value == "" or value != value


def _names(t: Table) -> Iterator[Hit]:
    if len(t.name) > 8:
        yield None, None, f"dataset name {t.name!r} is longer than 8 characters"
    for column in t.frame.columns:
        if len(column) > 8:
            yield column, None, f"variable name {column!r} is longer than 8 characters"


def _labels(t: Table) -> Iterator[Hit]:
    if len(t.label or "") > 40:
        yield None, None, f"dataset label has {len(t.label)} characters (at most 40)"
    for column, label in t.labels.items():
        if label is not None and len(label) > 40:
            yield column, None, f"label {label!r} has {len(label)} characters (at most 40)"


def _present(core: str) -> Check:
    def check(t: Table) -> Iterator[Hit]:
        if t.spec is None:
            return
        for v in t.spec.variables:
            if v.core == core and v.name not in t.frame.columns:
                yield v.name, None, f"{core} variable {v.name} is missing"

    return check


def _required_values(t: Table) -> Iterator[Hit]:
    if t.spec is None:
        return
    for v in t.spec.variables:
        if v.core == "Req" and v.name in t.frame.columns:
            for i, value in enumerate(t.frame[v.name]):
                if _missing(value):
                    yield v.name, i + 1, f"required variable {v.name} has no value"


def _keys(t: Table) -> Iterator[Hit]:
    if t.spec is None or not set(t.spec.keys) <= set(t.frame.columns):
        return
    keys = list(t.spec.keys)
    dup = t.frame.duplicated(subset=keys, keep="first")
    for i in dup[dup].index:
        yield None, int(i) + 1, f"key ({', '.join(keys)}) repeats an earlier record"


def _sequence(t: Table) -> Iterator[Hit]:
    seq = f"{t.name}SEQ"
    if seq not in t.frame.columns or "USUBJID" not in t.frame.columns:
        return
    dup = t.frame.duplicated(subset=["USUBJID", seq], keep="first")
    for i in dup[dup].index:
        yield seq, int(i) + 1, f"{seq} {t.frame[seq].iloc[i]:g} repeats within the subject"


def _iso_columns(t: Table) -> list[str]:
    if t.spec is not None:
        return [v.name for v in t.spec.variables if v.iso8601 and v.name in t.frame.columns]
    return [c for c in t.frame.columns if c.endswith("DTC")]


def _iso8601(t: Table) -> Iterator[Hit]:
    for column in _iso_columns(t):
        for i, value in enumerate(t.frame[column]):
            if _missing(value):
                continue
            text = str(value)
            ok = ISO8601.match(text) is not None
            if ok and len(text) >= 10:
                try:
                    dt.date.fromisoformat(text[:10])
                except ValueError:
                    ok = False
            if not ok:
                yield column, i + 1, f"{text!r} is not an ISO 8601 date/time"


def _study_days(t: Table) -> Iterator[Hit]:
    if "USUBJID" not in t.frame.columns or not t.reference_starts:
        return
    for column in t.frame.columns:
        if not column.endswith("DY") or column == "VISITDY":
            continue
        dtc = column[:-2] + "DTC"
        if dtc not in t.frame.columns:
            continue
        for i, (subject, date, day) in enumerate(
            zip(t.frame["USUBJID"], t.frame[dtc], t.frame[column], strict=True)
        ):
            if _missing(day):
                continue
            if day == 0:
                yield column, i + 1, f"{column} is 0: SDTM study days have no day 0"
                continue
            start = t.reference_starts.get(subject, "")
            if _missing(date) or not start or len(str(date)) < 10:
                continue
            try:
                expected = study_day(dt.date.fromisoformat(str(date)[:10]),
                                     dt.date.fromisoformat(start[:10]))  # fmt: skip
            except ValueError:  # not a date: HC0030 reports it
                continue
            if expected != day:
                yield (
                    column,
                    i + 1,
                    (f"{column} = {day:g} but {dtc} {date} and RFSTDTC {start} give {expected}"),
                )


def _codelists(extensible: bool) -> Check:
    def check(t: Table) -> Iterator[Hit]:
        if t.spec is None:
            return
        value_level = {vl[0] for vl in t.spec.value_level}
        records = (
            [{str(k): v for k, v in row.items()} for row in t.frame.to_dict(orient="records")]
            if value_level
            else []
        )
        for v in t.spec.variables:
            if v.name not in t.frame.columns or (v.codelist is None and v.name not in value_level):
                continue
            values = t.frame[v.name].tolist()
            if v.name in value_level:
                names = [t.spec.codelist_for(v.name, row) for row in records]
            else:
                names = [v.codelist] * len(values)
            for i, (name, value) in enumerate(zip(names, values, strict=True)):
                if name is None or _missing(value):
                    continue
                cl = codelist(name)
                if cl.extensible == extensible and str(value) not in cl.terms:
                    yield v.name, i + 1, f"{value!r} is not in codelist {name} ({cl.name})"

    return check


def _one_per_subject(t: Table) -> Iterator[Hit]:
    if t.name != "ADSL" or "USUBJID" not in t.frame.columns:
        return
    dup = t.frame.duplicated(subset=["USUBJID"], keep="first")
    for i in dup[dup].index:
        yield "USUBJID", int(i) + 1, f"{t.frame['USUBJID'].iloc[i]} has more than one record"


def _censor(t: Table) -> Iterator[Hit]:
    if t.name != "ADTTE" or "CNSR" not in t.frame.columns:
        return
    for i, value in enumerate(t.frame["CNSR"]):
        if _missing(value) or value not in (0, 1):
            yield "CNSR", i + 1, f"CNSR = {value!r}: must be 0 (event) or 1 (censored)"


def _aval(t: Table) -> Iterator[Hit]:
    if t.name != "ADTTE" or "AVAL" not in t.frame.columns:
        return
    for i, value in enumerate(t.frame["AVAL"]):
        if _missing(value) or value < 0:
            yield "AVAL", i + 1, f"AVAL = {value!r}: a time to event is a number >= 0"


def _json_schema(t: Table) -> Iterator[Hit]:
    if t.document is None:
        return
    from hyposti.standards.dataset_json import schema_errors

    for error in schema_errors(t.document):
        yield None, None, error


def _json_records(t: Table) -> Iterator[Hit]:
    if t.document is not None and t.document.get("records") != len(t.frame):
        yield None, None, f"records = {t.document.get('records')} but {len(t.frame)} rows"


RULES: tuple[Rule, ...] = (
    Rule("HC0001", "error", "SDTMIG 3.4 s4.1.2; FDA TCG s3.3", "names at most 8 characters",
         _names),
    Rule("HC0002", "error", "SDTMIG 3.4 s4.1.2; FDA TCG s3.3", "labels at most 40 characters",
         _labels),
    Rule("HC0010", "error", "SDTMIG 3.4 s4.1.5; ADaMIG 1.3 s3", "required variables present",
         _present("Req")),
    Rule("HC0011", "warning", "SDTMIG 3.4 s4.1.5", "expected variables present",
         _present("Exp")),
    Rule("HC0012", "error", "SDTMIG 3.4 s4.1.5", "required variables never null",
         _required_values),
    Rule("HC0020", "error", "SDTMIG 3.4 s3.2.1.1; Define-XML 2.1 KeySequence",
         "natural keys unique", _keys),
    Rule("HC0021", "error", "SDTMIG 3.4 s4.1.9", "--SEQ unique within each subject", _sequence),
    Rule("HC0030", "error", "SDTMIG 3.4 s4.4.1", "--DTC values are ISO 8601", _iso8601),
    Rule("HC0031", "error", "SDTMIG 3.4 s4.4.4",
         "--DY = --DTC - RFSTDTC (+1 on or after it), never 0", _study_days),
    Rule("HC0040", "error", "SDTMIG 3.4 s4.3", "values within non-extensible codelists",
         _codelists(extensible=False)),
    Rule("HC0041", "warning", "SDTMIG 3.4 s4.3",
         "values within extensible codelists (else a sponsor extension)", _codelists(True)),
    Rule("HC0050", "error", "ADaMIG 1.3 s3.2", "ADSL has one record per subject",
         _one_per_subject),
    Rule("HC0060", "error", "ADaM BDS for TTE (2012) s3.2", "ADTTE CNSR is 0 or 1", _censor),
    Rule("HC0061", "error", "ADaM BDS for TTE (2012) s3.2", "ADTTE AVAL >= 0", _aval),
    Rule("HC0070", "error", "Dataset-JSON v1.1 JSON schema",
         "Dataset-JSON file valid against the v1.1 schema", _json_schema),
    Rule("HC0071", "error", "Dataset-JSON v1.1", "records equals the number of rows",
         _json_records),
    Rule("HC0080", "error", "CDISC ODM 1.3.2 and Define-XML 2.1 XML schemas",
         "define.xml (and any ODM .xml file) valid against its CDISC schema", None),
    Rule("HC0081", "error", "CDISC Metadata Submission Guidelines v1.0 s3.2.1; Define-XML 2.1 "
         "s5.3.1 (def:leaf)",
         "define.xml describes every dataset file beside it, and each file it names is there",
         None),
)  # fmt: skip


def known_specs(protocol: Protocol | None = None) -> dict[str, DomainSpec]:
    """Every dataset the project writes for ``protocol`` (default: the shipped one), by name: the
    metadata the checks compare against."""
    from hyposti.standards import (
        adam_adae,
        adam_adpc,
        adam_adrs,
        adam_adsl,
        adam_adtte,
        sdtm_design,
        sdtm_events,
        sdtm_findings,
        sdtm_interventions,
        sdtm_kinetics,
        sdtm_measurements,
        sdtm_special,
    )  # fmt: skip

    if protocol is None:
        from hyposti.protocol import load_protocol

        protocol = load_protocol()
    specs = [
        sdtm_special.DM, sdtm_special.DS, sdtm_special.IE, sdtm_design.TS, sdtm_design.TE,
        sdtm_design.TA, sdtm_design.TV, sdtm_design.TI, sdtm_interventions.EX,
        sdtm_interventions.CM, sdtm_events.AE, sdtm_events.suppae_spec(protocol),
        sdtm_findings.TU, sdtm_findings.TR, sdtm_findings.RS, sdtm_measurements.LB,
        sdtm_measurements.VS, sdtm_kinetics.PC, sdtm_kinetics.PP, adam_adsl.ADSL,
        adam_adae.adae_spec(protocol), adam_adrs.ADRS, adam_adtte.ADTTE, adam_adpc.ADPC,
        adam_adpc.ADPP,
    ]  # fmt: skip
    return {s.name: s for s in specs}


def read_table(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows and metadata of one ``.xpt`` or ``.json`` dataset file."""
    from hyposti.standards.dataset_json import read_dataset_json
    from hyposti.standards.xpt import read_xpt

    return read_xpt(path) if path.suffix == ".xpt" else read_dataset_json(path)


def run_rules(tables: list[Table]) -> list[Finding]:
    """Every rule over every table."""
    return [
        Finding(rule.id, rule.severity, t.name, variable, row, message)
        for t in tables
        for rule in RULES
        if rule.check is not None
        for variable, row, message in rule.check(t)
    ]


def xml_findings(path: Path) -> list[Finding]:
    """HC0080: every place an ODM or define.xml file breaks its CDISC schema (row = line)."""
    from hyposti.standards.xml_schema import schema_problems

    schema, problems = schema_problems(path)
    return [
        Finding("HC0080", "error", path.name, None, p.line, f"{schema} schema: {p.message}")
        for p in problems
    ]


def check_folder(folder: str | Path, protocol: Protocol | None = None) -> list[Finding]:
    """Read every ``*.xpt`` / ``*.json`` dataset in ``folder`` (written for ``protocol``, default:
    the shipped one) and run every rule over it, and check every ``*.xml`` file (define.xml)
    against its CDISC schema."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError("directory", str(path), "must be an existing folder of dataset files")
    files = sorted(p for p in path.iterdir() if p.suffix in (".xpt", ".json"))
    xml = sorted(p for p in path.iterdir() if p.suffix == ".xml")
    if not files and not xml:
        raise InputError("directory", str(path), "holds no .xpt, .json or .xml files to check")
    specs = known_specs(protocol)
    read = []
    for f in files:
        frame, meta = read_table(f)
        read.append((str(meta.get("name") or f.stem.upper()), frame, meta))
    starts: dict[str, str] = {}
    for name, frame, _meta in read:
        if name == "DM" and {"USUBJID", "RFSTDTC"} <= set(frame.columns):
            starts = dict(zip(frame["USUBJID"], frame["RFSTDTC"], strict=True))
    tables = [
        Table(name, frame, str(meta.get("label") or ""), meta.get("labels", {}), specs.get(name),
              starts if not name.startswith("AD") else {}, meta.get("document"))
        for name, frame, meta in read
    ]  # fmt: skip
    define = path / "define.xml"
    package = define_findings(define, files) if define.is_file() else []
    return run_rules(tables) + [f for p in xml for f in xml_findings(p)] + package


def define_findings(define: Path, files: list[Path]) -> list[Finding]:
    """HC0081: the dataset files beside ``define`` and the files it describes are the same.

    A package written over another one's folder (an ADaM export into the SDTM folder) leaves
    datasets that no define.xml describes, and a deleted file leaves a description without data.
    """
    from hyposti.standards.define_xml import described_files

    described = described_files(define)
    if described is None:
        return []  # not well-formed: HC0080 says where
    named = {href: name for name, href in described.items()}
    return [
        Finding("HC0081", "error", f.stem.upper(), None, None,
                f"{f.name} is not described in define.xml")
        for f in files
        if f.name not in named
    ] + [
        Finding("HC0081", "error", name, None, None,
                f"define.xml describes {name} in {href or 'no file'}, which is not in the folder")
        for name, href in described.items()
        if href not in {f.name for f in files}
    ]  # fmt: skip
