"""HTML form fields generated from the engines' pydantic records, and posted forms parsed back.

One source for every field: the screening record and the CRS / ICANS / CRES observations are
the engines' own models, so a form cannot ask for a field the engine does not read (or miss
one it does). Blank inputs stay absent: the engine reports them as missing, never guessed.
"""

from __future__ import annotations

import datetime as dt
import json
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from django.http import QueryDict
from pydantic import BaseModel

from hyposti.errors import InputError

Kind = Literal["number", "integer", "date", "yesno", "choice", "multi", "text", "json"]


@dataclass(frozen=True)
class Field:
    """One input: dotted name (the record path), label, kind, choices and help text."""

    name: str
    label: str
    kind: Kind
    choices: tuple[str, ...] = ()
    help: str = ""
    required: bool = False
    #: The model's default as a form value ("" when the field may be left unrecorded).
    default: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]


def _bare(annotation: Any) -> Any:
    """The type under ``Annotated[...]`` (the engines' bounded types, hyposti.bounds)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _strip_none(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None`` and whether ``None`` was allowed."""
    annotation = _bare(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        args = [_bare(a) for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


def _literal_choices(annotation: Any) -> tuple[str, ...]:
    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    values = getattr(annotation, "__members__", None)
    if values:
        return tuple(str(v.value) for v in values.values())
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(c for a in get_args(annotation) for c in _literal_choices(a))
    return ()


#: Words written as clinicians write them in labels made from field names.
_WORDS = {
    "anc": "ANC",
    "alt": "ALT",
    "ast": "AST",
    "inr": "INR",
    "aptt": "aPTT",
    "lvef": "LVEF",
    "spo2": "SpO2",
    "cns": "CNS",
    "ecog": "ECOG",
    "her2": "HER2",
    "nccn": "NCCN",
    "uln": "ULN",
    "hiv": "HIV",
    "ice": "ICE",
    "icp": "ICP",
    "csf": "CSF",
    "crs": "CRS",
    "cres": "CRES",
    "icans": "ICANS",
    "kg": "(kg)",
    "mmhg": "(mmHg)",
    "c": "(°C)",
    "percent": "(%)",
    "pd1": "PD-1",
    "pdl1": "PD-L1",
}


#: Unit suffixes of field names, as units are written.
_UNITS = {
    "_10e9_per_l": " (10^9/L)",
    "_l_min": " (L/min)",
    "_g_dl": " (g/dL)",
    "_mg_dl": " (mg/dL)",
}


def label_of(key: str) -> str:
    """A field name as a label: 'serum_creatinine_mg_dl' -> 'serum creatinine (mg/dL)'."""
    tail = ""
    for suffix, unit in _UNITS.items():
        if key.endswith(suffix):
            key, tail = key[: -len(suffix)], unit
            break
    return " ".join(_WORDS.get(w, w) for w in key.split("_")) + tail


def _field(name: str, info: Any) -> Field | None:
    annotation, optional = _strip_none(info.annotation)
    label = label_of(name.rsplit(".", 1)[-1])
    help_text = info.description or ""
    required = info.is_required() and not optional
    default = "" if optional or info.default is None or required else info.default
    if isinstance(default, bool):
        default = "yes" if default else "no"
    default = default if isinstance(default, str | int | float) else ""
    choices = _literal_choices(annotation)
    origin = get_origin(annotation)
    if choices:
        return Field(name, label, "choice", choices, help_text, required, str(default))
    if origin in (list, tuple):
        inner = get_args(annotation)[0]
        inner_choices = _literal_choices(inner)
        if inner_choices:
            return Field(name, label, "multi", inner_choices, help_text)
        return Field(name, label, "json", (), help_text or "a JSON list", required)
    kinds: dict[Any, Kind] = {
        bool: "yesno",
        int: "integer",
        float: "number",
        dt.date: "date",
        str: "text",
    }
    kind = kinds.get(annotation)
    if kind is None:
        return None
    return Field(name, label, kind, (), help_text, required, str(default))


def sections(model: type[BaseModel], title: str = "", prefix: str = "") -> list[Section]:
    """The model's scalar fields as one section, each nested record as a section of its own."""
    own: list[Field] = []
    nested: list[Section] = []
    for key, info in model.model_fields.items():
        name = f"{prefix}{key}"
        annotation, _ = _strip_none(info.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested += sections(annotation, label_of(key), f"{name}.")
            continue
        field = _field(name, info)
        if field is not None:
            own.append(field)
    head = [Section(title, tuple(own))] if own else []
    return head + nested


def _value(field: Field, raw: str | list[str]) -> Any:
    if field.kind == "multi":
        return list(raw)
    text = str(raw).strip()
    try:
        if field.kind == "number":
            return float(text)
        if field.kind == "integer":
            return int(text)
        if field.kind == "json":
            return json.loads(text)
    except ValueError as exc:
        rule = "must be JSON" if field.kind == "json" else f"must be a {field.kind}"
        raise InputError(field.name, text, rule) from exc
    if field.kind == "yesno":
        return text == "yes"
    return text


def parse(form: QueryDict, model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """The nested dict of the posted fields of ``model``; blank inputs are left out."""
    data: dict[str, Any] = {}
    for section in sections(model, prefix=prefix):
        for field in section.fields:
            raw: str | list[str] = (
                form.getlist(field.name) if field.kind == "multi" else form.get(field.name, "")
            )
            if raw in ("", []) and field.kind != "multi":
                continue
            node = data
            parts = field.name[len(prefix) :].split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = _value(field, raw)
    return data


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested record as {dotted name: form value}, to fill a form from a stored record."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flatten(value, f"{name}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out[name] = json.dumps(value)
        elif isinstance(value, bool):
            out[name] = "yes" if value else "no"
        elif value is not None:
            out[name] = value
    return out
