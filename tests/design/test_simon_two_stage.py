"""Simon's two-stage design against Simon (1989) Tables 1-2 and a port of R clinfun's search."""

import math

import pytest
from scipy.stats import binom

from hyposti.design.simon_two_stage import (
    MAX_SIMON_N,
    SimonDesign,
    simon_characteristics,
    simon_designs,
)
from hyposti.errors import InputError

# Simon R (1989) Control Clin Trials 10:1, Tables 1 (beta 0.2 rows, alpha 0.05): r1/n1, r/n,
# EN(p0), PET(p0) of the optimal and the minimax design. EN and PET are printed to 0.1 and 0.01.
PUBLISHED = [
    ((0.05, 0.25), (0, 9, 2, 17, 11.9, 0.63), (0, 12, 2, 16, 13.8, 0.54)),
    ((0.10, 0.30), (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55)),
    ((0.20, 0.40), (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72)),
]


@pytest.mark.parametrize(("rates", "optimal", "minimax"), PUBLISHED)
def test_designs_match_simon_1989_table(rates, optimal, minimax) -> None:
    found = simon_designs(*rates, alpha=0.05, beta=0.2)
    for got, (r1, n1, r, n, en, pet) in ((found.optimal, optimal), (found.minimax, minimax)):
        assert (got.design.r1, got.design.n1, got.design.r, got.design.n) == (r1, n1, r, n)
        # Simon's EN is printed to one decimal (truncated in places: 11.96 appears as 11.9).
        assert got.en_p0 == pytest.approx(en, abs=0.1)
        assert got.pet_p0 == pytest.approx(pet, abs=0.005)
        assert got.alpha < 0.05 and got.power > 0.8


def test_characteristics_by_enumerating_both_stages() -> None:
    # 0/9, 2/17 at p0 = 0.05, p1 = 0.25: PET = 0.95^9 = 0.63025; EN = 9 + 8 (1 - PET) = 11.958.
    design = SimonDesign(r1=0, n1=9, r=2, n=17)
    figures = simon_characteristics(design, 0.05, 0.25)
    assert figures.pet_p0 == pytest.approx(0.95**9, abs=1e-12)
    assert figures.en_p0 == pytest.approx(9 + 8 * (1 - 0.95**9), abs=1e-12)

    def reject(p: float) -> float:
        total = 0.0
        for x1 in range(10):
            for x2 in range(9):
                if x1 > 0 and x1 + x2 > 2:
                    total += (
                        math.comb(9, x1) * p**x1 * (1 - p) ** (9 - x1)
                        * math.comb(8, x2) * p**x2 * (1 - p) ** (8 - x2)
                    )  # fmt: skip
        return total

    assert figures.alpha == pytest.approx(reject(0.05), abs=1e-12)
    assert figures.power == pytest.approx(reject(0.25), abs=1e-12)


def clinfun_f2bdry(pu: float, pa: float, ep1: float, ep2: float, nmax: int) -> dict:
    """Line-by-line port of clinfun's Fortran f2bdry (ph2simon.f): best design for each n.

    Returns {n: (r1, n1, r, EN, PET)}. Loops and running sums as in the Fortran, so it shares no
    code or vectorisation with the engine under test.
    """
    pmf0 = [[binom.pmf(x, m, pu) for x in range(m + 1)] for m in range(nmax + 1)]
    pmf1 = [[binom.pmf(x, m, pa) for x in range(m + 1)] for m in range(nmax + 1)]
    cp0 = [[1 - binom.cdf(x - 1, m, pu) for x in range(m + 1)] for m in range(nmax + 1)]
    cp1 = [[1 - binom.cdf(x - 1, m, pa) for x in range(m + 1)] for m in range(nmax + 1)]
    table = {}
    for n in range(2, nmax + 1):
        essn = float(n)
        for n1 in range(1, n):
            n2 = n - n1
            bprob0 = [0.0] * (n + 2)
            bprob1 = [0.0] * (n + 2)
            pet = 1.0
            for k in range(n1, -1, -1):
                pet -= pmf0[n1][k]
                for t in range(n2 + k, k - 1, -1):
                    bprob0[t] += pmf0[n1][k] * cp0[n2][t - k]
                    bprob1[t] += pmf1[n1][k] * cp1[n2][t - k]
                    if bprob0[t] < ep1 and 1 - bprob1[t] < ep2:
                        ess = n1 + (1 - pet) * n2
                        if ess < essn:
                            essn = ess
                            table[n] = (k - 1, n1, t - 1, ess, pet)
                for t in range(k):
                    bprob0[t] = bprob0[k]
                    bprob1[t] = bprob1[k]
    return table


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta", "nmax"),
    [(0.05, 0.25, 0.05, 0.2, 30), (0.1, 0.3, 0.05, 0.2, 40), (0.2, 0.45, 0.1, 0.1, 40)],
)
def test_every_n_matches_the_clinfun_search(p0, p1, alpha, beta, nmax) -> None:
    reference = clinfun_f2bdry(p0, p1, alpha, beta, nmax)
    found = simon_designs(p0, p1, alpha, beta, nmax=nmax)
    assert [c.design.n for c in found.by_n] == sorted(reference)
    for got in found.by_n:
        r1, n1, r, en, pet = reference[got.design.n]
        assert (got.design.r1, got.design.n1, got.design.r) == (r1, n1, r)
        assert got.en_p0 == pytest.approx(en, abs=1e-6)
        assert got.pet_p0 == pytest.approx(pet, abs=1e-6)
    # clinfun's print: minimax = first row, optimal = first row of least EN.
    assert found.minimax.design.n == min(reference)
    least = min(reference.values(), key=lambda row: row[3])[3]
    assert found.optimal.en_p0 == pytest.approx(least, abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"p0": 0.0}, "p0"),
        ({"p1": 0.05}, "p1"),
        ({"alpha": 1.5}, "alpha"),
        ({"beta": 0}, "beta"),
        ({"nmax": MAX_SIMON_N + 1}, "nmax"),
        ({"nmax": 5}, "nmax"),
    ],
)
def test_bad_search_parameters_are_refused(kwargs, field) -> None:
    params = {"p0": 0.1, "p1": 0.3, "alpha": 0.05, "beta": 0.2, "nmax": 100} | kwargs
    with pytest.raises(InputError, match=field):
        simon_designs(**params)


@pytest.mark.parametrize(
    ("stages", "field"),
    [
        ((0, 10, 2, 10), "n1"),
        ((10, 10, 12, 21), "r1"),
        ((3, 10, 2, 21), "r"),
        ((0, 5, 2, 300), "n"),
    ],
)
def test_impossible_designs_are_refused(stages, field) -> None:
    r1, n1, r, n = stages
    with pytest.raises(InputError, match=field):
        SimonDesign(r1=r1, n1=n1, r=r, n=n)
