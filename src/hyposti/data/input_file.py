"""Reads a file a user hands to a command as text, refusing what is not a text file by name.

One reader for every input (JSON records, CSV tables, dataset tables, YAML files), so that a
missing file, a folder, an empty file or a binary file gets the same message whatever the command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hyposti.errors import InputError


def read_text(name: str, path: Path) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped), or InputError naming
    ``name``, the path and the rule: it must be an existing, readable, non-empty text file."""
    if not path.exists():
        raise InputError(name, str(path), "no such file")
    if path.is_dir():
        raise InputError(name, str(path), "is a folder; give a file")
    if not path.is_file():
        raise InputError(name, str(path), "is not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(name, str(path), f"cannot be read: {exc.strerror or exc}") from None
    if not data:
        raise InputError(name, str(path), "is empty (0 bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            name, str(path), f"is not UTF-8 text (byte {exc.start} cannot be decoded): binary?"
        ) from None
    if "\x00" in text:
        raise InputError(name, str(path), "is binary (it holds NUL bytes), not text")
    return text


def _no_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal names: a record with "ecog" twice would be read with
    # one of its two values silently dropped
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"the name {key!r} appears twice in one object; keep one")
        obj[key] = value
    return obj


def read_json(name: str, path: Path) -> Any:
    """The JSON value in ``path`` (RFC 8259: no NaN or Infinity), or InputError naming ``name``,
    the path and what is wrong, with its line and column. A name given twice in one object is
    refused (RFC 8259 leaves which one counts to the reader)."""
    text = read_text(name, path)
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_names)
    except json.JSONDecodeError as exc:
        raise InputError(
            name, str(path), f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise InputError(name, str(path), f"is not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(name, str(path), "is not readable JSON: nested too deeply") from None
