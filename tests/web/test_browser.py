"""The trial through a browser, against a real `hyposti serve`: screening, enrolment, dosing,
an AE graded by the CRS calculator, the investigator's signed DLT decision, the committee's
signed decision opening the next cohort, a monitor who cannot edit, a statistician's report.

Expected values are the protocol's and the published grading tables', not the code's:
ASTCT CRS (Lee 2019, BBMT 25:625, Table 3): fever with hypotension needing one vasopressor
is grade 3; 3+3 (Storer 1989): 1 DLT in 3 evaluable patients -> 3 more at the same dose.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

from tests.web.conftest import HYPOSTI, PASSWORD, SITE, Pages, demo_user

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today()
#: The course is dated in the past so the DLT windows (28 days) have closed by today.
SCREENED = TODAY - dt.timedelta(days=50)
INFUSION = TODAY - dt.timedelta(days=40)


def shifted_record(name: str) -> dict[str, Any]:
    """An example screening record with every date moved so its screening date is SCREENED."""
    text = (ROOT / "examples" / "screening" / name).read_text(encoding="utf-8")
    delta = SCREENED - dt.date.fromisoformat(json.loads(text)["screening_date"])

    def move(match: re.Match[str]) -> str:
        return (dt.date.fromisoformat(match.group(0)) + delta).isoformat()

    return json.loads(re.sub(r"\d{4}-\d{2}-\d{2}", move, text))


def flat(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= flat(value, f"{name}.")
        elif isinstance(value, list):
            out[name] = json.dumps(value)
        elif isinstance(value, bool):
            out[name] = "yes" if value else "no"
        else:
            out[name] = str(value)
    return out


def fill_record(pages: Pages, record: dict[str, Any]) -> None:
    """Set every field of the screening form at once, then type one value as a person would."""
    values = {k: v for k, v in flat(record).items() if k != "participant_id"}
    pages.page.evaluate(
        """values => { for (const [name, value] of Object.entries(values)) {
             const el = document.querySelector(`[name="${name}"]`);
             if (el) { el.value = value; } } }""",
        values,
    )
    her2 = pages.page.locator('[name="disease.her2_percent"]')
    her2.fill("")
    her2.type(values["disease.her2_percent"])


def register(pages: Pages, subject_id: str, sex: str, age: int) -> None:
    pages.visit("participants/new/", "register")
    pages.page.fill("#subject_id", subject_id)
    pages.page.select_option("#sex", sex)
    pages.page.fill("#age_years", str(age))
    pages.page.click("main button[type=submit]")
    pages.page.wait_for_url(f"**/participants/{subject_id}/")
    pages.page.fill("#consent_date", (SCREENED - dt.timedelta(days=4)).isoformat())
    pages.page.click("text=Record consent")
    pages.page.wait_for_selector("#state[data-state='consented']")


class Api:
    """The same service through its REST API (for the cohort's other two patients)."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base + "api/"
        self.token = self.call("auth/token", {"username": username, "password": PASSWORD})["token"]

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if hasattr(self, "token") else {}),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def course(subject_id: str, pages: Pages) -> None:
    """Doses and the four administrations: day -5, -3, -2 and the infusion on day 0."""
    for product, day in (
        ("nab-paclitaxel", -5),
        ("cyclophosphamide", -3),
        ("cyclophosphamide", -2),
        ("HypoSti.CAR-HER2 T cells", 0),
    ):
        pages.page.select_option("#product", product)
        pages.page.fill("#administration_date", (INFUSION + dt.timedelta(days=day)).isoformat())
        pages.page.click("text=Record administration")
        pages.page.wait_for_load_state()
    assert pages.page.locator("#state").get_attribute("data-state") == "dlt_window"


def api_patient(api: Api, subject_id: str) -> None:
    api.call(
        "participants", {"subject_id": subject_id, "site_code": SITE, "sex": "F", "age_years": 52}
    )
    api.call(f"participants/{subject_id}/consent", {"consent_date": SCREENED.isoformat()})
    record = shifted_record("eligible.json")
    record["participant_id"] = subject_id
    api.call(f"participants/{subject_id}/screening", {"record": record})
    api.call(
        f"participants/{subject_id}/enrol",
        {"enrolment_date": (SCREENED + dt.timedelta(days=2)).isoformat()},
    )
    api.call(
        f"participants/{subject_id}/dosing",
        {
            "weight_kg": 62,
            "height_cm": 165,
            "agent_doses": {"nab-paclitaxel": 150, "cyclophosphamide": 20},
        },
    )
    for product, day in (
        ("nab-paclitaxel", -5),
        ("cyclophosphamide", -3),
        ("cyclophosphamide", -2),
        ("HypoSti.CAR-HER2 T cells", 0),
    ):
        date = (INFUSION + dt.timedelta(days=day)).isoformat()
        api.call(
            f"participants/{subject_id}/administrations",
            {"product": product, "administration_date": date},
        )


