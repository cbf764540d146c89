"""The NCA input bounds: every refusal names the sample, the value and the plausible range."""

import math

import pytest

from hyposti.analysis.nca import nca_profile
from hyposti.errors import InputError

COPIES_RULE = "copies/ug lie between 0 and 1e+07 (1 ug of DNA is 1.5e5 cells)"


@pytest.mark.parametrize(
    ("days", "copies", "lloq", "message"),
    [
        ([0, 7], [10, -5], 1, f"copies_per_ug[1] = -5.0: {COPIES_RULE}"),
        # infinity was read as "below the LLOQ" and silently dropped
        ([0, 7], [10, math.inf], 1, f"copies_per_ug[1] = inf: {COPIES_RULE}"),
        ([0, 7], [10, 2e7], 1, f"copies_per_ug[1] = 20000000.0: {COPIES_RULE}"),
        ([0, 7], [10, 20], -1, f"lloq[0] = -1.0: {COPIES_RULE}"),
        (
            [0, 6000],
            [10, 20],
            1,
            "study_day[1] = 6000.0: a sample's study day lies between -365 and 5479 "
            "(15 years of follow-up)",
        ),
        ([0, math.nan], [10, 20], 1, "study_day[1] = NaN: must be a number"),
    ],
)
def test_implausible_samples_are_refused_with_field_value_and_range(days, copies, lloq, message):
    with pytest.raises(InputError) as info:
        nca_profile(days, copies, lloq=lloq)
    assert str(info.value) == message


def test_the_range_ends_are_accepted():
    # 15 years = 15 x 365.25 = 5478.75 days, rounded up to 5479; the top level 1e7 is kept
    r = nca_profile([-365, 0, 5479], [None, 1e7, 5.0], lloq=1)
    assert (r.cmax, r.tmax) == (1e7, 0.0)
