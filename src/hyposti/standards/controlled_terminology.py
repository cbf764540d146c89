"""The CDISC controlled terminology the exports use, shipped as data with its CT version.

Codelists from the NCI EVS SDTM/ADaM CT package named in ``data/controlled_terminology.json``
(SDTMIG 3.4 section 4.3: coded variables take submission values from their codelist); sponsor
codelists for the variables CDISC leaves uncontrolled are built here from the project's own
vocabularies, so that one list of grading scales and attributions exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from hyposti.data.schema import AE_SCALES, ATTRIBUTION

#: NCI CTEP attribution (the dataset's vocabulary) -> AEREL submission value (sponsor codelist).
AEREL = {
    "unrelated": "NOT RELATED",
    "unlikely": "UNLIKELY RELATED",
    "possible": "POSSIBLY RELATED",
    "probable": "PROBABLY RELATED",
    "definite": "DEFINITELY RELATED",
}


@dataclass(frozen=True)
class Codelist:
    """A codelist: its short name, full name, NCI code (None for sponsor or unchecked) and terms."""

    id: str
    name: str
    nci_code: str | None
    extensible: bool
    terms: tuple[str, ...]
    subset: bool = False
    sponsor: bool = False


@cache
def _package() -> dict[str, object]:
    text = resources.files("hyposti.standards").joinpath("data/controlled_terminology.json")
    return json.loads(text.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def ct_version() -> str:
    """The CDISC CT package version the shipped codelists come from (e.g. '2024-09-27')."""
    return str(_package()["version"])


@cache
def codelists() -> dict[str, Codelist]:
    """Every codelist the exports use, keyed by its short name."""
    raw: dict[str, dict[str, Any]] = _package()["codelists"]  # type: ignore[assignment]
    out = {
        key: Codelist(
            id=key,
            name=c["name"],
            nci_code=c["nci_code"],
            extensible=c["extensible"],
            terms=tuple(c["terms"]),
            subset=c["subset"],
            sponsor=key.startswith("SPONSOR_"),
        )
        for key, c in raw.items()
    }
    out["SPONSOR_REL"] = Codelist(
        "SPONSOR_REL", "Causality (NCI CTEP attribution scale)", None, False,
        tuple(AEREL[a] for a in ATTRIBUTION), sponsor=True,
    )  # fmt: skip
    out["SPONSOR_AESCALE"] = Codelist(
        "SPONSOR_AESCALE", "Adverse event grading scale", None, False, AE_SCALES, sponsor=True
    )
    return out


def codelist(name: str) -> Codelist:
    """One codelist by short name; KeyError names the list when a spec refers to an unknown one."""
    return codelists()[name]
