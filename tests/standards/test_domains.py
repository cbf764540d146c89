"""Domain content on the example trial, checked against the example's own story
(hyposti.data.example: who was infused when, which AE on which protocol day) by hand."""

import datetime as dt

import pandas as pd

from hyposti.analysis import analyze_trial
from hyposti.data import TrialDataset
from hyposti.protocol import load_protocol
from hyposti.standards.adam_adae import build_adae
from hyposti.standards.package import build_adam, build_sdtm
from hyposti.standards.sdtm_events import build_ae


def _row(frame, **where):
    mask = pd.Series(True, index=frame.index)
    for k, v in where.items():
        mask &= frame[k] == v
    rows = frame.loc[mask]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_dm_reference_dates_and_arms(example_sdtm):
    dm = example_sdtm["DM"].frame
    s01 = _row(dm, SUBJID="S01")
    # S01: infusion 2024-01-10 (RFSTDTC), nab-paclitaxel day -5 = 2024-01-05 (RFXSTDTC),
    # consent 30 days before infusion = 2023-12-11
    assert (s01.RFSTDTC, s01.RFXSTDTC, s01.RFXENDTC, s01.RFICDTC) == (
        "2024-01-10",
        "2024-01-05",
        "2024-01-10",
        "2023-12-11",
    )
    assert (s01.ARMCD, s01.ACTARMCD, s01.ARMNRS) == ("DL1", "DL1", "")
    # S02 died on day 200: 2024-02-01 + 200 days = 2024-08-19
    assert (_row(dm, SUBJID="S02").DTHDTC, _row(dm, SUBJID="S02").DTHFL) == ("2024-08-19", "Y")
    assert _row(dm, SUBJID="S07").ARMNRS == "NOT ASSIGNED"
    assert _row(dm, SUBJID="S08").ARMNRS == "SCREEN FAILURE"
    assert len(dm) == dm["USUBJID"].nunique() == 8


def test_ex_study_days(example_sdtm):
    ex = example_sdtm["EX"].frame
    s01 = ex.loc[ex["USUBJID"] == "NCT05681650-S01"]
    # protocol days -5, -3, -2 keep their number; the infusion (protocol day 0) is SDTM day 1
    assert s01["EXSTDY"].tolist() == [-5, -3, -2, 1]
    assert s01["EXTRT"].tolist()[-1] == "HypoSti.CAR-HER2 T cells"
    assert set(ex["EXROUTE"]) == {"INTRAVENOUS"}
    assert s01["EXSEQ"].tolist() == [1, 2, 3, 4]


def test_ae_and_suppae(example_sdtm):
    ae = example_sdtm["AE"].frame
    ae02 = _row(ae, AESPID="AE02")  # S01 neutropenia, protocol day -1 -> SDTM day -1
    ae01 = _row(ae, AESPID="AE01")  # S01 CRS, protocol day 2 -> SDTM day 3
    assert (ae02.AESTDY, ae01.AESTDY) == (-1, 3)
    assert (ae02.AESEQ, ae01.AESEQ) == (1, 2)  # ordered by onset within the subject
    assert (ae01.AETOXGR, ae01.AEREL) == ("1", "DEFINITELY RELATED")
    assert _row(ae, AESPID="AE10").AEOUT == "FATAL"  # S06 grade 5 sepsis
    supp = example_sdtm["SUPPAE"].frame
    s05 = supp.loc[supp["USUBJID"] == "NCT05681650-S05"]
    # S05's AE08 (grade 3 CRS, the example's one DLT) has AESEQ 1: onset day 1 before AE09 day 4
    assert _row(s05, IDVARVAL="1", QNAM="AEDLT").QVAL == "Y"
    assert _row(s05, IDVARVAL="1", QNAM="AETOXSCL").QVAL == "ASTCT 2019 CRS"
    assert _row(s05, IDVARVAL="2", QNAM="AETOXSCL").QVAL == "ASTCT 2019 ICANS"


