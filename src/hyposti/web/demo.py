"""The demo trial for `hyposti serve --demo`: the synthetic trial cut off in mid-expansion,
moved to today, imported through the service's own import, with one user per role.

The synthetic trial (hyposti.virtual) runs to its end; the cut-off is placed a week after
the infusion of the middle expansion participant, so escalation is finished, the expansion
cohort still has open slots and that participant's DLT window is open. Rows dated after the
cut-off are left out; every date then moves by the same number of days so the cut-off is today.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from hyposti.errors import InputError

#: Days after the middle expansion infusion at which the demo trial is cut off.
DAYS_INTO_WINDOW = 7

#: Per table, the date that must not be after the cut-off for a row to be kept.
ROW_DATE = {
    "exposure": "administration_date",
    "adverse_events": "onset_date",
    "dlt_evaluations": "window_end",
    "tumour_assessments": "assessment_date",
    "lesion_measurements": "assessment_date",
    "kinetics": "sample_date",
    "escalation": "decision_date",
    "medications": "start_date",
    "lab_results": "collection_date",
    "vital_signs": "measurement_date",
}

ROLES = (
    ("admin", "administrator", "Alex Admin"),
    ("investigator", "investigator", "Dr Ivy Investigator"),
    ("coordinator", "research_coordinator", "Cory Coordinator"),
    ("datamanager", "data_manager", "Dana Datamanager"),
    ("monitor", "monitor", "Mo Monitor"),
    ("statistician", "statistician", "Stat Statistician"),
    ("committee", "safety_committee", "Dr Sam Committee"),
)


def demo_dataset(seed: int, today: dt.date, patients: int | None = None) -> Any:
    """The synthetic trial's dataset cut off in mid-expansion and moved so the cut-off is today
    (``patients``: the synthetic trial's infused total, for a trial larger than the protocol's)."""
    import pandas as pd

    from hyposti.data import TrialDataset
    from hyposti.data.calendar_shift import shift_calendar
    from hyposti.virtual.parameters import load_parameters
    from hyposti.virtual.tables import trial_dataset
    from hyposti.virtual.trial import simulate_trial

    trial = simulate_trial(seed, params=load_parameters(None), patients=patients)
    synthetic = trial_dataset(trial)
    tables = synthetic.tables()
    subjects = tables["subjects"]
    expansion = subjects[subjects["phase"] == "expansion"].dropna(subset=["infusion_date"])
    infusions = expansion["infusion_date"].sort_values().reset_index(drop=True)
    cutoff = infusions[len(infusions) // 2] + pd.Timedelta(days=DAYS_INTO_WINDOW)
    first_screen = tables["screening"].groupby("subject_id")["screening_date"].min()
    keep = subjects["infusion_date"].le(cutoff) | (
        subjects["enrolment_date"].isna() & subjects["subject_id"].map(first_screen).le(cutoff)
    )
    kept = set(subjects.loc[keep, "subject_id"])
    out = {}
    for name, frame in tables.items():
        if "subject_id" in frame:
            frame = frame[frame["subject_id"].isin(kept)]
        if name in ROW_DATE:
            frame = frame[frame[ROW_DATE[name]].isna() | frame[ROW_DATE[name]].le(cutoff)]
        frame = frame.copy()
        for column in frame.columns:
            if str(frame[column].dtype).startswith("datetime64"):
                after = frame[column] > cutoff
                frame.loc[after, column] = pd.NaT
        out[name] = frame
    disposition = out["disposition"]
    off = disposition["off_study_date"].isna()
    disposition.loc[off, "off_study_reason"] = None
    disposition.loc[disposition["death_date"].isna(), "death_cause"] = None
    disposition["last_contact_date"] = disposition["last_contact_date"].fillna(cutoff)
    # A DLT window still open at the cut-off has no adjudication yet: its AEs are not DLTs yet.
    adjudicated = set(out["dlt_evaluations"]["subject_id"])
    aes = out["adverse_events"]
    aes.loc[~aes["subject_id"].isin(adjudicated), "dlt"] = None
    # A death after the cut-off has not happened at it: the fatal AE stands at grade 4 until
    # then (CTCAE v5.0: grade 5 is death related to the AE, which needs its death date).
    deaths = disposition.set_index("subject_id")["death_date"]
    aes.loc[aes["grade"].eq(5) & aes["subject_id"].map(deaths).isna(), "grade"] = 4
    out["study"]["data_cutoff"] = cutoff
    ds = TrialDataset.from_frames(products=synthetic.products, **out)
    return shift_calendar(ds, (pd.Timestamp(today) - cutoff).days)


def load_demo(now: dt.datetime, seed: int = 2023, patients: int | None = None) -> dict[str, Any]:
    """Import the demo trial into the (fresh) database, add one user per role, open a query.

    Returns the users with their passwords (printed once by `hyposti serve --demo`).
    """
    from hyposti.service.dataset_io import import_dataset
    from hyposti.service.models import AdverseEvent, Participant
    from hyposti.service.services.integrity import query_open
    from hyposti.service.services.users import user_create

    today = now.astimezone(dt.UTC).date()
    counts = import_dataset(demo_dataset(seed, today, patients), username="import", now=now)
    in_window = Participant.objects.filter(state="dlt_window").order_by("-infusion_date").first()
    shown_first = in_window or Participant.objects.exclude(site=None).order_by("pk").first()
    if shown_first is None or shown_first.site is None:
        raise InputError("patients", patients, "the demo needs at least one participant at a site")
    site = shown_first.site.code
    users = []
    for username, role, name in ROLES:
        password = secrets.token_urlsafe(9)
        user_create(
            now=now,
            username=username,
            password=password,
            role=role,
            printed_name=name,
            site_code=site if role in ("investigator", "research_coordinator", "monitor") else None,
            created_by="demo",
        )
        users.append({"username": username, "role": role, "password": password, "site": site})
    from django.contrib.auth.models import User

    ae = AdverseEvent.objects.filter(participant__site__code=site).order_by("-onset_date").first()
    if ae is not None:
        query_open(
            user=User.objects.get(username="datamanager"),
            now=now,
            model="adverseevent",
            object_id=str(ae.pk),
            field="resolution_date",
            text="Please confirm the resolution date against the source notes.",
        )
    return {"records": counts, "users": users, "site": site}
