"""The CTCAE v5.0 term dictionary: terms, system organ classes and grade texts (NCI CTEP 2017)."""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from hyposti.errors import InputError

#: Grade text NCI prints where a grade is not available for a term.
NOT_AVAILABLE = "-"
GRADES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class CtcaeTerm:
    """One CTCAE v5.0 term as NCI publishes it (CTCAE_v5.0.xlsx, columns A-J)."""

    meddra_code: str
    term: str
    soc: str
    grades: tuple[str, str, str, str, str]
    definition: str
    navigational_note: str
    ctcae_v5_change: str

    def grade_text(self, grade: int) -> str:
        """NCI's text for ``grade`` (1-5); '-' where the grade is not available for this term."""
        if grade not in GRADES:
            raise InputError("grade", grade, "a CTCAE grade is an integer from 1 to 5")
        return self.grades[grade - 1]

    @property
    def available_grades(self) -> tuple[int, ...]:
        """Grades whose NCI text is not '-' (CTCAE v5.0: '-' means the grade is not available)."""
        return tuple(g for g in GRADES if self.grades[g - 1] != NOT_AVAILABLE)

    def check_grade(self, grade: int, field: str = "grade") -> int:
        """Return ``grade`` if CTCAE v5.0 allows it for this term, else raise InputError."""
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in GRADES:
            raise InputError(field, grade, "a CTCAE grade is an integer from 1 to 5")
        if self.grades[grade - 1] == NOT_AVAILABLE:
            allowed = ", ".join(str(g) for g in self.available_grades)
            raise InputError(
                field,
                grade,
                f"CTCAE v5.0 has no grade {grade} for {self.term!r} (grades available: {allowed})",
            )
        return grade


@cache
def _terms() -> dict[str, CtcaeTerm]:
    text = resources.files("hyposti.safety").joinpath("data/ctcae_v5.csv").read_text("utf-8")
    terms = {}
    for row in csv.DictReader(text.splitlines()):
        entry = CtcaeTerm(
            meddra_code=row["meddra_code"],
            term=row["term"],
            soc=row["soc"],
            grades=tuple(row[f"grade_{g}"] for g in GRADES),  # type: ignore[arg-type]
            definition=row["definition"],
            navigational_note=row["navigational_note"],
            ctcae_v5_change=row["ctcae_v5_change"],
        )
        terms[entry.term.casefold()] = entry
    return terms


def all_terms() -> tuple[CtcaeTerm, ...]:
    """Every CTCAE v5.0 term (837), in NCI's order: by system organ class, then by term."""
    return tuple(_terms().values())


@cache
def system_organ_classes() -> tuple[str, ...]:
    """The 26 MedDRA system organ classes CTCAE v5.0 uses, in NCI's order."""
    return tuple(dict.fromkeys(t.soc for t in _terms().values()))


def closest_terms(term: str, n: int = 5) -> list[str]:
    """CTCAE terms spelled most like ``term`` (difflib), best first, then terms containing it."""
    terms = _terms()
    key = term.strip().casefold()
    close = difflib.get_close_matches(key, list(terms), n=n, cutoff=0.6)
    if len(close) < n and key:
        close += [k for k in terms if key in k and k not in close][: n - len(close)]
    return [terms[k].term for k in close]


@cache
def _by_spelling() -> dict[str, CtcaeTerm]:
    # Every validated record holds NCI's own spelling, so most lookups are found here without
    # strip() and casefold(); kept only where the normalised key finds the same entry.
    terms = _terms()
    return {e.term: e for e in terms.values() if terms.get(e.term.strip().casefold()) is e}


def lookup(term: str, field: str = "term") -> CtcaeTerm:
    """The CTCAE v5.0 entry for ``term`` (case-insensitive); unknown terms name the closest ones."""
    found = (
        _by_spelling().get(term) or _terms().get(term.strip().casefold())
        if isinstance(term, str)
        else None
    )
    if found is None:
        suggestions = closest_terms(term) if isinstance(term, str) else []
        hint = f"; closest: {', '.join(repr(s) for s in suggestions)}" if suggestions else ""
        raise InputError(field, term, f"not a CTCAE v5.0 term{hint}")
    return found


def lookup_meddra(code: str) -> CtcaeTerm:
    """The CTCAE v5.0 term carrying MedDRA code ``code`` (8 digits, as NCI assigns them)."""
    for entry in _terms().values():
        if entry.meddra_code == code.strip():
            return entry
    raise InputError("meddra_code", code, "no CTCAE v5.0 term carries this MedDRA code")