def test_escalation_cohort_through_the_browser(browser: Any, trial_server: str) -> None:
    crc = Pages(browser, trial_server, "coordinator")
    crc.login("coordinator", PASSWORD)
    # Escalation has just started: cohort 1 is enrolling, and the expansion panel shows the
    # rules it will run under, not counts of patients it has not had.
    assert "enrolling" in crc.page.locator("#h-cohorts + div tbody").inner_text()
    panel = crc.page.locator("section[aria-labelledby='h-exp']").inner_text()
    assert "has not started" in panel and "Stop at DLTs" in panel
    assert "patients evaluated" not in panel and "stage 1" not in panel

    # An eligible candidate: the verdicts appear as the record is typed.
    register(crc, "P001", "F", 52)
    crc.visit("participants/P001/screening/", "screening-empty")
    assert "screening_date: field required" in crc.page.locator("#verdicts").inner_text().lower()
    # The coordinator leaves out the judgement criteria the example record has investigator
    # attestations for (E1, E6, E7, E8): the engine awaits the investigator on exactly those.
    record = shifted_record("eligible.json")
    judged = [a["criterion_id"] for a in record.pop("attestations")]
    fill_record(crc, record)
    crc.page.wait_for_selector("#screening-status:has-text('pending_review')")
    status = crc.page.locator("#screening-status").inner_text()
    assert all(c in status for c in judged), status
    crc.check("screening-pending-review")
    crc.page.click("text=Save screening")
    crc.page.wait_for_url("**/participants/P001/")

    # The investigator judges each criterion and signs; the screening becomes eligible.
    inv = Pages(browser, trial_server, "investigator")
    inv.login("investigator", PASSWORD)
    inv.visit("participants/P001/", "casebook-judgement")
    for criterion in judged:
        box = inv.page.locator(f"[data-judgement={criterion}]")
        box.locator("input[name=password]").fill(PASSWORD)
        box.locator("button").click()
        inv.page.wait_for_load_state()
    assert inv.page.locator("[data-judgement]").count() == 0
    assert "Latest screening: eligible" in inv.page.locator("main").inner_text()
    # The audit history folds out the stored screening record whole, laid out as JSON.
    stored = inv.page.locator("td details").first
    stored.locator("summary").click()
    assert '"screening_date"' in stored.locator("pre").inner_text()
    inv.check("casebook-eligible-signed")
    inv.close()

    # An ineligible one: the failing criterion is named with its value (HER2 20% < 30%).
    register(crc, "P002", "M", 76)
    crc.visit("participants/P002/screening/", "screening-ineligible-empty")
    fill_record(crc, shifted_record("ineligible.json"))
    crc.page.wait_for_selector("#screening-status:has-text('ineligible')")
    i2 = crc.page.locator("[data-criterion=I2]").inner_text()
    assert "not_met" in i2 and "20" in i2, i2
    crc.check("screening-ineligible")
    crc.page.click("text=Save screening")
    crc.page.wait_for_selector("#state[data-state='screen_failure']")

    # Enrolment at the open cohort's dose.
    crc.page.goto(trial_server + "participants/P001/")
    crc.page.wait_for_selector("#enrolment_date")
    crc.page.fill("#enrolment_date", (SCREENED + dt.timedelta(days=2)).isoformat())
    crc.page.click("button:text('Enrol')")
    crc.page.wait_for_selector("#state[data-state='enrolled']")
    assert crc.page.locator("#dose-level").inner_text() == "1"
    crc.check("casebook-enrolled")

    # Dosing: shown before saving. Mosteller BSA sqrt(165 x 62 / 3600) = 1.686 -> 1.69 m2;
    # nab-paclitaxel 150 mg/m2 x 1.69 = 253.5 -> 254 mg; cyclophosphamide 20 mg/kg x 62 kg =
    # 1240 mg per day; dose level 1 is 1e6 cells/kg (registry) x 62 kg = 6.2e7 cells.
    crc.visit("participants/P001/dosing/", "dosing")
    crc.page.fill("#weight_kg", "62")
    crc.page.fill("#height_cm", "165")
    crc.page.fill("#dose-1", "150")
    crc.page.fill("#dose-2", "20")
    crc.page.wait_for_selector("#dose-cyclophosphamide:has-text('1240')")
    assert "254" in crc.page.locator("#dose-nab-paclitaxel").inner_text()
    assert "1.69" in crc.page.locator("#doses").inner_text()
    assert "6.2e+07" in crc.page.locator("#dose-cells").inner_text()
    crc.check("dosing-computed")
    crc.page.fill("#dose-2", "45")
    crc.page.wait_for_selector("#doses .alert:has-text('cyclophosphamide')")
    crc.check("dosing-out-of-range")
    crc.page.fill("#dose-2", "20")
    crc.page.wait_for_selector("#dose-cyclophosphamide")
    crc.page.click("text=Save doses")
    crc.page.wait_for_url("**/participants/P001/")
    course("P001", crc)

    # The AE through the CRS calculator: 39.2 C, hypotension needing one vasopressor -> 3.
    crc.visit("participants/P001/adverse-event/", "adverse-event")
    crc.page.fill("#onset_date", (INFUSION + dt.timedelta(days=2)).isoformat())
    crc.page.select_option("#attr-car_t", "probable")
    crc.page.select_option("#grader", "crs")
    crc.page.wait_for_selector('[name="crs.temperature_c"]')
    crc.page.fill('[name="crs.temperature_c"]', "39.2")
    crc.page.select_option('[name="crs.hypotension"]', "yes")
    crc.page.fill('[name="crs.vasopressors"]', "1")
    crc.page.wait_for_selector("#computed-grade:has-text('grade 3')")
    assert "vasopressor" in crc.page.locator("#grade-result").inner_text()
    crc.check("adverse-event-crs-grade3")
    crc.page.click("text=Save adverse event")
    crc.page.wait_for_url("**/participants/P001/**")
    assert "DLT proposal: DLT" in crc.page.locator("#ae-P001-AE01").inner_text()
    crc.check("casebook-ae")

    api = Api(trial_server, "coordinator")
    api_patient(api, "P003")
    api_patient(api, "P004")

    # Scans (on P003, screened once: the service's export, which the response engine reads,
    # rejects a participant with several screenings, such as P001 after the attestations).
    # Baseline targets 30 + 20 = 50 mm; follow-up 20 + 12 = 32 mm, (32 - 50) / 50 =
    # -36% <= -30%: partial response (RECIST 1.1, Eisenhauer 2009, Table 1).
    crc.visit("participants/P003/scan/", "scan-baseline")
    crc.page.fill("#assessment_date", (INFUSION - dt.timedelta(days=7)).isoformat())
    for row, (lesion, organ, size) in enumerate((("L1", "liver", "30"), ("L2", "lung", "20"))):
        crc.page.fill(f'[name="l{row}-lesion_id"]', lesion)
        crc.page.fill(f'[name="l{row}-organ"]', organ)
        crc.page.select_option(f'[name="l{row}-category"]', "target")
        crc.page.select_option(f'[name="l{row}-method"]', "CT")
        crc.page.fill(f'[name="l{row}-diameter_mm"]', size)
    crc.page.wait_for_selector("#scan-response:has-text('50.0 mm')", timeout=40_000)
    crc.page.click("text=Save scan")
    crc.page.wait_for_url("**/participants/P003/")
    crc.visit("participants/P003/scan/", "scan-follow-up")
    crc.page.fill("#assessment_date", (INFUSION + dt.timedelta(days=35)).isoformat())
    crc.page.fill('[name="l0-diameter_mm"]', "20")
    crc.page.fill('[name="l1-diameter_mm"]', "12")
    crc.page.wait_for_selector("#scan-response:has-text('PR')", timeout=40_000)
    assert "-36.0%" in crc.page.locator("#recist").inner_text()
    crc.check("scan-follow-up-pr")
    crc.page.click("text=Save scan")
    crc.page.wait_for_url("**/participants/P003/")
    # A new lesion today: progression by RECIST 1.1 (Eisenhauer 2009 s4.3.2), but only
    # unconfirmed progression, iUPD, by iRECIST until a later scan confirms it (Seymour 2017,
    # Lancet Oncol 18:e143, Table 2); the PR before it is iPR.
    crc.visit("participants/P003/scan/", "scan-new-lesion")
    crc.page.fill("#assessment_date", TODAY.isoformat())
    crc.page.fill('[name="l0-diameter_mm"]', "20")
    crc.page.fill('[name="l1-diameter_mm"]', "12")
    crc.page.fill('[name="l2-lesion_id"]', "N1")
    crc.page.fill('[name="l2-organ"]', "bone")
    crc.page.fill('[name="l2-diameter_mm"]', "15")
    crc.page.wait_for_selector("#scan-response:has-text('PD')", timeout=40_000)
    crc.page.click("text=Save scan")
    crc.page.wait_for_url("**/participants/P003/")
    crc.visit("participants/P003/scan/", "scan-spider")
    assert crc.page.locator("svg polyline").count() == 1
    assert crc.page.locator("#irecist-table [data-recist]").all_inner_texts() == ["PR", "PD"]
    assert crc.page.locator("#irecist-table [data-irecist]").all_inner_texts() == ["iPR", "iUPD"]
    crc.close()

    # Before the investigator decides, the committee sees the proposal awaiting and the DLT it
    # makes marked: confirmed, 1 DLT in 3 stays at dose 1; overridden, 0 in 3 escalates to
    # dose 2 (Storer 1989), so the review is not settled.
    src = Pages(browser, trial_server, "committee")
    src.login("committee", PASSWORD)
    escalation = src.page.locator("section[aria-labelledby='h-esc']").inner_text()
    assert "DLT proposals awaiting the investigator (P001) could change it" in escalation
    src.visit("committee/", "committee-dlt-proposal")
    proposals = src.page.locator("#dlt-proposals tbody tr")
    assert proposals.count() == 1
    cells = proposals.first.locator("td").all_inner_texts()
    assert cells[:5] == [
        "P001", "P001-AE01", "Cytokine release syndrome", "3",
        (INFUSION + dt.timedelta(days=2)).isoformat(),
    ]  # fmt: skip
    assert "grade 3 or higher CRS or CRES" in cells[5]
    assert src.page.locator("[data-dlt=P001]").inner_text() == "DLT (proposed, unconfirmed)"
    assert src.page.locator("[data-dlt=P003]").inner_text() == "no"
    assert "P001" in src.page.locator("#not-settled").inner_text()
    src.close()

    # The investigator confirms the DLT and signs with the password.
    inv = Pages(browser, trial_server, "investigator")
    inv.login("investigator", PASSWORD)
    inv.visit("participants/P001/", "casebook-dlt-proposal")
    inv.page.fill("#ae-P001-AE01 input[name=reason]", "grade 3 CRS within the DLT window")
    inv.page.fill("#ae-P001-AE01 input[name=password]", PASSWORD)
    inv.page.click("#ae-P001-AE01 button:text('Confirm and sign')")
    inv.page.wait_for_selector(".dlt-decision:text('DLT confirmed')")
    signed = inv.page.locator("#ae-P001-AE01").inner_text()
    assert "Signed (responsibility) by Dr Ivy Investigator" in signed and "valid" in signed
    inv.check("casebook-dlt-signed")
    inv.close()

    # The committee: 1 DLT in 3 -> stay at dose 1; its signed decision opens cohort 2.
    src = Pages(browser, trial_server, "committee")
    src.login("committee", PASSWORD)
    src.visit("committee/", "committee")
    assert src.page.locator("#recommendation").inner_text() == "stay"
    assert src.page.locator("#dlt-proposals, #not-settled").count() == 0
    assert src.page.locator("[data-dlt=P001]").inner_text() == "DLT"
    src.page.fill("#p1", "0.2")
    src.page.fill("#p2", "0.3")
    src.page.fill("#p3", "0.4")
    src.page.wait_for_selector("#paths :text('p = ')")
    # The next cohort at dose 1 with a true DLT rate of 0.2: no DLT 0.8^3 = 0.512,
    # one DLT 3 x 0.2 x 0.8^2 = 0.384 (binomial, 3 patients).
    paths = src.page.locator("#paths").inner_text()
    assert "1NNN (p = 0.512)" in paths and "1NNT (p = 0.384)" in paths, paths
    src.check("committee-paths")
    src.page.fill("#reason", "1 of 3 with a DLT: three more at dose 1")
    src.page.fill("#password", PASSWORD)
    src.page.click("text=Record and sign the decision")
    src.page.wait_for_load_state()
    src.visit("", "dashboard-after-decision")
    rows = src.page.locator("#h-cohorts + div tbody tr")
    assert rows.count() == 2
    assert (
        "3 open" in rows.nth(1).inner_text()
        and rows.nth(1).locator("td").nth(2).inner_text() == "1"
    )
    src.close()


