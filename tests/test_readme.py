"""Every command in the README's tour runs as written (bracketed options left out), and prints
one fact checked against an independent source: a hand calculation, a published value, another
library, or the files the tour itself wrote."""

import datetime as dt
import math
import re
import shlex
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from scipy.stats import beta, binom, binomtest

from hyposti.cli.main import run

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT = README.parent


def tour_commands() -> list[str]:
    tour = README.read_text(encoding="utf-8").split("## A tour of the command line", 1)[1]
    tour = tour.split("\n## ", 1)[0]
    commands = re.findall(r"`(hyposti [^`]+)`", tour)
    return [re.sub(r"\s*\[[^\]]*\]", "", c) for c in commands if "FILE" not in c]


def _flat(text: str) -> str:
    """Rich wraps at 80 columns: compare with every run of white space made one space."""
    return " ".join(text.split())


def _screen(out: str, work: Path) -> None:
    # Born 1950-06-01, screened 2026-11-20: 76 years old, outside I1's 18-75.
    assert "INELIGIBLE" in out and "age 76" in _flat(out)


def _dose(out: str, work: Path) -> None:
    bsa = math.sqrt(62 * 165 / 3600)  # Mosteller 1987: sqrt(cm x kg / 3600) = 1.6857 m2
    assert f"{bsa:.4f} m2" in out
    assert "1240" in out  # cyclophosphamide 20 mg/kg x 62 kg


def _calendar(out: str, work: Path) -> None:
    end = dt.date(2027, 3, 1) + dt.timedelta(days=28)  # registry: DLTs within 28 days
    assert f"DLT window ends day 28 = {end.isoformat()}" in _flat(out)


def _ctcae(out: str, work: Path) -> None:
    assert "MedDRA 10052015" in out  # CTCAE v5.0 (2017): Cytokine release syndrome


def _grade_crs(out: str, work: Path) -> None:
    # Lee 2019 (ASTCT), Table 3: hypotension needing one vasopressor is grade 3, above the
    # grade 2 of low-flow oxygen.
    assert "CRS grade 3" in out


def _dlt(out: str, work: Path) -> None:
    # From the file: 001 grade 3 CRS on day 2, definitely related (T); 002 followed 12 of the 28
    # days with no event (not evaluable: replaced); 003 grade 2 mucositis and 004 no event, both
    # followed past day 28 (N, N).
    assert "Dose-finding history: 1TNN" in out and "Replace: NCT05681650-002" in out


def _decide(out: str, work: Path) -> None:
    # Conventional 3+3: 1 DLT in 6 at dose 2 escalates.
    assert "treat the next cohort at dose 3" in _flat(out)


def _boundaries(out: str, work: Path) -> None:
    # Liu & Yuan 2015, eq. 2.3 with phi1 = 0.6 x 0.3, phi2 = 1.4 x 0.3 (their Table 1: 0.236,
    # 0.358).
    t, p1, p2 = 0.3, 0.18, 0.42
    lambda_e = math.log((1 - p1) / (1 - t)) / math.log(t * (1 - p1) / (p1 * (1 - t)))
    lambda_d = math.log((1 - t) / (1 - p2)) / math.log(p2 * (1 - t) / (t * (1 - p2)))
    flat = _flat(out)
    assert f"lambda_e = {lambda_e:.4f}" in flat and f"lambda_d = {lambda_d:.4f}" in flat


def _oc(out: str, work: Path) -> None:
    # P(no MTD) for the conventional 3+3 by hand. At DLT rate p a cohort of 3 is "too toxic"
    # with P(>= 2/3) or P(1/3) x P(>= 1 in 3 more); dose 1 fails at once, or after dose 2 fails
    # and dose 1 (0/3) gets >= 2 DLTs in its 3 more patients; dose 2 fails at once, or after
    # escalating on 0/3, dose 3 failing and dose 2 getting >= 2 in 3 more.
    def ge2(p: float) -> float:
        return 3 * p**2 * (1 - p) + p**3

    def fails(p: float) -> float:
        return ge2(p) + 3 * p * (1 - p) ** 2 * (1 - (1 - p) ** 3)

    dose2 = fails(0.15) + (1 - 0.15) ** 3 * fails(0.3) * ge2(0.15)
    none = fails(0.05) + (1 - 0.05) ** 3 * dose2 * ge2(0.05)  # = 0.0278
    assert re.search(rf"no dose \(stopped\)\s*│\s*│\s*{none:.4f}", out)


