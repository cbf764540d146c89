"""The permission matrix: which role may do which action. One table, read by every API route.

Roles after ICH E6(R3) section 3 (sponsor/investigator delegation) and 21 CFR 11.10(d)/(g)
(limited system access, authority checks).
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal[
    "administrator",
    "investigator",
    "research_coordinator",
    "data_manager",
    "monitor",
    "statistician",
    "safety_committee",
]
ROLES: tuple[str, ...] = get_args(Role)

ADMIN, INV, CRC, DM, MON, STAT, SRC = ROLES
EVERYONE = frozenset(ROLES)

#: action -> roles allowed. Reading is everyone's; site-bound users read their own site only.
MATRIX: dict[str, frozenset[str]] = {
    "read": EVERYONE,
    "participant.create": frozenset({INV, CRC}),
    "participant.consent": frozenset({INV, CRC}),
    "screening.record": frozenset({INV, CRC}),
    "screening.attest": frozenset({INV}),
    "participant.enrol": frozenset({INV, CRC}),
    "dosing.record": frozenset({INV, CRC}),
    "participant.precondition": frozenset({INV, CRC}),
    "participant.infuse": frozenset({INV, CRC}),
    "adverse_event.record": frozenset({INV, CRC}),
    "adverse_event.confirm_dlt": frozenset({INV}),
    "tumour.record": frozenset({INV, CRC}),
    "sample.record": frozenset({INV, CRC}),
    "disposition.record": frozenset({INV, CRC}),
    "record.correct": frozenset({INV, CRC, DM}),
    "escalation.review": frozenset({SRC, INV, STAT}),
    "escalation.decide": frozenset({SRC}),
    "query.open": frozenset({DM, MON}),
    "query.answer": frozenset({INV, CRC}),
    "query.close": frozenset({DM, MON}),
    "record.lock": frozenset({DM}),
    "record.unlock": frozenset({DM}),
    "audit.read": frozenset({ADMIN, DM, MON}),
    "dataset.export": frozenset({STAT, DM}),
    "user.manage": frozenset({ADMIN}),
    "site.manage": frozenset({ADMIN}),
}

#: Roles bound to one site (they see and write only their site's participants); the others see all.
SITE_BOUND = frozenset({INV, CRC, MON})


def allowed(role: str, action: str) -> bool:
    return role in MATRIX[action]


def matrix_table() -> list[dict[str, object]]:
    """The matrix as rows for the docs: action, then one yes/no per role."""
    return [{"action": a, **{r: r in roles for r in ROLES}} for a, roles in MATRIX.items()]


#: Where the generated table is kept (tests/service/test_permissions_doc.py keeps it current).
DOC_PATH = "docs/permissions.md"


def matrix_markdown() -> str:
    """docs/permissions.md: the matrix as a Markdown table, generated from ``MATRIX``."""
    head = "| action | " + " | ".join(r.replace("_", " ") for r in ROLES) + " |"
    rows = [
        f"| `{a}` | " + " | ".join("yes" if r in roles else "—" for r in ROLES) + " |"
        for a, roles in MATRIX.items()
    ]
    bound = ", ".join(r.replace("_", " ") for r in ROLES if r in SITE_BOUND)
    return "\n".join(
        [
            "# Permission matrix",
            "",
            "Generated from `src/hyposti/service/permissions.py` by `matrix_markdown()`; the API",
            "serves the same table at `/api/permissions`. Regenerate with",
            '`python -c "from hyposti.service.permissions import matrix_markdown; '
            "print(matrix_markdown(), end='')\" > docs/permissions.md`.",
            "",
            head,
            "|---|" + "---|" * len(ROLES),
            *rows,
            "",
            f"Site-bound roles ({bound}) see and act on their own site's participants only.",
            "A monitor reads the audit entries of those participants' records only.",
            "The other roles see every site.",
            "",
        ]
    )
