"""Exact operating characteristics of a design by dynamic programming over reachable states.

Every design here decides from the per-dose counts (n_j, y_j) and the current dose only, so the
trial is a Markov chain on those states; propagating binomial cohort outcomes and merging paths
that reach the same state gives exact P(select each dose), E[N], E[DLT] and E[n_j] (the
"exact computation" of operating characteristics, Lin & Shih 2001, Biostatistics 2:203).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hyposti.design.decision import CappedBySampleSize, Design
from hyposti.errors import EngineError, InputError


@dataclass(frozen=True)
class OperatingCharacteristics:
    """P(select) (index 0 = no dose, k = dose k), expected patients and DLTs; SEs when simulated."""

    true_tox: tuple[float, ...]
    prob_select: np.ndarray
    expected_n: float
    expected_dlt: float
    expected_n_at_dose: np.ndarray
    method: str
    trials: int | None = None
    seed: int | None = None
    se_prob_select: np.ndarray | None = None
    se_expected_n: float | None = None
    se_expected_dlt: float | None = None
    se_expected_n_at_dose: np.ndarray | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "method": self.method,
            "true_tox": list(self.true_tox),
            "prob_select": self.prob_select.tolist(),
            "expected_n": self.expected_n,
            "expected_dlt": self.expected_dlt,
            "expected_n_at_dose": self.expected_n_at_dose.tolist(),
        }
        if (
            self.se_prob_select is not None
            and self.se_expected_n_at_dose is not None
            and self.method == "simulation"
        ):
            out.update(
                trials=self.trials,
                seed=self.seed,
                se_prob_select=self.se_prob_select.tolist(),
                se_expected_n=self.se_expected_n,
                se_expected_dlt=self.se_expected_dlt,
                se_expected_n_at_dose=self.se_expected_n_at_dose.tolist(),
            )
        return out


def check_true_tox(true_tox: Sequence[float], num_doses: int) -> np.ndarray:
    p = np.asarray(true_tox, dtype=float)
    if p.shape != (num_doses,):
        raise InputError(
            "true_tox", list(true_tox), f"needs one DLT probability per dose ({num_doses})"
        )
    if np.any((p < 0) | (p > 1)) or not np.all(np.isfinite(p)):
        raise InputError("true_tox", list(true_tox), "DLT probabilities must lie in [0, 1]")
    return p


MAX_EXACT_STATES = 2_000_000
"""Most states exact_oc evaluates, summed over cohorts and weighted by each design's state_cost.

Enumeration grows about geometrically with doses and cohorts (BOIN, 8 doses, 60 patients would
take minutes); beyond this budget exact_oc refuses and points to simulate_oc, whose Monte Carlo
error is known and falls with the number of trials.
"""

WORD_LIMIT = 2**36
"""Largest value of one key word when a state's key needs several (fits an int64 after ranking)."""


@dataclass(frozen=True)
class KeyLayout:
    """Where one cohort at each dose lands in a state's key: its word and its place value.

    A state's key is, word by word, sum_j (cohorts_j * R_y + dlts_j) * place_j over the doses of
    that word, so a cohort of k DLTs at dose d adds (R_y + k) * place_d to word word_d and keys
    update without rereading the counts.
    """

    word: np.ndarray
    place: np.ndarray
    radix: tuple[int, ...]


