"""Gini coefficient, generalised Gini, Lorenz curve and share of places.

References: the mean-absolute-difference definition of the Gini coefficient (computed here
by brute force), the values printed in the documentation of Bernasco & Steenbeek's R package
``lorenzgini`` (``gini(x, generalized = ..., unbiased = FALSE)``), and the boundary cases of
their 2017 paper (maximal equality given the data gives G' = 0).
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.stats.concentration import Concentration, concentration, share_of_places


def _cells(counts) -> pd.DataFrame:
    return pd.DataFrame({"count": counts})


def _mean_difference_gini(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    n = len(x)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n**2 * x.mean()))


def test_result_contract_and_input_untouched():
    cells = gpd.GeoDataFrame(
        {"count": [4, 0, 1, 7], "other": list("abcd")},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)],
        crs="EPSG:27700",
    )
    before = cells.copy()
    result = concentration(cells)
    assert isinstance(result, Concentration)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.gini = 0.0
    assert result.n_places == 4 and result.n_crimes == 12 and isinstance(result.n_crimes, int)
    assert result.column == "count"
    lorenz = result.lorenz
    assert list(lorenz.columns) == ["places", "crimes", "place_share", "crime_share"]
    assert lorenz.index.name == "rank" and len(lorenz) == 5
    assert lorenz["crimes"].tolist() == [0, 7, 11, 12, 12]
    assert lorenz["place_share"].tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert lorenz["crime_share"].iloc[-1] == 1.0
    assert "Gini" in str(result)
    assert result.statistic == result.gini
    assert result.method == "concentration" == result.params["method"]
    assert result.params["period"] is None and result.params["rng_seed"] is None
    assert result.params["column"] == "count" and result.params["n_crimes"] == 12
    pd.testing.assert_frame_equal(cells, before)


def test_equal_counts_give_zero():
    result = concentration(_cells([3] * 8))
    assert result.gini == 0.0 and result.gini_adjusted == 0.0
    np.testing.assert_allclose(result.lorenz["crime_share"], result.lorenz["place_share"])


@pytest.mark.parametrize("n", [2, 5, 100])
def test_all_crime_in_one_place(n):
    counts = np.zeros(n)
    counts[n // 2] = 40  # more crimes than places for n < 40
    result = concentration(_cells(counts))
    assert result.gini == pytest.approx(1 - 1 / n)
    assert result.gini_adjusted == pytest.approx(1 - 1 / min(n, 40))


@pytest.mark.parametrize("seed", range(5))
def test_matches_mean_absolute_difference(seed):
    rng = np.random.default_rng(seed)
    counts = rng.negative_binomial(0.5, 0.2, size=300)
    result = concentration(_cells(counts))
    assert result.gini == pytest.approx(_mean_difference_gini(counts), rel=1e-12)
    # Twice the area between the Lorenz curve (most to least crime, linear between points)
    # and the diagonal.
    share = result.lorenz["crime_share"].to_numpy()
    area_under = np.sum((share[1:] + share[:-1]) / 2) / result.n_places
    assert result.gini == pytest.approx(2 * (area_under - 0.5), rel=1e-12)


@pytest.mark.parametrize(
    ("counts", "gini", "generalised"),
    [
        # lorenzgini's ?gini examples: 20 crimes over 10 units, then 8 crimes over 10 units.
        ([10, 8, 2] + [0] * 7, 0.78, 0.78),
        ([5, 2, 1] + [0] * 7, 0.80, 0.75),
        # 10 crimes in one of 10 or 100 units.
        ([10] + [0] * 9, 0.90, 0.90),
        ([10] + [0] * 99, 0.99, 0.90),
    ],
)
def test_lorenzgini_documented_values(counts, gini, generalised):
    result = concentration(_cells(counts))
    assert result.gini == pytest.approx(gini, abs=1e-12)
    assert result.gini_adjusted == pytest.approx(generalised, abs=1e-12)


def test_generalised_gini_is_zero_at_maximal_equality_given_the_data():
    # 6 crimes, each in a different one of 20 places: as even as 6 crimes can be.
    counts = [1] * 6 + [0] * 14
    result = concentration(_cells(counts))
    assert result.gini == pytest.approx(1 - 6 / 20)
    assert result.gini_adjusted == pytest.approx(0.0, abs=1e-12)
    # Same distribution with fewer crimes (Bernasco & Steenbeek's robbery example): 10 over
    # 10 neighbourhoods, then 5 in 5 different ones. G rises, G' stays 0.
    assert concentration(_cells([1] * 10)).gini_adjusted == 0.0
    half = concentration(_cells([1] * 5 + [0] * 5))
    assert half.gini == pytest.approx(0.5) and half.gini_adjusted == pytest.approx(0.0)


def test_generalised_gini_equals_gini_with_more_crimes_than_places():
    rng = np.random.default_rng(1)
    counts = rng.poisson(3.0, size=200)
    result = concentration(_cells(counts))
    assert counts.sum() >= 200
    assert result.gini_adjusted == result.gini


def test_non_integer_counts_and_another_column():
    cells = pd.DataFrame({"rate": [0.5, 1.5, 2.0], "count": [1, 1, 1]})
    result = concentration(cells, column="rate")
    assert result.n_crimes == 4 and result.column == "rate"
    assert result.gini == pytest.approx(_mean_difference_gini([0.5, 1.5, 2.0]))
    fractional = concentration(pd.DataFrame({"w": [0.25, 0.5]}), "w")
    assert fractional.n_crimes == 0.75


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.5, 0.2),  # the first place holds exactly half
        (0.51, 0.4),
        (0.8, 0.4),  # 5 + 3 = 8 of 10
        (0.81, 0.6),
        (1.0, 0.6),  # the places with any crime
        (0.01, 0.2),
    ],
)
def test_share_of_places_toy(share, expected):
    assert share_of_places(_cells([2, 0, 5, 0, 3]), share) == expected


def test_share_of_places_ties_and_rounding():
    assert share_of_places(_cells([2, 2, 2, 2])) == 0.5
    # 0.3 * 10 is 3.0000000000000004 in floating point; three crimes are still 30 %.
    assert share_of_places(_cells([1] * 10), 0.3) == 0.3
    assert share_of_places(_cells([1] * 10), 0.7) == 0.7
    assert share_of_places(_cells([7, 0, 0]), crime_share=1) == pytest.approx(1 / 3)


def test_share_of_places_agrees_with_the_lorenz_curve():
    rng = np.random.default_rng(4)
    cells = _cells(rng.negative_binomial(0.3, 0.1, size=500))
    lorenz = concentration(cells).lorenz
    for share in (0.25, 0.5, 0.75, 0.9):
        first = lorenz.index[lorenz["crime_share"] >= share][0]
        assert share_of_places(cells, share) == lorenz.loc[first, "place_share"]


@pytest.mark.parametrize(
    ("cells", "kwargs", "error", "match"),
    [
        ([1, 2], {}, HotspotInputError, "DataFrame or GeoDataFrame"),
        (pd.DataFrame({"n": [1, 2]}), {}, HotspotInputError, "no 'count' column"),
        (pd.DataFrame({"count": [1, np.nan]}), {}, HotspotInputError, "1 missing or non-numeric"),
        (pd.DataFrame({"count": [1, np.inf]}), {}, HotspotInputError, "1 missing or non-numeric"),
        (pd.DataFrame({"count": [1, -1]}), {}, HotspotInputError, "counts >= 0"),
        (pd.DataFrame({"count": [0, 0]}), {}, HotspotInputError, "sums to 0"),
        (pd.DataFrame({"count": ["a", "b"]}), {}, HotspotInputError, "2 missing or non-numeric"),
        (pd.DataFrame({"count": [True, False]}), {}, HotspotInputError, "True/False, not counts"),
        (pd.DataFrame({"count": pd.Series([], dtype=int)}), {}, HotspotInputError, "empty"),
        (pd.DataFrame({"count": [1]}), {"column": 3}, HotspotInputError, "column=3 must be a"),
    ],
)
def test_bad_cells(cells, kwargs, error, match):
    with pytest.raises(error, match=f"^concentration: .*{match}"):
        concentration(cells, **kwargs)
    with pytest.raises(error, match=f"^share_of_places: .*{match}"):
        share_of_places(cells, **kwargs)


@pytest.mark.parametrize(
    ("share", "match"),
    [
        (50, "not a percentage"),
        (0, r"in \(0, 1\]"),
        ("half", "crime_share='half' must be a number"),
        (True, "crime_share=True must be a number"),
    ],
)
def test_bad_crime_share(share, match):
    with pytest.raises(HotspotInputError, match=f"^share_of_places: .*{match}"):
        share_of_places(_cells([1, 2]), share)


@pytest.mark.parametrize("dataset", ["toronto", "west_yorkshire"])
def test_real_data_at_250_m(dataset, request):
    incidents = request.getfixturevalue(dataset)
    for shape, grid in (("square", hs.square_grid), ("hex", hs.hex_grid)):
        cells = hs.count_incidents(incidents, grid(incidents, 250, quiet=True), quiet=True)
        result = concentration(cells)
        half = share_of_places(cells, 0.5)
        with_crime = share_of_places(cells, 1.0)
        print(
            f"\n{dataset} {shape} 250 m: {result.n_crimes:,} crimes, {result.n_places:,} "
            f"cells, Gini {result.gini:.4f}, generalised {result.gini_adjusted:.4f}; 50 % of "
            f"crime in {half:.2%} of cells, any crime in {with_crime:.2%}"
        )
        counts = cells.attrs["hotspot"]["counts"]
        assert result.n_crimes == counts["counted"] == len(incidents) - counts["outside"]
        assert result.params["period"] == cells.attrs["hotspot"]["period"]
        if result.n_crimes >= result.n_places:
            assert result.gini_adjusted == result.gini
        else:  # more cells than crimes
            assert result.gini_adjusted < result.gini
        assert 0.7 < result.gini_adjusted <= result.gini < 1
        assert 0 < half < 0.1 and half < with_crime <= 1
