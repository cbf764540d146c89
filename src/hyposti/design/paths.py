"""Dose paths: the tree of next-dose decisions over the next k cohorts (Yap et al. 2017).

Dose transition pathways (Yap, Billingham, Cheung, Craddock & O'Quigley 2017, Clin Cancer Res
23:7440); notation and `get_dose_paths` of the R package escalation (Brock 2019). Each branch is
one cohort outcome (0..c DLTs at the dose given); with true DLT probabilities each node carries
the exact probability of its path. DLT order inside a cohort changes no decision, so a cohort
with k DLTs is one branch, written with its N's first ("2NNT").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hyposti.design.decision import Decision, Design, DoseLabel, fit, plain_label
from hyposti.design.operating import check_true_tox, cohort_pmf
from hyposti.design.outcomes import Cohort, format_outcomes, parse_outcomes, tally
from hyposti.errors import InputError

MAX_LEAVES = 2**21


@dataclass(frozen=True)
class PathLevel:
    """All nodes k cohorts ahead; ``parent`` indexes the previous level (the root for level 1)."""

    parent: np.ndarray
    dose: np.ndarray
    dlts: np.ndarray
    next_dose: np.ndarray
    mtd: np.ndarray
    code: np.ndarray
    probability: np.ndarray | None
    n: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class DosePaths:
    """The root decision for the history so far and the tree of the cohorts that follow."""

    design: Design
    history: tuple[Cohort, ...]
    root: Decision
    levels: tuple[PathLevel, ...]
    true_tox: tuple[float, ...] | None

    @property
    def num_nodes(self) -> int:
        return sum(len(level.dose) for level in self.levels)

    def dose_distribution(self) -> np.ndarray:
        """Row k: probability that cohort k+1 of the tree is given each dose (column 0: stopped).

        Needs the true DLT probabilities the tree was built with.
        """
        num_doses = self.design.num_doses
        first = np.zeros(num_doses + 1)
        first[self.root.next_dose or 0] = 1.0
        rows: list[np.ndarray] = [first]
        for level in self.levels[:-1]:
            probability = level.probability
            if probability is None:
                raise InputError("true_tox", None, "dose probabilities need true DLT probabilities")
            row = np.bincount(level.next_dose, weights=probability, minlength=num_doses + 1)
            row[0] += 1.0 - probability.sum()
            rows.append(row)
        if self.true_tox is None:
            raise InputError("true_tox", None, "dose probabilities need true DLT probabilities")
        return np.array(rows[: max(len(self.levels), 1)])

    def to_dict(self, label: DoseLabel = plain_label) -> dict[str, object]:
        """Nested JSON-ready tree: each node names its cohort, decision, probability and reason."""
        design = self.design
        children: list[list[list[int]]] = []
        for level in self.levels:
            grouped: dict[int, list[int]] = {}
            for index, parent in enumerate(level.parent.tolist()):
                grouped.setdefault(parent, []).append(index)
            children.append([grouped.get(i, []) for i in range(_width(self, len(children)))])

        def node(depth: int, index: int) -> dict[str, object]:
            level = self.levels[depth]
            dose, dlts = int(level.dose[index]), int(level.dlts[index])
            next_dose, mtd = int(level.next_dose[index]), int(level.mtd[index])
            n, y = level.n[index], level.y[index]
            code = int(level.code[index])
            size = design.cohort_size
            out: dict[str, object] = {
                "cohort": f"{dose}" + "N" * (size - dlts) + "T" * dlts,
                "next_dose": next_dose or None,
                "stop": next_dose == 0,
                "mtd": (mtd or None) if next_dose == 0 else None,
                "probability": (
                    None if level.probability is None else float(level.probability[index])
                ),
                "reason": design.explain(code, n, y, dose, next_dose, mtd, label),
            }
            if depth + 1 < len(self.levels):
                out["children"] = [node(depth + 1, c) for c in children[depth + 1][index]]
            return out

        return {
            "history": format_outcomes(self.history),
            "true_tox": None if self.true_tox is None else list(self.true_tox),
            "cohorts": len(self.levels),
            "root": fit(design, self.history, label).to_dict(),
            "children": [node(0, c) for c in children[0][0]] if self.levels else [],
        }


def _width(paths: DosePaths, depth: int) -> int:
    return 1 if depth == 0 else len(paths.levels[depth - 1].dose)


def dose_paths(
    design: Design,
    cohorts: int,
    history: str | Sequence[Cohort] = (),
    true_tox: Sequence[float] | None = None,
) -> DosePaths:
    """Every decision over the next ``cohorts`` cohorts after ``history``, with probabilities."""
    past = parse_outcomes(history, design.num_doses) if isinstance(history, str) else tuple(history)
    if cohorts < 1:
        raise InputError("cohorts", cohorts, "must be at least 1")
    size = design.cohort_size
    if (size + 1) ** cohorts > MAX_LEAVES:
        raise InputError(
            "cohorts", cohorts, f"the tree would exceed {MAX_LEAVES:,} paths; ask for fewer cohorts"
        )
    p = None if true_tox is None else check_true_tox(true_tox, design.num_doses)
    root = fit(design, past)
    # An incomplete last cohort is completed first: the first level branches on its pending
    # patients (0..pending more DLTs), each node showing the whole cohort.
    pending = max(size - past[-1].size, 0) if past else 0
    n0, y0 = tally(past, design.num_doses)
    n, y = n0[None, :], y0[None, :]
    next_dose = np.array([root.next_dose or 0], dtype=np.int64)
    probability = None if p is None else np.ones(1)
    levels = []
    for depth in range(cohorts):
        live = np.flatnonzero(next_dose > 0)
        if live.size == 0:
            break
        added = pending if depth == 0 and pending else size
        parent = np.repeat(live, added + 1)
        extra = np.tile(np.arange(added + 1), live.size)
        dose = next_dose[parent]
        dlts = extra + (past[-1].num_dlts if added < size else 0)
        rows = np.arange(parent.size)
        n_child, y_child = n[parent], y[parent]
        n_child[rows, dose - 1] += added
        y_child[rows, dose - 1] += extra
        step = design.step(n_child, y_child, dose)
        if probability is not None and p is not None:
            probability = probability[parent] * cohort_pmf(p, added)[dose - 1, extra]
        levels.append(
            PathLevel(
                parent=parent,
                dose=dose,
                dlts=dlts,
                next_dose=step.next_dose,
                mtd=step.mtd,
                code=step.code,
                probability=probability,
                n=n_child,
                y=y_child,
            )
        )
        n, y, next_dose = n_child, y_child, step.next_dose
    return DosePaths(
        design=design,
        history=past,
        root=root,
        levels=tuple(levels),
        true_tox=None if p is None else tuple(float(v) for v in p),
    )