def test_monitor_sees_no_edit_control_and_a_forged_post_is_refused(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    mon = demo_user(browser, demo_server, "monitor")
    subject = mon.first_casebook("casebook")
    # Monitors read and query (ICH E6(R3) monitoring): the only form is "open a query".
    actions = set(mon.page.locator("main form").evaluate_all("fs => fs.map(f => f.action)"))
    assert all(a.endswith(f"/participants/{subject}/queries/") for a in actions), actions
    assert mon.page.locator("text=Record an adverse event").count() == 0
    assert mon.page.locator("text=Confirm and sign").count() == 0
    # No empty "Corrections and locks" cards: a monitor is told which records are locked.
    assert mon.page.locator("h2#records").inner_text() == "Locked records"
    # A query names the field by its label, offered per record (no internal names to type).
    groups = mon.page.locator("#q-target optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert groups[0] == "Participant record" and all(
        g.startswith("Adverse event") for g in groups[1:]
    )
    # A forged request with a valid session and CSRF token (from the sign-out form).
    token = mon.page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    forged = mon.page.request.post(
        demo_server["url"] + f"participants/{subject}/adverse-event/",
        form={
            "csrfmiddlewaretoken": token,
            "onset_date": TODAY.isoformat(),
            "term": "Nausea",
            "grade": "1",
            "attribution_car_t": "unrelated",
            "attribution_nab_paclitaxel": "unrelated",
            "attribution_cyclophosphamide": "unrelated",
        },
        headers={"Referer": demo_server["url"]},
    )
    assert forged.status == 403
    assert "adverse_event.record" in forged.text()
    # What a monitor may do: open a query on a field.
    mon.page.select_option("#q-target", label="ECOG")
    mon.page.fill("#q-text", "ECOG at screening differs from the clinic letter: please check.")
    mon.page.click("text=Open query")
    mon.page.wait_for_selector("[data-query] :text('ECOG at screening differs')")
    mon.check("casebook-query-opened")
    mon.close()


def test_demo_dashboard_and_statistician_report(browser: Any, demo_server: dict[str, Any]) -> None:
    stat = demo_user(browser, demo_server, "statistician")
    text = stat.page.locator("main").inner_text()
    assert "Escalation finished" in text
    # The expansion cohort, slots still open and no committee decision to await, is enrolling.
    expansion_row = stat.page.locator("#h-cohorts + div tbody tr", has_text="expansion")
    assert "enrolling" in expansion_row.inner_text()
    assert "expansion" in text
    # The expansion's monitoring panel: counts against the protocol's boundary table.
    panel = stat.page.locator("section[aria-labelledby='h-exp']").inner_text()
    assert "patients evaluated" in panel and "Stop at DLTs" in panel
    stat.visit("statistics/", "statistics")
    with stat.page.expect_download(timeout=120_000) as download:
        # The report runs the whole analysis: on a loaded machine it takes longer than a click.
        stat.page.click("#download-report", timeout=120_000)
    path = download.value.path()
    html = Path(path).read_text(encoding="utf-8")
    assert "<html" in html and "NCT05681650" in html
    stat.close()
    dm = demo_user(browser, demo_server, "datamanager")
    assert "Please confirm the resolution date" in dm.page.locator("#h-q + ul").inner_text()
    windows = dm.page.locator("#h-dlt + table tbody tr")
    assert windows.count() >= 1
    dm.close()


def test_statistician_types_a_scenario_and_sees_the_clis_operating_characteristics(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """The live OC table is `hyposti design oc --true-tox ... --json` for the same scenario."""
    stat = demo_user(browser, demo_server, "statistician")
    stat.visit("statistics/", "statistics-oc-empty")
    # Named as the registry names it (conventional 3+3, cohorts of 3), not as Python writes it.
    card = stat.page.locator("section", has=stat.page.locator("#h-oc")).inner_text()
    assert "3+3 conventional, cohorts of 3" in card and "ThreePlusThree(" not in card
    inputs = stat.page.locator("#h-oc ~ form input[type=number]")
    scenario = [0.05, 0.15, 0.3, 0.45, 0.6][: inputs.count()]
    for i, rate in enumerate(scenario):
        inputs.nth(i).fill(str(rate))
    stat.page.wait_for_selector("#oc-table")
    stat.check("statistics-oc")
    shown = [float(t) for t in stat.page.locator("#oc-table [data-prob-select]").all_inner_texts()]
    expected_n = [
        float(t) for t in stat.page.locator("#oc-table [data-expected-n]").all_inner_texts()
    ]
    cli = json.loads(
        subprocess.run(
            [HYPOSTI, "design", "oc", "--true-tox", ",".join(map(str, scenario)), "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    # The page lists doses 1..K then "no dose"; the CLI's prob_select has "no dose" first.
    assert shown == [round(p, 4) for p in cli["prob_select"][1:] + cli["prob_select"][:1]]
    assert expected_n == [round(n, 4) for n in cli["expected_n_at_dose"]]
    assert float(stat.page.locator("#oc-expected-n").inner_text()) == round(cli["expected_n"], 4)
    assert float(stat.page.locator("#oc-expected-dlt").inner_text()) == round(
        cli["expected_dlt"], 4
    )
    stat.close()


def test_a_correction_needs_its_reason_and_a_locked_record_cannot_be_edited(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    inv = demo_user(browser, demo_server, "investigator")
    subject = inv.first_casebook("casebook-corrections")
    record = inv.page.locator("[data-record^='participant:']")
    old = record.locator("input[name=weight_kg]").input_value() or "70"
    new = f"{float(old) + 1.5:.1f}"
    record.locator("input[name=weight_kg]").fill(new)
    # The browser refuses to submit without a reason (required); the service refuses too.
    record.locator("text=Save correction").click()
    assert record.locator("input[name=reason]").evaluate("e => !e.validity.valid")
    record.locator("input[name=reason]").fill("Weight re-read from the clinic scale log.")
    record.locator("text=Save correction").click()
    inv.page.wait_for_load_state()
    audit = inv.page.locator("h2:text('Audit history') + div").inner_text()
    assert f"weight (kg): {float(old)} → {float(new)}" in audit
    assert "Weight re-read from the clinic scale log." in audit
    assert "site_id" not in audit and not re.search(r"(^|\n)\s*id:", audit)
    inv.check("casebook-corrected")

    dm = demo_user(browser, demo_server, "datamanager")
    dm.visit(f"participants/{subject}/", "casebook-datamanager")
    dm.page.locator("[data-record^='participant:'] >> text=Lock record").click()
    dm.page.wait_for_selector("[data-record^='participant:'] [data-locked]")
    dm.check("casebook-locked")

    inv.visit(f"participants/{subject}/", "casebook-locked-investigator")
    record = inv.page.locator("[data-record^='participant:']")
    assert record.locator("[data-locked]").count() == 1
    assert record.locator("form").count() == 0  # no edit control on a locked record

    unlock = dm.page.locator("[data-record^='participant:']")
    unlock.locator("input[name=reason]").fill("Monitor asked for the height to be checked.")
    unlock.locator("text=Unlock record").click()
    dm.page.wait_for_load_state()
    assert dm.page.locator("[data-record^='participant:'] [data-locked]").count() == 0
    assert (
        "Monitor asked for the height to be checked."
        in dm.page.locator("h2:text('Audit history') + div").inner_text()
    )
    inv.close()
    dm.close()


def test_the_expansion_stopping_boundary_reads_without_a_sideways_scroll(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """Every count of the boundary on screen at 1280 and 800 px, caption included, and each
    count the one Thall, Simon & Estey's rule gives: the least y with P(p > theta | y of n) >
    threshold under the protocol's Beta(a, b) prior (scipy's beta, not the service's code)."""
    from scipy.stats import beta

    from hyposti.protocol import load_protocol

    rule = load_protocol(None).expansion.toxicity_monitoring
    expected = {}
    for n in range(1, rule.max_n + 1):
        stops = [
            y
            for y in range(n + 1)
            if beta.sf(rule.theta, rule.prior_a + y, rule.prior_b + n - y) > rule.threshold
        ]
        expected[str(n)] = str(stops[0]) if stops else "–"
    stat = demo_user(browser, demo_server, "statistician")
    table = stat.page.locator("section[aria-labelledby='h-exp'] table.boundary")
    for width in (1280, 800):
        stat.page.set_viewport_size({"width": width, "height": 900})
        card = stat.page.locator("section[aria-labelledby='h-exp']")
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), width
        assert card.evaluate("c => c.scrollWidth <= c.clientWidth"), width
        caption = table.locator("caption").bounding_box()
        box = card.bounding_box()
        assert caption and box and caption["x"] + caption["width"] <= box["x"] + box["width"]
    shown = {}
    for body in table.locator("tbody").all():
        patients = body.locator("tr").nth(0).locator("td").all_inner_texts()
        counts = body.locator("tr").nth(1).locator("td").all_inner_texts()
        assert len(patients) <= 11
        shown |= dict(zip(patients, counts, strict=True))
    assert shown == expected
    stat.close()


def test_imported_scans_are_read_by_the_response_engine_in_casebook_and_spider_plot(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """The demo's scans come from a dataset import, which stores no response: the casebook still
    gives every follow-up scan its RECIST 1.1 response and the best overall response, and the
    spider plot's points are the per cent change of the target sum from baseline, summed here
    straight from the stored diameters (RECIST 1.1, Eisenhauer 2009, s4.3.1)."""
    db = Path(demo_server["data_dir"]) / "hyposti.sqlite3"
    with sqlite3.connect(db) as con:
        sums = con.execute(
            """select p.subject_id, a.assessment_date, a.baseline, sum(m.diameter_mm),
                      count(*) = count(m.diameter_mm) and min(m.state = 'measured')
               from service_tumourassessment a
               join service_participant p on p.id = a.participant_id
               join service_lesionmeasurement m on m.assessment_id = a.id
               join service_lesion l on l.id = m.lesion_id
               where l.category = 'target'
               group by a.id order by p.subject_id, a.assessment_date"""
        ).fetchall()
    scans: dict[str, list[tuple[str, bool, float, bool]]] = {}
    for subject, date, baseline, total, measured in sums:
        scans.setdefault(subject, []).append((date, bool(baseline), total, bool(measured)))
    # A participant whose baseline and two or more follow-up scans have every target measured.
    subject, course = next(
        (s, c)
        for s, c in scans.items()
        if c[0][1] and len(c) >= 3 and all(measured for *_, measured in c)
    )
    base = course[0][2]
    expected = [f"{(total - base) / base * 100:.1f}%" for _, _, total, _ in course[1:]]

    inv = demo_user(browser, demo_server, "investigator")
    inv.visit(f"participants/{subject}/", "casebook-scans")
    items = inv.page.locator("h2:text('Tumour assessments') + div li").all_inner_texts()
    assert items[0] == f"{course[0][0]} (baseline)"
    assert [i.split(": ")[0] for i in items[1:]] == [date for date, *_ in course[1:]]
    assert all(i.split(": ")[1] in ("CR", "PR", "SD", "PD", "NE") for i in items[1:]), items
    assert inv.page.locator("#bor").inner_text() in ("CR", "PR", "SD", "PD", "NE")
    inv.visit(f"participants/{subject}/scan/", "scan-spider")
    points = inv.page.locator("#h-spider ~ svg circle title").evaluate_all(
        "titles => titles.map(t => t.textContent)"
    )
    assert [p.split(": ")[1] for p in points[1:]] == expected
    inv.close()


def test_a_query_on_an_adverse_event_names_and_links_the_event(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """The demo's query is on an adverse event's resolution date: the dashboard and the casebook
    name that event (its AE id, looked up here in the database) and link to its card, and the
    card names the field as the form labels it, not by its column name."""
    db = Path(demo_server["data_dir"]) / "hyposti.sqlite3"
    with sqlite3.connect(db) as con:
        query_id, ae_id, subject = con.execute(
            """select q.id, ae.ae_id, p.subject_id from service_dataquery q
               join service_adverseevent ae on ae.id = q.object_id
               join service_participant p on p.id = ae.participant_id
               where q.model = 'adverseevent' and q.field = 'resolution_date'"""
        ).fetchone()
    dm = demo_user(browser, demo_server, "datamanager")
    line = dm.page.locator("#h-q + ul li", has_text="resolution date")
    assert f"{subject}, adverse event {ae_id}: resolution date" in line.inner_text()
    line.locator(f"a:text('{ae_id}')").click()
    dm.page.wait_for_url(f"**/participants/{subject}/#ae-{ae_id}")
    dm.check("casebook-query")
    card = dm.page.locator(f"#ae-{ae_id}")
    assert f"Query #{query_id} on resolution date (open)" in card.inner_text()
    assert "resolution_date" not in card.inner_text()
    entry = dm.page.locator(f"#query-{query_id}")
    assert f"adverse event {ae_id}, field resolution date" in entry.inner_text()
    assert entry.locator(f"a[href='#ae-{ae_id}']").count() == 1
    dm.close()


def test_a_refused_form_comes_back_as_typed_with_the_reason(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """A refusal keeps what was typed: a duplicate subject id (subject ids are unique), an AE
    with neither a CTCAE term and grade nor a calculator, and a CRS observation without fever
    (ASTCT CRS, Lee 2019 Table 3: no fever, no CRS) come back filled in, the reason above."""
    coord = demo_user(browser, demo_server, "coordinator")
    page = coord.page
    # A participant in a DLT window (dashboard): registered, and open to an AE report.
    taken = page.locator("#h-dlt + table tbody td a").first.inner_text()
    coord.visit("participants/new/", "register-before-refusal")
    page.fill("#subject_id", taken)
    page.select_option("#sex", "M")
    page.fill("#age_years", "57")
    page.fill("#weight_kg", "81.5")
    page.fill("#tumour_type", "gastric adenocarcinoma")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "already registered" in page.locator("#problem").inner_text()
    assert page.input_value("#subject_id") == taken
    assert page.input_value("#sex") == "M"
    assert page.input_value("#age_years") == "57"
    assert page.input_value("#weight_kg") == "81.5"
    assert page.input_value("#tumour_type") == "gastric adenocarcinoma"
    coord.check("register-refused")

    coord.visit(f"participants/{taken}/adverse-event/", "ae-before-refusal")
    onset = (TODAY - dt.timedelta(days=2)).isoformat()
    page.fill("#onset_date", onset)
    page.select_option("#serious", "yes")
    page.select_option("#attr-car_t", "possible")
    page.fill("#term", "Nausea")
    page.click("text=Save adverse event")
    page.wait_for_load_state()
    assert "give a CTCAE term and grade" in page.locator("#problem").inner_text()
    assert page.input_value("#onset_date") == onset
    assert page.input_value("#serious") == "yes"
    assert page.input_value("#attr-car_t") == "possible"
    assert page.input_value("#term") == "Nausea"
    coord.check("ae-refused")

    page.fill("#term", "")
    page.select_option("#grader", "crs")
    page.wait_for_selector("[name='crs.temperature_c']")
    page.fill("[name='crs.temperature_c']", "37.2")
    page.click("text=Save adverse event")
    page.wait_for_load_state()
    assert "grades 0" in page.locator("#problem").inner_text()
    assert page.input_value("#grader") == "crs"
    assert page.input_value("[name='crs.temperature_c']") == "37.2"
    assert page.input_value("#onset_date") == onset
    coord.check("ae-crs-refused")
    coord.close()


def test_states_and_roles_read_as_words(browser: Any, demo_server: dict[str, Any]) -> None:
    """A participant's state and the user's role are shown as people say them ("DLT window",
    "data manager"), not as the service's codes; the code stays in data-state."""
    dm = demo_user(browser, demo_server, "datamanager")
    assert "(data manager)" in dm.page.locator("header .who").inner_text()
    dm.visit("participants/", "participants-states")
    cells = dm.page.locator("td[data-state='dlt_window']")
    assert cells.count() >= 1
    assert set(cells.all_inner_texts()) == {"DLT window"}
    assert set(dm.page.locator("td[data-state='off_study']").all_inner_texts()) == {"off study"}
    assert "_" not in dm.page.locator("tbody").inner_text()
    subject = dm.page.locator("tr:has(td[data-state='dlt_window']) a").first.inner_text()
    dm.visit(f"participants/{subject}/", "casebook-state")
    assert dm.page.locator("#state").inner_text() == "DLT window"
    dm.close()


def test_dates_in_tables_stay_on_one_line(browser: Any, demo_server: dict[str, Any]) -> None:
    """In the dashboard's half-width cards a date broke at its hyphen ("2026-" over "11-26"):
    every date cell is one line of text at 1280 and 800 px."""
    inv = demo_user(browser, demo_server, "investigator")
    one_line = """cells => cells.map(c => {
        const r = document.createRange(); r.selectNodeContents(c);
        return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })"""
    for width in (1280, 800):
        inv.page.set_viewport_size({"width": width, "height": 900})
        lines = inv.page.locator("main td.date").evaluate_all(one_line)
        assert len(lines) >= 5 and set(lines) == {1}, (width, lines)
    inv.close()


def test_due_visits_give_their_study_day(browser: Any, demo_server: dict[str, Any]) -> None:
    """A participant in the DLT window has several visits of one name ("DLT window, inpatient"
    on days 1 to 3): each due visit gives its study day, which is its target date less the
    infusion date (day 0, DESIGN.md) the DLT-window table shows."""
    inv = demo_user(browser, demo_server, "investigator")
    infused = {
        row.locator("td").nth(0).inner_text(): dt.date.fromisoformat(
            row.locator("td").nth(2).inner_text()
        )
        for row in inv.page.locator("#h-dlt + table tbody tr").all()
    }
    due = inv.page.locator("h3:text('Due:') + table tbody tr").all()
    checked = 0
    for row in due:
        subject, day, _, target = row.locator("td").all_inner_texts()[:4]
        if subject in infused:
            assert int(day) == (dt.date.fromisoformat(target) - infused[subject]).days, subject
            checked += 1
    assert checked >= 3
    inv.close()


def test_the_audit_shows_timestamps_as_its_when_column_does(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """A stored timestamp (the enrolment's 'enrolled at') read as Python's ISO text
    ('2026-11-07T00:00:00+00:00'); the audit writes it as its own When (UTC) column does, on
    the participant's enrolment date."""
    inv = demo_user(browser, demo_server, "investigator")
    subject = inv.page.locator("#h-dlt + table tbody td a").first.inner_text()
    inv.visit(f"participants/{subject}/", "casebook-audit-times")
    audit = inv.page.locator("h2:text('Audit history') + div").inner_text()
    enrolled = re.search(r"enrolment date: — → (\d{4}-\d{2}-\d{2})", audit)
    assert enrolled, audit[:2000]
    assert f"enrolled at: — → {enrolled.group(1)} 00:00 UTC" in audit
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", audit)
    inv.close()


def test_a_severe_adverse_event_on_the_dashboard_opens_its_own_card(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """Each grade >= 3 AE on the dashboard links to its card in the casebook, not to the top of
    a casebook holding a dozen events: the card reached gives the same term, grade and onset."""
    inv = demo_user(browser, demo_server, "investigator")
    row = inv.page.locator("#h-ae + table tbody tr").first
    _, term, grade, onset, _ = row.locator("td").all_inner_texts()
    row.locator("td").nth(1).locator("a").click()
    inv.page.wait_for_load_state()
    ae_id = inv.page.url.rsplit("#ae-", 1)[1]
    card = inv.page.locator(f"#ae-{ae_id}").inner_text()
    assert f"{term}, grade {grade}" in card and f"onset {onset}" in card
    inv.close()


def test_the_casebook_of_a_participant_in_the_dlt_window_gives_its_end(
    browser: Any, demo_server: dict[str, Any]
) -> None:
    """The DLT window is days 0 to 28 after the CAR-T infusion (NCT05681650 registry record:
    DLTs within 28 days): the casebook of a participant in it says when it ends and how many
    days are left, counted here from the infusion date it shows and the dashboard's date."""
    inv = demo_user(browser, demo_server, "investigator")
    today = dt.date.fromisoformat(inv.page.locator("h1 .muted").inner_text().split()[-1])
    subject = inv.page.locator("#h-dlt + table tbody td a").first.inner_text()
    inv.visit(f"participants/{subject}/", "casebook-dlt-window")
    infused = re.search(r"infused (\d{4}-\d{2}-\d{2})", inv.page.locator("main").inner_text())
    assert infused
    end = dt.date.fromisoformat(infused.group(1)) + dt.timedelta(days=28)
    left = (end - today).days
    assert inv.page.locator("#dlt-window").inner_text() == (
        f"DLT window ends {end.isoformat()} ({left} day{'s' if left != 1 else ''} left)"
    )
    inv.close()
