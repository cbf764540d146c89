"""The dashboard on the imported demo trial. Scans due (hyposti.web.summaries): none after death
or a new anticancer therapy, one confirmation scan after a documented progression (iRECIST,
Seymour 2017: iUPD is confirmed at the next assessment), none once a visit's window holds a
scan. Severe AEs: the DLT column tells the investigator's decision from the engine's."""

from __future__ import annotations

import datetime as dt

from hyposti.service.models import Participant, TumourAssessment
from hyposti.web.summaries import scans_end

NOW = dt.datetime(2026, 11, 28, 9, tzinfo=dt.UTC)
D = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


# Scan visits opening on days 21, 49, 77, 105 (hand-made calendar).
OPENS = [day(21), day(49), day(77), day(105)]


def test_scans_end_by_hand() -> None:
    # nothing recorded: every scan visit is due
    assert scans_end(None, None, None, [day(28)], OPENS) is None
    # progression on day 56, no scan since: the next visit (opens day 77) confirms it
    assert scans_end(day(56), None, None, [day(28), day(56)], OPENS) == day(77)
    # ... and once the confirmation scan is done (day 84), nothing after it is due
    assert scans_end(day(56), None, None, [day(28), day(56), day(84)], OPENS) == day(84)
    # a new therapy or death before that ends scans sooner
    assert scans_end(day(56), day(60), None, [day(56)], OPENS) == day(60)
    assert scans_end(None, None, day(40), [], OPENS) == day(40)
    # progression after the last scan visit: nothing to confirm on the calendar
    assert scans_end(day(120), None, None, [day(120)], OPENS) is None


def test_the_demo_trial_lists_no_scan_past_confirmed_progression(db: None) -> None:
    from hyposti.service.dataset_io import import_dataset
    from hyposti.service.services.users import user_create
    from hyposti.web.demo import demo_dataset
    from hyposti.web.summaries import visits_due

    import_dataset(demo_dataset(2023, NOW.date()), username="import", now=NOW)
    admin = user_create(now=NOW, username="admin", password="correct horse battery staple",
                        role="administrator", printed_name="Dr Admin")  # fmt: skip
    overdue, upcoming = visits_due(admin.profile, NOW.date())
    scans = [v for v in overdue + upcoming if v.kind == "tumour_assessment"]
    # S00007 (read off the demo by hand): infused 2026-06-30, progression documented on its
    # day-58 scan, confirmed on its day-88 scan, new therapy from day 102. Before this rule the
    # dashboard called its day-140 scan overdue.
    s7 = Participant.objects.get(subject_id="S00007")
    infusion = s7.infusion_date
    assert s7.disposition.progression_date == infusion + dt.timedelta(days=58)
    assert s7.disposition.new_therapy_date == infusion + dt.timedelta(days=102)
    assert TumourAssessment.objects.filter(
        participant=s7, assessment_date=infusion + dt.timedelta(days=88)
    ).exists()
    # its day-140 window (days 133-147) holds no scan, and it is not listed
    assert not TumourAssessment.objects.filter(
        participant=s7, assessment_date__gt=infusion + dt.timedelta(days=88)
    ).exists()
    assert not [v for v in scans if v.subject_id == "S00007"]
    for v in scans:  # none listed has a scan in its window
        assert not TumourAssessment.objects.filter(
            participant__subject_id=v.subject_id,
            assessment_date__gte=v.earliest,
            assessment_date__lte=v.latest,
        ).exists(), v


def test_the_severe_ae_table_says_who_decided_each_dlt(db: None) -> None:
    """Each grade >= 3 AE's DLT cell, read against the stored fields by hand: the investigator
    confirmed (dlt True), overrode the engine's proposal (dlt False, proposed), decided no
    without a proposal (dlt False, not proposed), has still to decide on a proposal (dlt None,
    proposed), or the engine proposed nothing (dlt None, not proposed)."""
    import re

    from django.test import Client

    from hyposti.service.dataset_io import import_dataset
    from hyposti.service.models import AdverseEvent
    from hyposti.service.services.users import user_create
    from hyposti.web.demo import demo_dataset

    import_dataset(demo_dataset(2023, NOW.date()), username="import", now=NOW)
    admin = user_create(now=NOW, username="admin", password="correct horse battery staple",
                        role="administrator", printed_name="Dr Admin")  # fmt: skip
    client = Client()
    client.force_login(admin)
    page = client.get("/").content.decode()
    table = page.split('id="h-ae"', 1)[1].split("</table>", 1)[0]
    cell = r"<td>(?:<span[^>]*>)?([^<]+)(?:</span>)?</td></tr>"  # the row's last cell: DLT
    rows = re.findall(r"#ae-([^\"]+)\".*?" + cell, table, re.S)
    assert rows
    words = {
        (True, True): "confirmed",
        (True, False): "confirmed",
        (False, True): "overridden: not a DLT",
        (False, False): "not a DLT (investigator)",
        (None, True): "proposed, unconfirmed",
        (None, False): "not a DLT (engine)",
    }
    seen = set()
    for ae_id, cell in rows:
        ae = AdverseEvent.objects.get(ae_id=ae_id)
        assert cell == words[(ae.dlt, ae.dlt_proposed)], (ae_id, cell)
        seen.add(cell)
    assert {"proposed, unconfirmed", "not a DLT (engine)"} <= seen
