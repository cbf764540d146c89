"""Corrections and locks from the casebook, and its audit history in words a coordinator reads.

A correction names the fields changed and the reason (ICH E6(R3) 4.2.1; the service refuses a
change without one, and any change of a locked record); the data manager locks a record and
unlocks it with a reason (hyposti.service.services.integrity). The audit history shows each
field by its label, a site by its code and a cohort by its number, and leaves out the
database's own keys.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from hyposti.data.schema import ATTRIBUTION as ATTRIBUTION_SCALE
from hyposti.errors import InputError
from hyposti.service.access import participant_for
from hyposti.service.models import (
    AdverseEvent,
    AuditEntry,
    Cohort,
    Participant,
    RecordLock,
    Site,
    UserProfile,
)
from hyposti.service.services import integrity
from hyposti.service.trial_protocol import trial_protocol
from hyposti.web.views.common import AuthenticatedHttpRequest, now, page

#: Keys every audited record stores that say nothing to a reader of the casebook.
_HIDDEN = frozenset({"id", "participant_id"})
#: Unit suffixes of stored field names, as a label writes them.
_UNITS = {
    "kg": "kg",
    "cm": "cm",
    "mm": "mm",
    "pct": "%",
    "m2": "m²",
    "per_ug": "per µg",
    "years": "years",
}
#: Abbreviations a label keeps in capitals.
_WORDS = {"car t": "CAR-T", "ae": "AE", "dlt": "DLT", "soc": "SOC", "her2": "HER2", "ecog": "ECOG"}


def record_label(model: str) -> str:
    """A record kind (the service's model label, e.g. "adverseevent") in words."""
    from django.apps import apps

    try:
        return str(apps.get_model("service", model)._meta.verbose_name)
    except LookupError:
        return model


def field_label(name: str) -> str:
    """A stored field name as a label: ``weight_kg`` -> "weight (kg)", ``attribution_car_t`` ->
    "attribution CAR-T", ``site_id`` -> "site"."""
    name = name.removesuffix("_id") if name.endswith("_id") and name != "ae_id" else name
    unit = next((u for u in _UNITS if name.endswith(f"_{u}")), None)
    words = name.removesuffix(f"_{unit}") if unit else name
    text = f" {words.replace('_', ' ')} "
    for word, shown in _WORDS.items():
        text = text.replace(f" {word} ", f" {shown} ")
    return text.strip() + (f" ({_UNITS[unit]})" if unit else "")


@dataclass(frozen=True)
class CorrectableField:
    name: str
    label: str
    kind: str  # "date", "number", "integer", "yes/no", "choice" or "text": the input offered
    value: str
    choices: tuple[str, ...] = ()


#: The stored field holding an adverse event's attribution to each of the protocol's products,
#: corrected as one select per product named ``attribution.<product id>``.
ATTRIBUTION = "attribution"


def _attribution_fields(record: models.Model) -> list[CorrectableField]:
    stored: dict[str, str] = getattr(record, ATTRIBUTION)
    return [
        CorrectableField(
            f"{ATTRIBUTION}.{p.id}",
            f"attribution to {p.name}",
            "choice",
            stored.get(p.id, ""),
            ATTRIBUTION_SCALE,
        )
        for p in trial_protocol().products
    ]


@dataclass(frozen=True)
class CorrectableRecord:
    model: str
    object_id: str  # the service's key: subject id for a participant, primary key otherwise
    title: str
    locked: bool
    fields: tuple[CorrectableField, ...]


def _field(cls: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A stored field of a correctable record (CORRECTABLE names stored fields only)."""
    field = cls._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise InputError(name, name, "not a stored field of the record")
    return field


def _kind(field: models.Field[Any, Any]) -> str:
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.BooleanField):
        return "yes/no"
    if isinstance(field, models.IntegerField):
        return "integer"
    if isinstance(field, models.FloatField):
        return "number"
    return "text"


def _shown(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "yes/no":
        return "yes" if value else "no"
    return value.isoformat() if kind == "date" else str(value)


def correctable_records(
    participant: Participant, aes: list[AdverseEvent]
) -> list[CorrectableRecord]:
    """The participant's records open to correction (service's CORRECTABLE) with their locks:
    the participant record and its adverse events ``aes``."""
    records: list[tuple[str, models.Model, str, str]] = [
        ("participant", participant, participant.subject_id, "Participant record")
    ]
    records += [
        ("adverseevent", ae, str(ae.pk), f"Adverse event {ae.ae_id}: {ae.term}") for ae in aes
    ]
    locked = set(
        RecordLock.objects.filter(
            unlocked_at__isnull=True,
            model__in=[m for m, *_ in records],
            object_id__in=[str(r.pk) for _, r, *_ in records],
        ).values_list("model", "object_id")
    )
    out = []
    for model, record, key, title in records:
        cls, names = integrity.CORRECTABLE[model]
        fields = []
        for name in names:
            if name == ATTRIBUTION:
                fields += _attribution_fields(record)
                continue
            f = _field(cls, name)
            kind = _kind(f)
            fields.append(
                CorrectableField(name, field_label(name), kind, _shown(kind, getattr(record, name)))
            )
        out.append(
            CorrectableRecord(model, key, title, (model, str(record.pk)) in locked, tuple(fields))
        )
    return out


def _posted(request: HttpRequest, model: str, record: models.Model) -> dict[str, Any]:
    """The fields whose posted value differs from the stored one, converted to the field's type
    (a blank clears a field)."""
    cls, names = integrity.CORRECTABLE[model]
    values: dict[str, Any] = {}
    for name in names:
        if name == ATTRIBUTION:
            changed = {
                f.name.removeprefix(f"{ATTRIBUTION}."): request.POST[f.name].strip()
                for f in _attribution_fields(record)
                if f.name in request.POST and request.POST[f.name].strip() != f.value
            }
            if changed:
                values[ATTRIBUTION] = changed
            continue
        if name not in request.POST:
            continue
        raw = request.POST[name].strip()
        kind = _kind(_field(cls, name))
        if raw == _shown(kind, getattr(record, name)):
            continue
        if not raw:
            values[name] = None
        elif kind == "yes/no":
            if raw not in ("yes", "no"):
                raise InputError(name, raw, "must be yes or no")
            values[name] = raw == "yes"
        elif kind in ("integer", "number"):
            try:
                values[name] = int(raw) if kind == "integer" else float(raw)
            except ValueError as exc:
                raise InputError(
                    name, raw, f"must be {'a whole' if kind == 'integer' else 'a'} number"
                ) from exc
        else:
            values[name] = raw
    return values


def _record_of(participant: Participant, model: str, object_id: str) -> models.Model:
    if model == "participant":
        return participant
    if model == "adverseevent":
        found = participant.adverse_events.filter(pk=object_id).first()
        if found is not None:
            return found
    raise InputError("record", f"{model}:{object_id}", "not a correctable record of this casebook")


@require_POST
@page
def correct_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    """Correct the changed fields of one record, with the reason (service: record_correct)."""
    participant = participant_for(profile, subject_id)
    model, object_id = request.POST.get("model", ""), request.POST.get("object_id", "")
    record = _record_of(participant, model, object_id)
    values = _posted(request, model, record)
    if not values:
        raise InputError("values", "", "nothing was changed")
    integrity.record_correct(
        user=request.user,
        now=now(),
        model=model,
        object_id=object_id,
        values=values,
        reason=request.POST.get("reason", ""),
    )
    return redirect(f"/participants/{subject_id}/#records")


@require_POST
@page
def lock_view(
    request: AuthenticatedHttpRequest, profile: UserProfile, subject_id: str
) -> HttpResponse:
    """Lock a record, or unlock it with a reason (data manager; service: record_lock/unlock)."""
    model, object_id = request.POST.get("model", ""), request.POST.get("object_id", "")
    _record_of(participant_for(profile, subject_id), model, object_id)
    if request.POST.get("action") == "unlock":
        integrity.record_unlock(
            user=request.user,
            now=now(),
            model=model,
            object_id=object_id,
            reason=request.POST.get("reason", ""),
        )
    else:
        integrity.record_lock(user=request.user, now=now(), model=model, object_id=object_id)
    return redirect(f"/participants/{subject_id}/#records")


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    record: str
    changes: tuple[tuple[str, str, str], ...]  # (label, old, new)

    @property
    def changes_html(self) -> SafeString:
        """One escaped line per change: a long audit table renders in Python, not in a template
        loop per field (the casebook's largest cost)."""
        return format_html_join("", "<div>{}: {} → {}</div>", self.changes)


def _moment(text: str) -> dt.datetime | None:
    """A stored timestamp (ISO 8601 with a time and an offset, as the audit keeps datetimes) in
    UTC, or None for any other text: dates and plain text are shown as they are."""
    if "T" not in text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo else None


def _text(value: Any) -> str:
    """A stored value as the audit table shows it. A structured value (a screening record, a
    grader's input and result) folds out whole, laid out as JSON: cut to a line it hid what
    changed."""
    if value is None or value == "":
        return "—"
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, str) and (moment := _moment(value)) is not None:
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, dict | list):
        size = f"{len(value)} {'fields' if isinstance(value, dict) else 'items'}"
        laid_out = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        return format_html(
            '<details><summary>{}</summary><pre tabindex="0">{}</pre></details>', size, laid_out
        )
    return Truncator(str(value)).chars(60)


def audit_rows(entries: list[AuditEntry], titles: dict[tuple[str, str], str]) -> list[AuditRow]:
    """Entries as a reader sees them: labelled fields, site codes and cohort numbers for their
    keys, no database keys. ``titles`` names each (model, primary key) of the casebook."""
    sites = dict(Site.objects.values_list("pk", "code"))
    cohorts = dict(Cohort.objects.values_list("pk", "number"))
    named: dict[str, dict[Any, Any]] = {"site_id": sites, "cohort_id": cohorts}
    rows = []
    for e in entries:
        changes = []
        for field, pair in (e.changes or {}).items():
            if field in _HIDDEN:
                continue
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            if field in named:
                old, new = named[field].get(old, old), named[field].get(new, new)
            if _text(old) != _text(new):
                changes.append((field_label(field), _text(old), _text(new)))
        record = titles.get((e.model, e.object_id), e.model)
        rows.append(AuditRow(e, record, tuple(changes)))
    return rows
