"""The 3+3 family (Storer 1989; Korn et al. 1994): one rule with parameters accept, deescalate.

Variants: conventional (accept=1, with de-escalation, Korn et al. 1994, Stat Med 13:1799),
registry-literal (accept=2: NCT05681650's "less than or equal to 2 DLT among 6 subjects"),
escalation-only (accept=1, no de-escalation; Storer 1989 design "A", the R package escalation's
`get_three_plus_three(allow_deescalate = FALSE)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from hyposti.design.decision import DoseLabel, Step, check_common
from hyposti.errors import InputError

VARIANTS: dict[str, tuple[int, bool]] = {
    "conventional": (1, True),
    "registry-literal": (2, True),
    "escalation-only": (1, False),
}


class Reason(IntEnum):
    ESCALATE = 1
    EXPAND = 2
    CONFIRM = 3
    MTD_FOUND = 4
    MTD_ACCEPTED = 5
    DEESCALATE = 6
    MTD_BELOW = 7
    NO_MTD = 8
    MTD_BELOW_NO_EXPANSION = 9
    CAP = 10


@dataclass(frozen=True)
class ThreePlusThree:
    """3+3 with MTD rule "at most `accept` DLTs in 6" (Storer 1989; Korn et al. 1994).

    ``deescalate`` True: a dose found above the MTD sends the next cohort to the dose below until
    that dose has 6 patients, and a dose is declared MTD only with 6 patients (Korn et al. 1994).
    False: the MTD is the dose below the first dose found above it, whatever its sample size.
    """

    num_doses: int
    accept: int = 1
    deescalate: bool = True
    cohort_size: int = 3
    start_dose: int = 1
    max_n: int | None = None

    def __post_init__(self) -> None:
        check_common(self.num_doses, self.cohort_size, self.start_dose, self.max_n)
        if self.cohort_size != 3:
            raise InputError("cohort_size", self.cohort_size, "the 3+3 design treats cohorts of 3")
        if self.accept not in (1, 2):
            raise InputError("accept", self.accept, "3+3 accepts at most 1 or 2 DLTs in 6")

    @classmethod
    def variant(
        cls,
        name: str,
        num_doses: int,
        *,
        cohort_size: int = 3,
        start_dose: int = 1,
        max_n: int | None = None,
    ) -> ThreePlusThree:
        """Build a named variant: conventional, registry-literal or escalation-only."""
        if name not in VARIANTS:
            raise InputError("variant", name, f"must be one of {', '.join(VARIANTS)}")
        accept, deescalate = VARIANTS[name]
        return cls(
            num_doses=num_doses,
            accept=accept,
            deescalate=deescalate,
            cohort_size=cohort_size,
            start_dose=start_dose,
            max_n=max_n,
        )

    @property
    def variant_name(self) -> str:
        for name, params in VARIANTS.items():
            if params == (self.accept, self.deescalate):
                return name
        return f"accept {self.accept}/6, no de-escalation"

    @property
    def horizon(self) -> int:
        natural = 2 * self.num_doses
        return natural if self.max_n is None else min(natural, self.max_n // self.cohort_size)

    @property
    def max_per_dose(self) -> int:
        return 6 if self.max_n is None else min(6, self.max_n)

    @property
    def state_cost(self) -> int:
        return 1

    def check_history(self, n: np.ndarray, y: np.ndarray) -> None:
        for j, count in enumerate(n, start=1):
            if count not in (0, 3, 6):
                raise InputError(
                    f"outcomes (dose {j})",
                    int(count),
                    "the 3+3 design treats 3 or 6 patients at a dose, in cohorts of 3",
                )
        if self.max_n is not None and n.sum() > self.max_n:
            raise InputError("outcomes", int(n.sum()), f"more patients than max_n = {self.max_n}")

    def step(self, n: np.ndarray, y: np.ndarray, current: np.ndarray) -> Step:
        """The 3+3 rule on the patients at the current dose (Korn et al. 1994, section 2)."""
        size, num_doses = n.shape
        rows = np.arange(size)
        nd = n[rows, current - 1]
        yd = y[rows, current - 1]
        # A dose with more than `accept` DLTs (2/3, 2/6 when accept=1) is above the MTD, and so is
        # every dose above it: L is the lowest such dose (num_doses + 1 when none).
        toxic = y > self.accept
        lowest_toxic = np.where(toxic.any(axis=1), toxic.argmax(axis=1) + 1, num_doses + 1)
        above = current >= lowest_toxic
        escalate = ~above & (((nd == 3) & (yd == 0)) | ((nd == 6) & (yd <= 1)))
        expand = ~above & (nd == 3) & (yd >= 1)
        accepted = ~above & (nd == 6) & (yd >= 2)
        can_go_up = current + 1 < np.minimum(lowest_toxic, num_doses + 1)

        next_dose = np.zeros(size, dtype=np.int64)
        mtd = np.zeros(size, dtype=np.int64)
        code = np.zeros(size, dtype=np.int8)

        up = escalate & can_go_up
        next_dose[up] = current[up] + 1
        code[up] = Reason.ESCALATE.value
        blocked = escalate & ~can_go_up
        confirm = blocked & (nd < 6) if self.deescalate else np.zeros(size, dtype=bool)
        next_dose[confirm] = current[confirm]
        code[confirm] = Reason.CONFIRM.value
        found = blocked & ~confirm
        mtd[found] = current[found]
        code[found] = Reason.MTD_FOUND.value
        next_dose[expand] = current[expand]
        code[expand] = Reason.EXPAND.value
        mtd[accepted] = current[accepted]
        code[accepted] = Reason.MTD_ACCEPTED.value

        below = lowest_toxic - 1
        none_left = above & (below == 0)
        code[none_left] = Reason.NO_MTD.value
        has_below = above & (below >= 1)
        n_below = n[rows, np.maximum(below, 1) - 1]
        if self.deescalate:
            settled = has_below & (n_below >= 6)
            mtd[settled] = below[settled]
            code[settled] = Reason.MTD_BELOW.value
            go_down = has_below & (n_below < 6)
            next_dose[go_down] = below[go_down]
            code[go_down] = Reason.DEESCALATE.value
        else:
            mtd[has_below] = np.where(n_below[has_below] > 0, below[has_below], 0)
            code[has_below] = Reason.MTD_BELOW_NO_EXPANSION.value

        if self.max_n is not None:
            capped = (next_dose > 0) & (n.sum(axis=1) >= self.max_n)
            if capped.any():
                mtd[capped] = self._best_so_far(n[capped], y[capped], lowest_toxic[capped])
                next_dose[capped] = 0
                code[capped] = Reason.CAP.value
        return Step(next_dose=next_dose, mtd=mtd, code=code)

    def _best_so_far(self, n: np.ndarray, y: np.ndarray, lowest_toxic: np.ndarray) -> np.ndarray:
        """At the sample-size cap: the highest dose below any toxic dose that met the MTD rule."""
        if self.deescalate:
            met = (n == 6) & (y <= self.accept)
        else:
            met = ((n == 3) & (y == 0)) | ((n == 6) & (y <= 1))
        doses = np.arange(1, n.shape[1] + 1)
        met &= doses[None, :] < lowest_toxic[:, None]
        return np.where(met.any(axis=1), n.shape[1] - met[:, ::-1].argmax(axis=1), 0)

    def explain(
        self,
        code: int,
        n: np.ndarray,
        y: np.ndarray,
        current: int,
        next_dose: int,
        mtd: int,
        label: DoseLabel,
    ) -> str:
        d = current
        seen = f"{y[d - 1]}/{n[d - 1]} DLTs at {label(d)}"
        toxic = [j for j in range(1, self.num_doses + 1) if y[j - 1] > self.accept]
        limit = f"more than {self.accept}"
        if toxic:
            t = toxic[0]
            above = f"{y[t - 1]}/{n[t - 1]} DLTs at {label(t)} ({limit}): it is above the MTD"
        reason = Reason(code)
        if reason is Reason.ESCALATE:
            return f"{seen}: escalate to {label(next_dose)}"
        if reason is Reason.EXPAND:
            return f"{seen}: treat 3 more patients at {label(d)}"
        if reason is Reason.CONFIRM:
            why = "the highest dose" if d == self.num_doses else "the next dose is above the MTD"
            return f"{seen} and it is {why}: treat 3 more patients at {label(d)} to confirm"
        if reason is Reason.MTD_FOUND:
            why = "the highest dose" if d == self.num_doses else "below a dose above the MTD"
            return f"{seen} and it is {why}: stop, MTD = {label(d)}"
        if reason is Reason.MTD_ACCEPTED:
            return (
                f"{seen} (at most {self.accept} of 6 accepted): stop escalating, MTD = {label(d)}"
            )
        if reason is Reason.DEESCALATE:
            return f"{above}; treat 3 more patients at {label(next_dose)}"
        if reason is Reason.MTD_BELOW:
            below = toxic[0] - 1
            return (
                f"{above}; {label(below)} had {y[below - 1]}/{n[below - 1]} DLTs: "
                f"stop, MTD = {label(below)}"
            )
        if reason is Reason.NO_MTD:
            return f"{above} and it is the lowest dose: stop, no MTD"
        if reason is Reason.MTD_BELOW_NO_EXPANSION:
            chosen = f"MTD = {label(mtd)}" if mtd else "no MTD (the dose below was not given)"
            return f"{above}: stop, {chosen}"
        chosen = f"MTD = {label(mtd)}" if mtd else "no dose met the MTD rule"
        return f"sample-size cap of {self.max_n} patients reached: stop, {chosen}"
