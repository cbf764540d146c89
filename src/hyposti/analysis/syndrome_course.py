"""Onset and duration of CRS, ICANS and CRES episodes after CAR-T infusion, by dose level.

Onset is the study day of the episode's start (infusion = day 0; Lee et al. 2019, Biol Blood
Marrow Transplant 25:625, report CRS onset as days after infusion); duration is end - start + 1
days, the ADaM convention for an adverse event's duration (ADaMIG 1.3, ADAE ADURN), over resolved
episodes; an episode still ongoing at the data cut-off is counted as unresolved, not given a
duration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from hyposti.analysis.baseline import Spread
from hyposti.analysis.safety import ALL, SYNDROME_SCALES, dose_key, reported_aes
from hyposti.data.dataset import TrialDataset
from hyposti.protocol.management_spec import ToxicityManagementSpec


@dataclass(frozen=True)
class SyndromeCourse:
    """Episodes of one syndrome at one dose level (or all): when they started, how long they ran."""

    syndrome: str
    dose_level: str
    n_patients: int
    n_episodes: int
    onset_day: Spread
    duration_days: Spread
    n_unresolved: int
    #: Patients given each medication for one of these episodes (dataset table ``medications``).
    patients_treated_with: dict[str, int]


@dataclass(frozen=True)
class SyndromeCourses:
    """Every syndrome with at least one episode, per dose level and overall."""

    rows: tuple[SyndromeCourse, ...]
    onset_rule: str
    duration_rule: str
    management_rules: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def syndrome_course(
    ds: TrialDataset, management: ToxicityManagementSpec | None = None
) -> SyndromeCourses:
    """Onset day, duration and management of every CRS/ICANS/CRES episode of an infused patient;
    ``management`` is the protocol's algorithm, stated beside the counts."""
    infused = ds.subjects.loc[ds.subjects["infusion_date"].notna()]
    ae = reported_aes(ds).merge(
        infused[["subject_id", "dose_level", "infusion_date"]], on="subject_id", how="inner"
    )
    ended = ae["resolution_date"].notna() & (ae["resolution_date"] <= ds.data_cutoff)
    ae = ae.assign(
        onset_day=(ae["onset_date"] - ae["infusion_date"]).dt.days,
        duration=((ae["resolution_date"] - ae["onset_date"]).dt.days + 1).where(ended),
        unresolved=~ended,
    )
    meds = ds.medications.loc[ds.medications["start_date"] <= ds.data_cutoff]
    rows = []
    for name, scale in SYNDROME_SCALES.items():
        episodes = ae.loc[ae["scale"] == scale]
        if episodes.empty:
            continue
        levels = sorted(int(v) for v in episodes["dose_level"].unique())
        groups: list[tuple[str, pd.DataFrame]] = [
            (dose_key(lv), episodes.loc[episodes["dose_level"] == lv]) for lv in levels
        ]
        for key, group in [*groups, (ALL, episodes)]:
            given = meds.loc[meds["ae_id"].isin(group["ae_id"])]
            rows.append(
                SyndromeCourse(
                    syndrome=name,
                    dose_level=key,
                    n_patients=int(group["subject_id"].nunique()),
                    n_episodes=len(group),
                    onset_day=Spread.of(group["onset_day"]),
                    duration_days=Spread.of(group["duration"]),
                    n_unresolved=int(group["unresolved"].sum()),
                    patients_treated_with={
                        str(m): int(n)
                        for m, n in given.groupby("medication")["subject_id"].nunique().items()
                    },
                )
            )
    return SyndromeCourses(
        rows=tuple(rows),
        onset_rule="onset study day = onset date - infusion date (infusion = day 0)",
        duration_rule=(
            "duration = resolution date - onset date + 1 days, over episodes resolved by the "
            "data cut-off (ADaMIG ADURN); ongoing episodes counted as unresolved"
        ),
        management_rules=tuple(r.describe() for r in management.rules) if management else (),
    )
