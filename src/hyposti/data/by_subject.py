"""The subjects table's columns read along another table's rows, matched by subject_id.

The cross-table rules read the subject's dates (consent, enrolment, infusion) and dose level on
the rows of most tables. Indexing the subjects once, and matching each table's subject ids once
for every column it needs, gives what ``frame["subject_id"].map(column)`` gives per column,
without a new index of the subjects and a new match for each column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype, take


class BySubject:
    """``subjects`` indexed by subject_id (its first row of each id)."""

    def __init__(self, subjects: pd.DataFrame) -> None:
        self._subjects = subjects.drop_duplicates("subject_id").set_index("subject_id")
        self._position = pd.Series(np.arange(len(self._subjects)), index=self._subjects.index)

    def aligned(self, frame: pd.DataFrame, *columns: str) -> list[pd.Series]:
        """Each of the subjects' ``columns`` on ``frame``'s rows (on its index), missing where a
        row's subject is not in subjects: ``Series.map`` of the subject ids, matched once."""
        # the match as map makes it (whatever the ids' type), its misses NaN
        matched = frame["subject_id"].map(self._position)
        rows = matched.fillna(-1).to_numpy(dtype=np.intp)
        # named as map names its result: after the ids it read
        return [
            pd.Series(_taken(self._subjects[c], rows), index=frame.index, name="subject_id")
            for c in columns
        ]


def _taken(column: pd.Series, rows: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The values at ``rows`` (-1: the dtype's missing value, as map fills a miss: NaN for
    numbers, flags and text; NaT for dates; NA for the nullable types)."""
    if not len(column):
        column = pd.Series(column, dtype=np.float64)  # as map reads an empty mapping
    if isinstance(column.dtype, ExtensionDtype):
        return take(column.array, rows, allow_fill=True)
    return take(column.to_numpy(), rows, allow_fill=True, fill_value=np.nan)