def _paths(out: str, work: Path) -> None:
    assert f"1NNN (p = {0.95**3:.4f})" in out  # no DLT in 3 at rate 0.05: 0.95^3


def _recist(out: str, work: Path) -> None:
    # Baseline sum 30 + 20 = 50 mm; nadir 0 + 8 = 8 mm on 2025-03-31: (8 - 50) / 50 = -84%.
    assert "best % change: -84.0" in _flat(out)


def _simulate(out: str, work: Path) -> None:
    screening = pd.read_parquet(work / "trial" / "screening.parquet")
    assert len(screening) % 25 == 0  # one row per criterion (I1-I10, E1-E15) and candidate
    assert f"Screened {len(screening) // 25}," in out


def _analyze(out: str, work: Path) -> None:
    subjects = pd.read_parquet(work / "trial" / "subjects.parquet")
    assert f"consented {len(subjects)}," in _flat(out)


def _report(out: str, work: Path) -> None:
    study = pd.read_parquet(work / "trial" / "study.parquet")
    html = (work / "report.html").read_text(encoding="utf-8")
    assert str(study["study_id"].iloc[0]) in html and "<svg" in html


def _schema(out: str, work: Path) -> None:
    written = sorted(p.stem for p in (work / "trial").glob("*.parquet"))
    assert written and all(f"{name} — " in out for name in written)


def _check(out: str, work: Path) -> None:
    flat = _flat(out)
    for path in (work / "trial").glob("*.parquet"):
        assert f"{path.stem} {len(pd.read_parquet(path))}" in flat


def _km(out: str, work: Path) -> None:
    # Freireich 6-MP arm (Gehan 1965) by hand: S(10) = 18/21 x 16/17 x 14/15 = 0.7529;
    # S(20) = 0.7529 x 11/12 x 10/11 = 0.6275; S(23) = 0.6275 x 6/7 x 5/6 = 0.4482 < 0.5.
    flat = _flat(out)
    assert "median 23 " in flat and "0.7529" in flat and "0.6275" in flat


def _orr(out: str, work: Path) -> None:
    ci = binomtest(2, 30).proportion_ci(method="exact")  # 0.8%-22.1%
    assert f"{100 * ci.low:.1f}%–{100 * ci.high:.1f}%" in out


def _nca(out: str, work: Path) -> None:
    samples = pd.read_csv(ROOT / "examples" / "nca" / "blood.csv")
    cmax = samples.groupby("subject_id")["copies_per_ug"].max()
    for subject, value in cmax.items():
        assert re.search(rf"{subject}\s*│\s*{value:,.0f}\s*│", out)


def _simon(out: str, work: Path) -> None:
    # Simon 1989 (Control Clin Trials 10:1) eqs. for a two-stage design (r1/n1, r/n): reject H0
    # when > r1 of n1 and > r of n respond. Recomputed from the binomial for the printed designs.
    def reject(p: float, r1: int, n1: int, r: int, n: int) -> float:
        return sum(
            binom.pmf(x1, n1, p) * binom.sf(r - x1, n - n1, p) for x1 in range(r1 + 1, n1 + 1)
        )

    flat = _flat(out)
    for r1, n1, r, n in ((1, 10, 4, 21), (1, 16, 4, 19)):
        alpha, power = reject(0.1, r1, n1, r, n), reject(0.35, r1, n1, r, n)
        assert alpha < 0.05 and power > 0.85
        assert f"{r1} of {n1} │ {r} of {n} │ {alpha:.4f} │ {power:.4f}" in flat


