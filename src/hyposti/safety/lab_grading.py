"""CTCAE v5.0 grade of a laboratory value (SI units), from admiral's ncictcaev5.json criteria.

Source: NCI CTCAE v5.0 (2017) grade texts, as machine-readable criteria in pharmaverse/admiral
``data-raw/adlb_grading/ncictcaev5.json`` (Apache-2.0; see ``data/NOTICE``). The criteria are
evaluated as admiral's ``derive_var_atoxgr_dir`` does: the branches NA, grade 4, 3, 2, 1 in that
order, the first TRUE one decides, otherwise grade 0.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources

from hyposti.errors import DataError, InputError
from hyposti.safety.dictionary import NOT_AVAILABLE, lookup
from hyposti.safety.lab_expression import Branch, Value, first_true, parse_fragment

#: admiral's default options: ``signif_dig`` (signif_digits) and ``high_indicator``.
_SIGNIF_DIGITS = 15.0
_HIGH = "HIGH"
#: Criteria without UNIT_CHECK that still compare with absolute numbers: their unit is fixed.
_DIMENSIONLESS = {"INR increased": "INR", "Acidosis": "pH", "Alkalosis": "pH"}
#: Where admiral's code departs from NCI's wording, corrected before parsing:
#: (criterion, fragment) -> (admiral's text, corrected text, the NCI grade text it follows).
ERRATA: dict[tuple[str, str], tuple[str, str, str]] = {
    ("GGT increased", "GRADE_1_CODE"): (
        "signif(AVAL, signif_dig) > signif(2*BASE, signif_dig)",
        "signif(AVAL, signif_dig) >= signif(2*BASE, signif_dig)",
        "2.0 - 2.5 x baseline if baseline was abnormal (2.0 x baseline is grade 1)",
    ),
    ("Hypertriglyceridemia", "GRADE_1_CODE"): (
        "signif(AVAL, signif_dig) > 1.71",
        "signif(AVAL, signif_dig) >= 1.71",
        "1.71 mmol/L - 3.42 mmol/L (1.71 mmol/L is grade 1)",
    ),
}
#: Which input each admiral variable comes from, to say what is missing.
_INPUT_NAME = {"AVAL": "value", "ANRLO": "lln", "ANRHI": "uln", "BASE": "baseline"}


@dataclass(frozen=True)
class LabCriterion:
    """One admiral lab-grading entry: the CTCAE term it grades, its unit and its branches."""

    name: str
    ctcae_term: str
    direction: str
    unit: str | None
    variables: tuple[str, ...]
    assumption: str | None
    branches: tuple[Branch, ...]
    value_graded: tuple[int, ...]

    @property
    def clinical_only_grades(self) -> dict[int, str]:
        """NCI grades this criterion cannot reach from a value (they need clinical findings)."""
        return dict(self._clinical_only)

    @cached_property
    def _clinical_only(self) -> tuple[tuple[int, str], ...]:
        # Read from the dictionary once per criterion; each caller gets its own dict of it.
        entry = lookup(self.ctcae_term)
        return tuple(
            (g, entry.grade_text(g)) for g in entry.available_grades if g not in self.value_graded
        )


@dataclass(frozen=True)
class LabGrade:
    """A graded lab value: the grade (None when not gradable), why, and NCI's text for it."""

    criterion: str
    ctcae_term: str
    value: float
    unit: str
    grade: int | None
    deciding_rule: str
    ctcae_text: str
    assumption: str | None
    not_gradable_reason: str | None
    clinical_only_grades: dict[int, str]


def _corrected(name: str, key: str, code: str) -> str:
    erratum = ERRATA.get((name, key))
    if erratum is None:
        return code
    wrong, right, _ = erratum
    if code.count(wrong) != 1:
        raise DataError(
            "ctcae_v5_lab_grading.json",
            None,
            f"{name} {key}",
            f"erratum {wrong!r} no longer matches the admiral code: review ERRATA",
        )
    return code.replace(wrong, right)


@cache
def _criteria() -> dict[str, LabCriterion]:
    path = resources.files("hyposti.safety").joinpath("data/ctcae_v5_lab_grading.json")
    entries = json.loads(path.read_text("utf-8"))
    out = {}
    for entry in entries:
        name = entry["TERM"]
        branches: list[Branch] = []
        graded = []
        for key in (
            "GRADE_NA_CODE",
            "GRADE_4_CODE",
            "GRADE_3_CODE",
            "GRADE_2_CODE",
            "GRADE_1_CODE",
        ):
            if key in entry:
                branches += parse_fragment(
                    _corrected(name, key, entry[key]), f"ctcae_v5_lab_grading.json {name} {key}"
                )
                if key != "GRADE_NA_CODE":
                    graded.append(int(key[6]))
        out[name.casefold()] = LabCriterion(
            name=name,
            ctcae_term=lookup(name.removesuffix(" (Ionized)")).term,
            direction=entry["DIRECTION"],
            unit=entry.get("UNIT_CHECK") or _DIMENSIONLESS.get(name),
            variables=tuple(v.strip() for v in entry["VAR_CHECK"].split(",")),
            assumption=entry.get("COMMENT") if "worst case" in entry.get("COMMENT", "") else None,
            branches=tuple(branches),
            value_graded=tuple(sorted(graded)),
        )
    return out