def key_layout(design: Design) -> KeyLayout:
    """One int64 word when the whole key fits, else consecutive doses packed below WORD_LIMIT."""
    radix_y = design.max_per_dose + 1
    radix = (design.max_per_dose // design.cohort_size + 1) * radix_y
    num_doses = design.num_doses
    if radix**num_doses * (num_doses + 1) < 2**62:
        per_word = num_doses
    else:
        per_word = max(int(math.log(WORD_LIMIT) / math.log(radix)), 1)
    dose = np.arange(num_doses)
    word = dose // per_word
    within = np.minimum(per_word, num_doses - word * per_word)
    place = radix ** (within - 1 - dose % per_word)
    radix_of_word = tuple(radix ** int(w) for w in np.bincount(word))
    return KeyLayout(word=word, place=place.astype(np.int64), radix=radix_of_word)


def sorted_runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort order of the keys, and where each run of equal keys starts in that order."""
    # Stable (timsort) merges presorted runs in about linear time; exact_oc feeds it such runs.
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_run = np.empty(keys.size, dtype=bool)
    new_run[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new_run[1:])
    return order, np.flatnonzero(new_run)


def distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal keys: (sort order, start of each group in that order, group of each key)."""
    order, starts = sorted_runs(keys)
    group = np.empty(keys.size, dtype=np.int64)
    group[order] = np.repeat(np.arange(starts.size), np.diff(starts, append=keys.size))
    return order, starts, group


def merge_key(
    words: Sequence[np.ndarray], radix: tuple[int, ...], current: np.ndarray, top: int
) -> np.ndarray:
    """One int64 per (counts, current dose), equal exactly when both are equal.

    Several words are folded by ranking: the rank of the words so far (< number of states) times
    the next word's radix stays below 2**63. Ranks come from distinct's stable sort, which merges
    the presorted runs exact_oc passes in about linear time (np.unique sorts from scratch).
    """
    key: np.ndarray = words[0]
    for w in range(1, len(radix)):
        key = distinct(key)[2] * radix[w] + words[w]
    merged: np.ndarray = key * (top + 1) + current
    return merged


def cohort_pmf(p: np.ndarray, size: int) -> np.ndarray:
    """P(k DLTs in a cohort of ``size``) = C(size, k) p^k (1-p)^(size-k); rows are doses."""
    k = np.arange(size + 1)
    ways = np.array([math.comb(size, j) for j in k], dtype=float)
    return ways * p[:, None] ** k * (1.0 - p[:, None]) ** (size - k)


@dataclass(frozen=True)
class CohortStep:
    """One cohort of the reachable-state graph: how the states' probabilities flow through it.

    Child c of the step (in merge order) comes from state ``source[c]`` with outcome
    ``outcome[c]`` = (dose - 1) * (cohort size + 1) + DLTs, an index into the flattened cohort
    pmf; children from ``starts[i]`` up to the next start merge into state i. States ``ended``
    stop there with their MTD and counts; states ``go`` take the next cohort.
    """

    source: np.ndarray
    outcome: np.ndarray
    starts: np.ndarray
    ended: np.ndarray
    mtd: np.ndarray
    n_ended: np.ndarray
    y_ended: np.ndarray
    go: np.ndarray


@functools.lru_cache(maxsize=4)
def state_graph(design: Design, max_states: int = MAX_EXACT_STATES) -> tuple[CohortStep, ...]:
    """Every state a trial under ``design`` can reach, cohort by cohort, with its decision.

    The graph depends on the design only: which outcomes can occur does not depend on the true
    DLT probabilities (those in (0, 1); outcomes impossible under 0 or 1 carry probability 0),
    so one graph serves every scenario of a scan, and the last 4 designs' graphs are kept
    (a graph at the state budget holds about 100 MB).
    """
    size = design.cohort_size
    outcomes = np.arange(size + 1)
    num_doses = design.num_doses

    # Counts n_1..n_J, y_1..y_J side by side in one small-integer row per state: one gather
    # moves a state (a dose never holds more than max_per_dose patients).
    count_type = np.int8 if design.max_per_dose < 127 else np.int32
    counts = np.zeros((1, 2 * num_doses), dtype=count_type)
    # What a cohort adds to a row, by outcome (dose - 1) * (size + 1) + DLTs.
    by_outcome = np.zeros((num_doses, size + 1, 2 * num_doses), dtype=count_type)
    by_outcome[np.arange(num_doses), :, np.arange(num_doses)] = size
    by_outcome[np.arange(num_doses), :, num_doses + np.arange(num_doses)] = outcomes
    added = by_outcome.reshape(num_doses * (size + 1), 2 * num_doses)
    dose = np.array([design.start_dose], dtype=np.int64)
    layout = key_layout(design)
    # Word by word: 1-D int64 arrays gather and add faster than rows of a 2-D array.
    words = [np.zeros(1, dtype=np.int64) for _ in layout.radix]
    # shift[k, d - 1]: how k DLTs in a cohort at dose d move the key of the word holding d.
    shift = (design.max_per_dose + 1 + outcomes)[:, None] * layout.place[None, :]
    key_shift = shift * (num_doses + 1)
    # Doses sort by radix when they fit 16 bits.
    dose_type = np.uint16 if num_doses < 2**16 else np.int64
    evaluated = 0
    steps: list[CohortStep] = []
    # A design capped by sample size stops every trial at its last cohort and selects the MTD
    # from the counts alone (BOIN select.mtd, CRM's estimate), so the last cohort's states merge
    # by counts, whatever the dose they ended at.
    last_by_counts = isinstance(design, CappedBySampleSize)

    for cohort in range(design.horizon):
        by_counts = last_by_counts and cohort == design.horizon - 1
        evaluated += len(dose) * (size + 1) * design.state_cost
        if evaluated > max_states:
            raise InputError(
                "design",
                f"{num_doses} doses, cohorts of {size}, max_n {design.max_n}",
                f"exact operating characteristics would evaluate more than {max_states:,} "
                "states; simulate instead (simulate_oc, --trials N --seed S)",
            )
        # Children by outcome, then by dose, then in parent (key) order: a cohort outcome at one
        # dose shifts every key by the same amount, so each such block is already sorted.
        by_dose = np.argsort(dose.astype(dose_type), kind="stable")
        parent_dose = dose.take(by_dose)
        column = parent_dose - 1
        if len(words) == 1:
            # The key of (counts, current dose) is word * (J + 1) + dose.
            if by_counts:
                child_words = [(words[0].take(by_dose) + shift.take(column, axis=1)).ravel()]
            else:
                parent_key = words[0].take(by_dose) * (num_doses + 1) + parent_dose
                child_words = [(parent_key + key_shift.take(column, axis=1)).ravel()]
            key = child_words[0]
        else:
            # Only the word holding the cohort's dose changes.
            child_shift = shift.take(column, axis=1)
            changed = layout.word.take(column)
            child_words = [
                (word.take(by_dose) + np.where(changed == w, child_shift, 0)).ravel()
                for w, word in enumerate(words)
            ]
            at = np.zeros(1, dtype=np.int64) if by_counts else np.tile(parent_dose, size + 1)
            key = merge_key(child_words, layout.radix, at, 0 if by_counts else num_doses)
        # Paths reaching the same counts at the same dose decide alike: merge them before deciding.
        order, starts = sorted_runs(key)
        # Child c of the grid is outcome c // P at the parent in slot c % P.
        dlts, slot = np.divmod(order, len(dose))
        source = by_dose.take(slot)
        outcome = (column * (size + 1)).take(slot) + dlts
        first = order.take(starts)
        merged_outcome = outcome.take(starts)
        counts = counts.take(source.take(starts), axis=0)
        counts += added.take(merged_outcome, axis=0)
        current = merged_outcome // (size + 1) + 1
        if by_counts:
            words = []
        elif len(words) == 1:
            words = [child_words[0].take(first) // (num_doses + 1)]
        else:
            words = [word.take(first) for word in child_words]

        step = design.step(counts[:, :num_doses], counts[:, num_doses:], current)
        stopped = step.next_dose == 0
        if stopped.all():
            steps.append(
                CohortStep(
                    source=source,
                    outcome=outcome,
                    starts=starts,
                    ended=np.arange(len(stopped)),
                    mtd=step.mtd,
                    n_ended=np.ascontiguousarray(counts[:, :num_doses]),
                    y_ended=np.ascontiguousarray(counts[:, num_doses:]),
                    go=np.empty(0, dtype=np.int64),
                )
            )
            return tuple(steps)
        go = np.flatnonzero(~stopped)
        ended = np.flatnonzero(stopped)
        ended_counts = counts.take(ended, axis=0)
        steps.append(
            CohortStep(
                source=source,
                outcome=outcome,
                starts=starts,
                ended=ended,
                mtd=step.mtd.take(ended),
                n_ended=np.ascontiguousarray(ended_counts[:, :num_doses]),
                y_ended=np.ascontiguousarray(ended_counts[:, num_doses:]),
                go=go,
            )
        )
        counts, dose = counts.take(go, axis=0), step.next_dose.take(go)
        words = [word.take(go) for word in words]
    raise EngineError(repr(design), "left trials running after its horizon of cohorts")


def exact_oc(
    design: Design, true_tox: Sequence[float], max_states: int = MAX_EXACT_STATES
) -> OperatingCharacteristics:
    """Exact operating characteristics under true DLT probabilities (one per dose).

    Refuses with InputError before evaluating more than ``max_states`` states (weighted by the
    design's ``state_cost``): use simulate_oc instead.
    """
    p = check_true_tox(true_tox, design.num_doses)
    pmf = cohort_pmf(p, design.cohort_size).ravel()
    num_doses = design.num_doses
    prob = np.ones(1)
    prob_select = np.zeros(num_doses + 1)
    expected_n_at_dose = np.zeros(num_doses)
    expected_dlt = 0.0
    for step in state_graph(design, max_states):
        prob = np.add.reduceat(prob[step.source] * pmf[step.outcome], step.starts)
        if step.ended.size:
            w = prob[step.ended] if step.go.size else prob
            prob_select += np.bincount(step.mtd, weights=w, minlength=num_doses + 1)
            expected_n_at_dose += w @ step.n_ended
            expected_dlt += float((w @ step.y_ended).sum())
        prob = prob[step.go]

    return OperatingCharacteristics(
        true_tox=tuple(float(v) for v in p),
        prob_select=prob_select,
        expected_n=float(expected_n_at_dose.sum()),
        expected_dlt=expected_dlt,
        expected_n_at_dose=expected_n_at_dose,
        method="exact",
    )