def _monitor(out: str, work: Path) -> None:
    # The protocol's rule: Beta(0.5, 1.5) prior, stop when P(p > 0.33 | k of n) > 0.9, n <= 21.
    # Boundary by hand from the beta posterior, then P(stop) at p = 0.33 by a forward recursion
    # over (patients, DLTs) that drops the paths crossing the boundary.
    limits = [
        next((k for k in range(n + 1) if beta.sf(0.33, 0.5 + k, 1.5 + n - k) > 0.9), None)
        for n in range(1, 22)
    ]
    assert limits[2] == 3 and limits[20] == 11  # 3 of 3, 11 of 21
    alive, stopped = {0: 1.0}, 0.0
    for limit in limits:
        nxt: dict[int, float] = {}
        for k, q in alive.items():
            for dlt, w in ((1, 0.33), (0, 0.67)):
                if limit is not None and k + dlt >= limit:
                    stopped += q * w
                else:
                    nxt[k + dlt] = nxt.get(k + dlt, 0.0) + q * w
        alive = nxt
    flat = _flat(out)
    assert f"P(stop early) = {stopped:.4f}" in flat
    for n, limit in enumerate(limits, start=1):
        assert re.search(rf"│\s*{n}\s*│\s*{limit if limit is not None else '—'}\s*│", out)


def _rows_printed(out: str, dataset: str, path: Path) -> None:
    # The file read back by pandas' own SAS transport reader, row count as printed.
    rows = len(pd.read_sas(path, format="xport"))
    assert re.search(rf"│ {dataset}\s*│[^│]*│ {rows}\s*│ {path.name}", out), (dataset, rows)


def _sdtm(out: str, work: Path) -> None:
    # SDTMIG 3.4: DM has one record per subject; AE one per adverse event of the dataset.
    trial, sdtm = work / "trial", work / "sdtm"
    dm = pd.read_sas(sdtm / "dm.xpt", format="xport")
    assert len(dm) == dm["USUBJID"].nunique() == len(pd.read_parquet(trial / "subjects.parquet"))
    assert len(pd.read_sas(sdtm / "ae.xpt", format="xport")) == len(
        pd.read_parquet(trial / "adverse_events.parquet")
    )
    _rows_printed(out, "DM", sdtm / "dm.xpt")
    _rows_printed(out, "AE", sdtm / "ae.xpt")


def _adam(out: str, work: Path) -> None:
    # ADaMIG 1.3: ADSL one record per subject; ADAE one per AE record of SDTM AE.
    adam = work / "adam"
    adsl = pd.read_sas(adam / "adsl.xpt", format="xport")
    assert len(adsl) == adsl["USUBJID"].nunique()
    ae = pd.read_sas(work / "sdtm" / "ae.xpt", format="xport")
    assert len(pd.read_sas(adam / "adae.xpt", format="xport")) == len(ae)
    _rows_printed(out, "ADSL", adam / "adsl.xpt")
    _rows_printed(out, "ADAE", adam / "adae.xpt")


def _export_check(out: str, work: Path) -> None:
    assert "0 error(s)" in _flat(out)


def _version(out: str, work: Path) -> None:
    assert out.strip() == f"hyposti {version('hyposti')}"


FACTS: dict[str, Callable[[str, Path], None]] = {
    "screen": _screen,
    "dose": _dose,
    "calendar": _calendar,
    "ctcae": _ctcae,
    "grade crs": _grade_crs,
    "dlt": _dlt,
    "design decide": _decide,
    "design boundaries": _boundaries,
    "design oc": _oc,
    "design paths": _paths,
    "design simon": _simon,
    "design monitor": _monitor,
    "export sdtm": _sdtm,
    "export adam": _adam,
    "export check": _export_check,
    "recist": _recist,
    "simulate-trial": _simulate,
    "analyze": _analyze,
    "report": _report,
    "data schema": _schema,
    "data check": _check,
    "km": _km,
    "orr": _orr,
    "nca": _nca,
    "--version": _version,
}


def _fact_for(argv: list[str]) -> Callable[[str, Path], None]:
    for words in (" ".join(argv[:2]), argv[0]):
        if words in FACTS:
            return FACTS[words]
    raise AssertionError(f"no expected fact for the tour command {' '.join(argv)}: add one")


def test_the_tour_runs_and_says_what_it_should(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(README.parent)
    commands = tour_commands()
    assert len(commands) >= 19
    for command in commands:
        argv = [
            str(tmp_path / arg) if arg in ("trial/", "sdtm/", "adam/", "report.html") else arg
            for arg in shlex.split(command)[1:]
        ]
        assert run(argv) == 0, command
        out = capsys.readouterr().out
        _fact_for(argv)(out, tmp_path)
        # At 80 columns a cell may wrap but never lose text: Rich marks a cut with an ellipsis.
        assert "\u2026" not in out, f"{command}: text cut at 80 columns"