def lab_criteria() -> tuple[LabCriterion, ...]:
    """All 40 lab criteria (38 CTCAE terms; calcium split into corrected and ionised)."""
    return tuple(_criteria().values())


def lab_criterion(name: str) -> LabCriterion:
    """The criterion named ``name`` (case-insensitive), or InputError with the closest names."""
    found = _criteria().get(name.strip().casefold())
    if found is None:
        close = difflib.get_close_matches(name.casefold(), list(_criteria()), n=5, cutoff=0.5)
        hint = ", ".join(repr(_criteria()[c].name) for c in close)
        raise InputError(
            "test",
            name,
            "not a CTCAE v5.0 lab criterion" + (f"; closest: {hint}" if hint else ""),
        )
    return found


@lru_cache(maxsize=256)
def _unit_key(unit: str) -> str:
    # A handful of unit spellings recur across every value graded.
    key = unit.replace(" ", "").casefold().lstrip("x×")
    return key.replace("10e9", "10^9").replace("10*9", "10^9")


def _check_number(field: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(field, value, "must be a finite number")
    if value < 0:
        raise InputError(field, value, "a laboratory value cannot be negative")


def _baseline_indicator(baseline: float | None, lln: float | None, uln: float | None) -> str | None:
    # BNRIND, the baseline's place in the normal range (CDISC ADaM ADLB); admiral grades from
    # the baseline instead of the ULN when it is HIGH.
    if baseline is None:
        return None
    if uln is not None and baseline > uln:
        return _HIGH
    if lln is not None and baseline < lln:
        return "LOW"
    return "NORMAL" if uln is not None or lln is not None else None


def grade_lab(
    test: str,
    value: float,
    unit: str,
    *,
    lln: float | None = None,
    uln: float | None = None,
    baseline: float | None = None,
) -> LabGrade:
    """CTCAE v5.0 grade of one lab value; CTCAE v5.0 grade texts via admiral ncictcaev5.json.

    ``lln``/``uln`` are the laboratory's normal limits and ``baseline`` the pre-treatment value,
    all in the same unit as ``value``. The unit must be the criterion's SI unit (admiral
    UNIT_CHECK); criteria stated in multiples of ULN/LLN/baseline take any unit shared by the
    value and its limits.
    """
    criterion = lab_criterion(test)
    for field, number in (("value", value), ("lln", lln), ("uln", uln), ("baseline", baseline)):
        _check_number(field, number)
    if value is None:
        raise InputError("value", value, "a lab value is required")
    if lln is not None and uln is not None and lln > uln:
        raise InputError("lln", lln, f"the lower limit of normal exceeds the upper ({uln})")
    if not isinstance(unit, str) or not unit.strip():
        raise InputError("unit", unit, f"state the unit of the value ({criterion.unit or 'any'})")
    if criterion.unit is not None and _unit_key(unit) != _unit_key(criterion.unit):
        raise InputError(
            "unit",
            unit,
            f"{criterion.name} is graded in {criterion.unit}; convert the value first",
        )
    env: dict[str, Value] = {
        "AVAL": float(value),
        "ANRLO": lln,
        "ANRHI": uln,
        "BASE": baseline,
        "BNRIND": _baseline_indicator(baseline, lln, uln),
        "PCHG": (value - baseline) / baseline * 100 if baseline else None,
        "signif_dig": _SIGNIF_DIGITS,
        "high_indicator": _HIGH,
    }
    branch = first_true(criterion.branches, env)
    grade: int | None = 0
    rule, text, reason = "no grading branch is met", "within normal limits or below grade 1", None
    if branch is not None and branch.outcome is None:
        missing = sorted(
            name for var, name in _INPUT_NAME.items() if env[var] is None and var in branch.source
        )
        grade, rule, text = None, branch.source, NOT_AVAILABLE
        reason = f"needs {', '.join(missing)} to decide the grade ({branch.source})"
    elif branch is not None and branch.outcome is not None:
        grade, rule = int(branch.outcome), branch.source
        text = lookup(criterion.ctcae_term).grade_text(grade) if grade else text
    return LabGrade(
        criterion=criterion.name,
        ctcae_term=criterion.ctcae_term,
        value=value,
        unit=unit,
        grade=grade,
        deciding_rule=rule,
        ctcae_text=text,
        assumption=criterion.assumption if grade else None,
        not_gradable_reason=reason,
        clinical_only_grades=criterion.clinical_only_grades,
    )
