"""The endpoints recomputed from the ADaM files equal what `hyposti analyze` computes from the
trial dataset: ORR, best-response counts and Kaplan-Meier medians of PFS, OS and DOR.

The ADaM side reads the XPT files back with pyreadstat, so what is checked is what was written.
"""

from collections import Counter

import pyreadstat
import pytest

from hyposti.analysis import analyze_trial
from hyposti.analysis.km import fit_kaplan_meier


@pytest.fixture(scope="module")
def adam(synthetic_packages):
    _built, folders = synthetic_packages
    folder = folders[("adam", "xpt")]
    return {
        n: pyreadstat.read_xport(str(folder / f"{n}.xpt"))[0] for n in ("adsl", "adrs", "adtte")
    }


@pytest.fixture(scope="module")
def efficacy(synthetic, protocol):
    """``hyposti analyze``'s efficacy results by each response criteria."""
    return {c: analyze_trial(synthetic, protocol, c).efficacy for c in ("recist11", "irecist")}


@pytest.mark.parametrize(("criteria", "prefix"), [("recist11", ""), ("irecist", "I")])
def test_orr_and_best_response_counts(adam, efficacy, criteria, prefix):
    efficacy = efficacy[criteria]
    infused = adam["adsl"].loc[adam["adsl"]["INFFL"] == "Y"]
    adrs = adam["adrs"]
    cbor = adrs.loc[adrs["PARAMCD"] == f"{prefix}CBOR"]
    rsp = adrs.loc[adrs["PARAMCD"] == f"{prefix}RSP"]
    assert len(infused) == len(cbor) == len(rsp) == efficacy.n
    assert dict(Counter(cbor["AVALC"])) == efficacy.bor_counts
    orr = efficacy.orr_confirmed["all"]
    assert (rsp["AVALC"] == "Y").sum() == orr.count and len(rsp) == orr.n
    by_level = rsp.merge(infused[["USUBJID", "TRT01AN"]], on="USUBJID")
    for level, group in by_level.groupby("TRT01AN"):
        assert (group["AVALC"] == "Y").sum() == efficacy.orr_confirmed[str(int(level))].count


@pytest.mark.parametrize("param", ["PFS", "OS", "DOR"])
def test_kaplan_meier_medians(adam, efficacy, param):
    e = efficacy["recist11"]
    summary = {"PFS": e.pfs, "OS": e.os, "DOR": e.dor}[param]
    rows = adam["adtte"].loc[adam["adtte"]["PARAMCD"] == param]
    assert summary is not None and len(rows) == summary.fit.n > 0
    fit = fit_kaplan_meier(rows["AVAL"], 1 - rows["CNSR"], conf_type="log-log")
    assert fit.n_events == summary.fit.n_events
    # same times and flags -> the same median and Brookmeyer-Crowley interval, exactly
    assert fit.median == summary.fit.median


def test_ttr_matches(adam, efficacy):
    ttr = efficacy["recist11"].ttr_days
    rows = adam["adtte"].loc[adam["adtte"]["PARAMCD"] == "TTR"]
    assert len(rows) == ttr.n and (rows["CNSR"] == 0).all()
    assert rows["AVAL"].median() == ttr.median