def test_ie_ti_ts(example_sdtm, protocol):
    ie = example_sdtm["IE"].frame
    # S08 did not meet inclusion I3 -> one record, IEORRES 'N'
    assert ie[["USUBJID", "IETESTCD", "IEORRES", "IECAT"]].values.tolist() == [
        ["NCT05681650-S08", "I3", "N", "INCLUSION"]
    ]
    ti = example_sdtm["TI"].frame
    assert len(ti) == 25 and (ti["IETEST"].str.len() <= 200).all()
    ts = example_sdtm["TS"].frame.set_index("TSPARMCD")["TSVAL"]
    assert (ts["TPHASE"], ts["NARMS"], ts["PLANSUB"], ts["AGEMIN"], ts["AGEMAX"]) == (
        "PHASE I/II TRIAL",
        "3",
        "30",
        "P18Y",
        "P75Y",
    )
    assert ts["DCUTDTC"] == "2025-06-30"


def test_trial_design(example_sdtm):
    ta = example_sdtm["TA"].frame
    assert ta.loc[ta["ARMCD"] == "DL2", "ETCD"].tolist() == ["SCRN", "PRECOND", "CART2", "FU"]
    tv = example_sdtm["TV"].frame.set_index("VISIT")["VISITDY"]
    # screening 28 days before infusion; day -5 stays -5; infusion day 0 -> 1; day 28 -> 29
    assert (tv["SCREENING"], tv["DAY -5"], tv["DAY 0"], tv["DAY 28"]) == (-28, -5, 1, 29)


def test_tu_tr_rs(example_sdtm):
    tr = example_sdtm["TR"].frame
    s03 = tr.loc[tr["USUBJID"] == "NCT05681650-S03"]
    # S03: 60 mm at baseline (day -10), then the target disappears
    assert s03["TRORRES"].tolist()[:2] == ["60", "ABSENT"]
    assert s03["TRDY"].tolist()[:2] == [-10, 29]
    rs = example_sdtm["RS"].frame
    s01 = rs.loc[(rs["USUBJID"] == "NCT05681650-S01") & (rs["RSCAT"] == "RECIST 1.1")]
    # S01: 50 -> 30 mm (-40 %: PR) ... 27 -> 40 mm (+48 % from nadir: PD) on day 140 (SDTM 141)
    assert s01["RSORRES"].tolist() == ["PR", "PR", "PR", "PD"]
    assert s01["RSDY"].tolist()[-1] == 141


def test_adsl_adae(example_adam, example_sdtm, example, protocol):
    adsl = example_adam["ADSL"].frame
    assert adsl["SUBJID"].tolist() == ["S01", "S02", "S03", "S04", "S05", "S06"]
    s01 = _row(adsl, SUBJID="S01")
    assert (dt.date(2024, 1, 5), dt.date(2024, 1, 10)) == (s01.TRTSDT, s01.INFDT)
    adae = build_adae(example, protocol, example_sdtm["AE"], example_adam["ADSL"]).frame
    ae = example_sdtm["AE"].frame.set_index(["USUBJID", "AESEQ"])["AESPID"]
    adae = adae.assign(AESPID=[ae[(u, s)] for u, s in zip(adae.USUBJID, adae.AESEQ, strict=True)])
    # AE05: S03 nausea on protocol day -6, before preconditioning (day -5): not emergent
    assert _row(adae, AESPID="AE05").TRTEMFL == "N"
    assert _row(adae, AESPID="AE02").TRTEMFL == "Y"  # day -1
    # DLT window days 0..28: AE02 (day -1) outside, AE10 (day 15) inside
    assert (_row(adae, AESPID="AE02").DLTWFL, _row(adae, AESPID="AE10").DLTWFL) == ("N", "Y")
    # AE02 neutropenia: CAR-T unlikely, nab-paclitaxel possible, cyclophosphamide probable
    row = _row(adae, AESPID="AE02")
    assert (row.ARELCAR, row.ARELNP, row.ARELCP, row.ARELFL) == ("N", "Y", "Y", "Y")
    assert _row(adae, AESPID="AE08").DLTFL == "Y"


