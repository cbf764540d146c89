"""The plausible ranges every engine input is held to, declared once for CLI, API and web forms.

A value outside these ranges is a typing or unit error, never a patient: it is refused with the
field, the value and the range, before any rule runs on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from hyposti.errors import InputError, RecordError, validation_problems

#: Earliest date a trial record may hold. A participant's date of birth is the oldest date any
#: record carries; the longest verified human life is 122 years (Jeanne Calment, 1875-1997), so
#: in a trial run after 2022 a date before 1900 is an entry error.
EARLIEST_DATE = dt.date(1900, 1, 1)
#: Latest date a trial record may hold. Far beyond any trial planned this century, and leaves the
#: calendar's date arithmetic (infusion + years of follow-up) far below Python's 9999-12-31 limit.
LATEST_DATE = dt.date(2199, 12, 31)
DATE_RULE = f"a trial date lies between {EARLIEST_DATE} and {LATEST_DATE}"

#: Longest identifier (participant, lesion, event, attestation): CDISC SDTM USUBJID values are
#: short codes; 64 characters holds any site-study-subject concatenation in use.
MAX_ID_CHARS = 64
#: Letters, digits and the separators identifiers use (``HER2-001``, ``T1.a``, ``site 3/012``).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._:/#()+-]*$"
ID_RULE = (
    f"an identifier is 1-{MAX_ID_CHARS} letters, digits, spaces or . _ : / # ( ) + -, "
    "starting with a letter or digit"
)

#: Longest name or short text (a drug, regimen, organ, investigator): CDISC SDTM holds text
#: values in at most 200 characters (the SAS version 5 transport limit; SDTMIG, "Text strings
#: that exceed the maximum length").
MAX_TEXT_CHARS = 200
#: Longest free-text note (an attestation's reasoning): ten SDTM 200-character values.
MAX_NOTE_CHARS = 2000

#: Largest lesion diameter accepted, mm. A lesion measured on CT or MRI lies inside the scanner's
#: field of view, at most about 500-700 mm across (bore of a wide-bore CT: 80 cm); 1000 mm leaves
#: room for a caliper measurement and still refuses an overflowed or misplaced-decimal entry.
MAX_LESION_MM = 1000.0
#: Thickest CT/MRI slice accepted, mm: RECIST 1.1 assumes <= 5 mm and doubles the measurable
#: floor above it; clinical protocols reconstruct at most 10 mm, so 50 mm is a unit slip.
MAX_SLICE_MM = 50.0

#: Highest level accepted, copies/ug genomic DNA. 1 ug of human DNA holds about 1.5e5 diploid
#: genomes (6.6 pg each), so even 60 vector copies in every cell stays below 1e7; above it the
#: value is a unit or entry error (e.g. copies/mL or a missing decimal point).
MAX_COPIES_PER_UG = 1e7
#: Study days a sample may carry: from a year before infusion to the end of the 15-year long-term
#: follow-up FDA asks of integrating-vector products (FDA, Long Term Follow-Up After Administration
#: of Human Gene Therapy Products, guidance, 2020), 15 x 365.25 = 5479 days.
STUDY_DAY_RANGE = (-365.0, 5479.0)


def check_trial_date(value: dt.date, field: str = "date") -> dt.date:
    """``value`` if inside [EARLIEST_DATE, LATEST_DATE]; else an InputError naming ``field``."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InputError(field, value, DATE_RULE)
    return value


def _trial_date(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        # pydantic adds the field's location; the message carries only the rule
        raise ValueError(DATE_RULE)
    return value


#: A calendar date inside the trial range (ISO 8601 in JSON).
TrialDate = Annotated[dt.date, AfterValidator(_trial_date)]
#: A participant, lesion or event identifier: 1-64 characters of letters, digits, separators.
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN)
]
#: A name or short text: 1-200 characters.
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS)]
#: A free-text note: at most 2000 characters, may be empty.
Note = Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS)]
#: A lesion's longest diameter (short axis for a node), mm.
LesionMm = Annotated[float, Field(ge=0, le=MAX_LESION_MM)]


class InputRecord(BaseModel):
    """Base of every engine input record: frozen, unknown keys refused (a typo must not hide a
    value), and NaN or infinity refused in every float field.

    Built with its constructor, a record that breaks its schema is a RecordError with one problem
    per field (as ``parse_record`` gives for a dict or JSON), never a pydantic ValidationError.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def __init__(self, **data: Any) -> None:
        try:
            # The validator itself, not BaseModel.__init__ (one call and one copy of ``data``
            # fewer: the trial's engines build some 80,000 of these records per 2,000 patients);
            # every model validator here returns the record itself, as that __init__ checks.
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as exc:
            raise RecordError(type(self).__name__, validation_problems(exc)) from None

    # Marks this __init__ as pydantic's own (as pydantic's RootModel does), so that validation of
    # a dict or of a nested record does not call it: only a direct construction is wrapped.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]  # a marker pydantic reads
