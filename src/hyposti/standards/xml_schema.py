"""Is an ODM 1.3.2 or Define-XML 2.1 document valid against CDISC's own XML schemas?

The schemas ship in ``standards/data/xsd`` exactly as CDISC lays them out in the Define-XML 2.1
release package (``cdisc-odm-1.3.2``, ``cdisc-define-2.1``, ``core``; see data/NOTICE): the ODM
1.3.2 schema ``ODM1-3-2.xsd`` (CDISC ODM Specification 1.3.2, 2013) and the Define-XML 2.1
schema ``define2-1-0.xsd``, which extends ODM 1.3.2 with the def: namespace (CDISC Define-XML
Specification 2.1, 2019). lxml (libxml2) validates; nothing is fetched.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hyposti.errors import InputError

if TYPE_CHECKING:
    from lxml import etree

XSD_DIR = Path(__file__).parent / "data" / "xsd"
SCHEMAS = {
    "ODM 1.3.2": XSD_DIR / "cdisc-odm-1.3.2" / "ODM1-3-2.xsd",
    "Define-XML 2.1": XSD_DIR / "cdisc-define-2.1" / "define2-1-0.xsd",
}
Schema = Literal["ODM 1.3.2", "Define-XML 2.1"]
ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
DEFINE_NS = "http://www.cdisc.org/ns/def/v2.1"


@dataclass(frozen=True)
class SchemaProblem:
    """One place where a document breaks its schema: the line and libxml2's message."""

    line: int
    message: str


def _require_lxml() -> None:
    try:
        import lxml  # noqa: F401
    except ImportError as exc:  # an optional dependency: say which extra brings it
        raise InputError(
            "lxml", None, "XML schema validation needs lxml: pip install 'hyposti[xml]'"
        ) from exc


@functools.cache
def _compiled(schema: Schema) -> etree.XMLSchema:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS[schema])))


def schema_of(root: etree._Element) -> Schema:
    """Define-XML 2.1 for a document that declares the def: 2.1 namespace, else ODM 1.3.2.

    A define.xml is an ODM 1.3.2 document with def: extensions (Define-XML 2.1), so its root is
    ODM in the ODM namespace either way."""
    if root.tag != f"{{{ODM_NS}}}ODM":
        raise InputError("root element", root.tag, f"must be ODM in the namespace {ODM_NS}")
    return "Define-XML 2.1" if DEFINE_NS in root.nsmap.values() else "ODM 1.3.2"


def schema_problems(path: str | Path) -> tuple[Schema, list[SchemaProblem]]:
    """Which schema applies to the file at ``path``, and every place it breaks that schema."""
    _require_lxml()
    from lxml import etree

    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(str(path), None, f"is not well-formed XML: {exc}") from exc
    schema = schema_of(tree.getroot())
    validator = _compiled(schema)
    if validator.validate(tree):
        return schema, []
    return schema, [SchemaProblem(e.line, e.message) for e in validator.error_log]