def test_adtte_follows_the_example_story(example_adam):
    tte = example_adam["ADTTE"].frame
    get = lambda sid, p: _row(tte, USUBJID=f"NCT05681650-{sid}", PARAMCD=p)  # noqa: E731
    # S04: unconfirmed PR then new therapy on day 100 -> PFS censored at the day-56 scan
    assert (get("S04", "PFS").AVAL, get("S04", "PFS").CNSR) == (56, 1)
    # S05: PD on day 140 after missing days 56 and 84 -> censored at the day-28 scan
    assert (get("S05", "PFS").AVAL, get("S05", "PFS").CNSR) == (28, 1)
    # S02: died on day 200
    assert (get("S02", "OS").AVAL, get("S02", "OS").CNSR) == (200, 0)
    assert dt.date(2024, 8, 19) == get("S02", "OS").ADT
    # S01: confirmed PR from day 28, PD day 140 -> DOR 112 days, event
    assert (get("S01", "DOR").AVAL, get("S01", "DOR").CNSR) == (112, 0)


def test_pc_pp_adpp(example_sdtm, example_adam):
    pc = example_sdtm["PC"].frame
    s01 = pc.loc[pc["USUBJID"] == "NCT05681650-S01"]
    # S01 blood: day 0 below the LLOQ of 10, then 200, 1500, 600, 150, 40 copies/ug
    assert s01["PCORRES"].tolist() == ["BLQ", "200", "1500", "600", "150", "40"]
    assert s01["PCELTM"].tolist()[:3] == ["P0D", "P4D", "P7D"]
    assert s01["PCDY"].tolist()[:3] == [1, 5, 8]
    adpp = example_adam["ADPP"].frame
    row = adpp.loc[(adpp["USUBJID"] == "NCT05681650-S01") & (adpp["PARCAT1"] == "BLOOD")]
    values = dict(zip(row["PARAMCD"], row["AVAL"], strict=True))
    # Cmax is the largest level (1500, day 7); the last quantified level 40 on day 28
    assert (values["CMAX"], values["TMAX"], values["CLST"], values["TLST"]) == (1500, 7, 40, 28)


def test_adae_counts_events_up_to_the_cut_off(example, example_sdtm, example_adam, protocol):
    # move S01's AE01 (onset 2024-01-12) past the example's cut-off 2025-06-30
    frames = example.tables()
    aes = frames["adverse_events"].copy()
    aes.loc[aes["ae_id"] == "AE01", "onset_date"] = pd.Timestamp("2025-07-15")
    aes.loc[aes["ae_id"] == "AE01", "resolution_date"] = pd.NaT
    late = TrialDataset.from_frames(**(frames | {"adverse_events": aes}))
    ae = build_ae(late)
    adae = build_adae(late, protocol, ae, example_adam["ADSL"]).frame
    assert len(ae.frame) == 10 and len(adae) == 9


def test_packages_show_the_trial_as_at_the_cut_off(example, protocol):
    # after the example's cut-off (2025-06-30): AE01 moved to 2025-07-15, and a new S03 scan on
    # 2025-09-02 with the target back at 30 mm (progression, were it counted)
    t = example.tables()
    aes = t["adverse_events"].copy()
    aes.loc[aes["ae_id"] == "AE01", ["onset_date", "resolution_date"]] = [
        pd.Timestamp("2025-07-15"), pd.NaT]  # fmt: skip
    late = pd.Timestamp("2025-09-02")
    scans = pd.concat([t["tumour_assessments"], pd.DataFrame(
        [{"subject_id": "S03", "assessment_date": late, "baseline": False}])])  # fmt: skip
    measures = pd.concat([t["lesion_measurements"], pd.DataFrame(
        [{"subject_id": "S03", "assessment_date": late, "lesion_id": "T1", "state": "measured",
          "diameter_mm": 30.0}])])  # fmt: skip
    ds = TrialDataset.from_frames(
        **t | {"adverse_events": aes, "tumour_assessments": scans, "lesion_measurements": measures}
    )
    sdtm = {d.name: d for d in build_sdtm(ds, protocol)}
    assert "AE01" not in set(sdtm["AE"].frame["AESPID"]) and len(sdtm["AE"].frame) == 9
    assert "2025-09-02" not in set(sdtm["TR"].frame["TRDTC"])
    assert "2025-09-02" not in set(sdtm["RS"].frame["RSDTC"])
    tte = {d.name: d for d in build_adam(ds, protocol)}["ADTTE"].frame
    pfs = _row(tte, USUBJID="NCT05681650-S03", PARAMCD="PFS")
    # S03's last scan before the cut-off is day 308: still censored there, as the analysis says
    assert (pfs.AVAL, pfs.CNSR) == (308, 1)
    assert analyze_trial(ds, protocol).efficacy.pfs.fit.n_events == (tte.loc[
        tte["PARAMCD"] == "PFS", "CNSR"] == 0).sum()  # fmt: skip


def test_cm_from_planted_medications(example, tmp_path):
    """CM on the example trial with four medication rows planted for S01 (infused 2024-01-10,
    CRS AE01 from 2024-01-12); study days, order and frequency worked out by hand."""
    from hyposti.standards.conformance import check_folder
    from hyposti.standards.sdtm_interventions import dosing_frequency
    from hyposti.standards.xpt import write_xpt

    def row(mid, name, start, end, dose, every):
        return {"subject_id": "S01", "medication_id": mid, "medication": name, "ae_id": "AE01",
                "indication": "Cytokine release syndrome (ASTCT 2019 CRS)",
                "start_date": pd.Timestamp(start), "end_date": pd.Timestamp(end) if end else pd.NaT,
                "dose": dose, "dose_unit": "mg", "interval_hours": every}  # fmt: skip

    planted = pd.DataFrame([
        row("M1", "tocilizumab", "2024-01-12", "2024-01-12", 488.0, None),  # 8 mg/kg x 61 kg
        row("M2", "dexamethasone", "2024-01-12", "2024-01-14", 10.0, 6),
        row("M3", "dexamethasone", "2024-01-09", "2024-01-09", 10.0, None),  # the day before
        row("M4", "dexamethasone", "2025-06-20", "2025-07-05", 10.0, 6),  # ends after cut-off
        row("M5", "tocilizumab", "2025-07-01", "2025-07-01", 488.0, None),  # after cut-off
    ]).astype({"interval_hours": "Int64"})  # fmt: skip
    ds = TrialDataset.from_frames(**example.tables() | {"medications": planted})
    sdtm = {d.name: d for d in build_sdtm(ds, load_protocol())}
    cm = sdtm["CM"].frame
    # ordered by start date, then name: M3 (day -1, no day 0), M2 and M1 (day 3), M4
    assert cm["CMSPID"].tolist() == ["M3", "M2", "M1", "M4"]
    assert cm["CMSEQ"].tolist() == [1, 2, 3, 4]
    assert cm["CMSTDY"].tolist() == [-1, 3, 3, 528]  # 2025-06-20 is 527 days after 2024-01-10
    assert cm["CMENDY"].tolist()[:3] == [-1, 5, 3]
    assert cm["CMENDTC"].tolist()[3] == ""  # its end falls after the 2025-06-30 cut-off
    assert cm["CMDOSFRQ"].tolist() == ["ONCE", "Q6H", "ONCE", "Q6H"]
    assert (cm["CMDOSU"] == "mg").all() and cm["CMDOSE"].tolist() == [10.0, 10.0, 488.0, 10.0]
    assert dosing_frequency(24) == "QD"
    for name in ("DM", "CM"):
        write_xpt(sdtm[name], tmp_path)
    assert [f for f in check_folder(tmp_path) if f.domain == "CM"] == []


def test_lb_and_vs_from_planted_results(example, tmp_path):
    """LB and VS on the example trial with results planted for S01 (preconditioning from
    2024-01-05, infusion 2024-01-10 = RFSTDTC) and S08 (never treated); worked out by hand."""
    from hyposti.standards.conformance import check_folder
    from hyposti.standards.xpt import write_xpt

    def lab(subject, day, test, value, unit, low=None, high=None):
        return {"subject_id": subject, "collection_date": pd.Timestamp(day), "test": test,
                "value": value, "unit": unit, "normal_low": low, "normal_high": high}  # fmt: skip

    labs = pd.DataFrame([
        lab("S01", "2023-12-14", "alt", 52.0, "U/L", None, 40.0),  # screening: HIGH
        lab("S01", "2024-01-05", "alt", 35.0, "U/L", None, 40.0),  # day of 1st dose: last before
        lab("S01", "2024-01-15", "alt", 20.0, "U/L", 7.0, 40.0),  # after exposure
        lab("S01", "2024-01-15", "anc", 0.4, "10^9/L", 1.8, 7.5),  # LOW
        lab("S01", "2023-12-14", "platelets", 210.0, "10^9/L"),  # no range: no indicator
        lab("S08", "2023-12-20", "inr", 1.0, None, None, 1.2),  # never treated: no flag
    ])  # fmt: skip
    vitals = pd.DataFrame([
        {"subject_id": "S01", "measurement_date": pd.Timestamp("2023-12-14"), "test": "weight",
         "value": 61.0, "unit": "kg"},
        {"subject_id": "S01", "measurement_date": pd.Timestamp("2024-01-12"), "test": "temperature",
         "value": 38.6, "unit": "C"},
    ])  # fmt: skip
    ds = TrialDataset.from_frames(**example.tables() | {"lab_results": labs, "vital_signs": vitals})
    sdtm = {d.name: d for d in build_sdtm(ds, load_protocol())}
    lb = sdtm["LB"].frame.set_index(["USUBJID", "LBTESTCD", "LBDTC"])
    s01 = "NCT05681650-S01"
    # 2023-12-14 is 27 days before 2024-01-10: LBDY -27; 2024-01-15 is day 6 (no day 0)
    assert lb.loc[(s01, "ALT", "2023-12-14"), ["LBDY", "LBNRIND", "LBLOBXFL"]].tolist() == \
        [-27, "HIGH", ""]  # fmt: skip
    assert lb.loc[(s01, "ALT", "2024-01-05"), ["LBDY", "LBNRIND", "LBBLFL"]].tolist() == \
        [-5, "NORMAL", "Y"]  # fmt: skip
    assert lb.loc[(s01, "ALT", "2024-01-15"), ["LBDY", "LBORNRLO", "LBLOBXFL"]].tolist() == \
        [6, "7", ""]  # fmt: skip
    assert lb.loc[(s01, "NEUT", "2024-01-15"), ["LBNRIND", "LBTEST", "LBORRESU"]].tolist() == \
        ["LOW", "Neutrophils", "10^9/L"]  # fmt: skip
    plat = lb.loc[(s01, "PLAT", "2023-12-14")]
    assert (plat["LBNRIND"], plat["LBLOBXFL"], plat["LBSTRESN"]) == ("", "Y", 210.0)
    assert lb.loc[("NCT05681650-S08", "INR", "2023-12-20"), "LBLOBXFL"] == ""
    assert sdtm["LB"].frame.loc[lambda f: f["USUBJID"] == s01, "LBSEQ"].tolist() == [1, 2, 3, 4, 5]
    vs = sdtm["VS"].frame
    assert vs[["VSTESTCD", "VSORRES", "VSORRESU", "VSDY", "VSBLFL"]].values.tolist() == [
        ["WEIGHT", "61", "kg", -27, "Y"],
        ["TEMP", "38.6", "C", 3, ""],
    ]
    for name in ("DM", "LB", "VS"):
        write_xpt(sdtm[name], tmp_path)
    assert [f for f in check_folder(tmp_path) if f.domain in ("LB", "VS")] == []
