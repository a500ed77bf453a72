"""Forecast metrics (hotspot/forecast/metrics.py) against hand-computed values and brute force."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import CRS, make_incidents

from hotspot.errors import HotspotInputError
from hotspot.forecast._base import NaiveForecaster
from hotspot.forecast.metrics import hit_rate_curve, hit_rates, recapture_rate_index


def by_definition(order, counts, areas, coverage):
    """Flag cells in ``order`` until the flagged area first reaches coverage * A (plain loop)."""
    total_area = sum(areas)
    area = hits = 0.0
    k = 0
    for i in order:
        area += areas[i]
        hits += counts[i]
        k += 1
        if area >= coverage * total_area - 1e-9:
            break
    return hits, area / total_area, k


def row(table, coverage):
    return table.set_index("coverage").loc[coverage]


# -- hand-computed toys ---------------------------------------------------------------------
def test_equal_areas_by_hand():
    risk = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    counts = [2, 0, 3, 1, 0, 0, 4, 0, 0, 0]  # N = 10; sorted counts 4, 3, 2, 1, 0 ...
    t = hit_rates(risk, counts, [1.0] * 10, [0.1, 0.25, 0.3, 0.5, 1.0])
    assert list(t["coverage"]) == [0.1, 0.25, 0.3, 0.5, 1.0]
    assert (t["total"] == 10).all()
    r = row(t, 0.1)  # cell 0 alone: 2 of 10 incidents on a tenth of the area; best cell has 4
    assert (r.cells_flagged, r.hits, r.area_share) == (1, 2, 0.1)
    assert r.hit_rate == pytest.approx(0.2) and r.pai == pytest.approx(2.0)
    assert r.best_hits == 4 and r.pei == pytest.approx(0.5) and r.pei_star == pytest.approx(0.5)
    r = row(t, 0.25)  # 2.5 cells: the third is taken whole
    assert (r.cells_flagged, r.hits) == (3, 5) and r.area_share == pytest.approx(0.3)
    assert r.pai == pytest.approx(0.5 / 0.3) and r.best_hits == 9 and r.pei == pytest.approx(5 / 9)
    r = row(t, 0.3)  # 0.3 * 10 may come out as 3.0000000000000004: still three cells
    assert (r.cells_flagged, r.hits) == (3, 5)
    r = row(t, 0.5)  # 2 + 0 + 3 + 1 + 0 = 6; best five cells 4 + 3 + 2 + 1 + 0 = 10
    assert (r.cells_flagged, r.hits, r.best_hits) == (5, 6, 10)
    assert r.pai == pytest.approx(1.2) and r.pei == pytest.approx(0.6)
    assert r.pei_star == pytest.approx(0.6)
    r = row(t, 1.0)
    assert (r.cells_flagged, r.hits, r.pai, r.pei, r.pei_star) == (10, 10, 1, 1, 1)


def test_unequal_areas_fractional_knapsack_by_hand():
    areas = [1.0, 2.0, 3.0, 4.0]  # A = 10
    counts = [1, 4, 3, 2]  # N = 10; densities 1, 2, 1, 0.5
    t = hit_rates([4, 3, 2, 1], counts, areas, [0.1, 0.25, 0.5])
    r = row(t, 0.1)  # cell 0 (area 1, 1 incident)
    assert (r.cells_flagged, r.hits) == (1, 1) and r.area_share == pytest.approx(0.1)
    assert r.pai == pytest.approx(1.0)
    # best in area 1: half of cell 1 (density 2) = 2 incidents; best single cell: 4
    assert r.best_hits == pytest.approx(2) and r.pei == pytest.approx(0.5)
    assert r.best_hits_same_cells == 4 and r.pei_star == pytest.approx(0.25)
    r = row(t, 0.25)  # target 2.5: cells 0 and 1 (area 3, 5 incidents)
    assert (r.cells_flagged, r.hits) == (2, 5) and r.area_share == pytest.approx(0.3)
    assert r.pai == pytest.approx(0.5 / 0.3)
    assert r.best_hits == pytest.approx(5) and r.pei == pytest.approx(1.0)  # cell 1 + cell 0
    assert r.best_hits_same_cells == 7 and r.pei_star == pytest.approx(5 / 7)  # 4 + 3
    # the reverse ranking: cell 3 (area 4) first
    r = row(hit_rates([1, 2, 3, 4], counts, areas, [0.4]), 0.4)
    assert (r.cells_flagged, r.hits) == (1, 2) and r.pai == pytest.approx(0.5)
    # best in area 4: cell 1 (2 m², 4) + a density-1 cell (1 m², 1) + a third of cell 2 (1)
    assert r.best_hits == pytest.approx(6) and r.pei == pytest.approx(1 / 3)
    assert r.pei_star == pytest.approx(0.5)
    assert r.pei != r.pei_star


def test_cells_without_risk_or_area_are_left_out_of_a_and_n():
    t = hit_rates([3, np.nan, 2, 1, 5], [1, 9, 1, 2, 7], [1, 1, 1, 1, 0], [1 / 3])
    # scored: cells 0, 2, 3 (cell 1 has no risk, cell 4 no area): A = 3, N = 4
    r = row(t, 1 / 3)
    assert (r.total, r.hits, r.cells_flagged) == (4, 1, 1)
    assert r.area_share == pytest.approx(1 / 3) and r.pai == pytest.approx(0.75)


# -- ties -----------------------------------------------------------------------------------
TIE_RISK = [5, 3, 3, 3, 3, 1]
TIE_COUNTS = [1, 2, 0, 1, 4, 3]


@pytest.mark.parametrize("coverage", [1 / 6, 0.3, 0.5, 0.6, 2 / 3, 0.9])
def test_expected_ties_are_the_mean_over_every_ordering(coverage):
    areas = [1.0] * 6
    hits, pai, pei, pei_star = [], [], [], []
    for perm in itertools.permutations([1, 2, 3, 4]):
        order = [0, *perm, 5]
        n, share, k = by_definition(order, TIE_COUNTS, areas, coverage)
        best = sum(sorted(TIE_COUNTS, reverse=True)[:k])
        hits.append(n)
        pai.append(n / 11 / share)
        pei.append(n / best)
        pei_star.append(n / best)
    r = row(hit_rates(TIE_RISK, TIE_COUNTS, areas, [coverage]), coverage)
    assert r.hits == pytest.approx(np.mean(hits))
    assert r.pai == pytest.approx(np.mean(pai))
    assert r.pei == pytest.approx(np.mean(pei))
    assert r.pei_star == pytest.approx(np.mean(pei_star))


def test_order_ties_take_cell_order():
    t = hit_rates(TIE_RISK, TIE_COUNTS, [1.0] * 6, [0.5], ties="order")
    assert row(t, 0.5).hits == 1 + 2 + 0  # cell 0, then cells 1 and 2 of the tie


def test_random_ties_are_reproducible_and_unbiased():
    args = (TIE_RISK, TIE_COUNTS, [1.0] * 6, [0.5])
    a = hit_rates(*args, ties="random", rng=3)
    pd.testing.assert_frame_equal(a, hit_rates(*args, ties="random", rng=3))
    draws = np.array([row(hit_rates(*args, ties="random", rng=s), 0.5).hits for s in range(500)])
    assert len(np.unique(draws)) > 1
    expected = row(hit_rates(*args), 0.5).hits
    assert expected == pytest.approx(1 + 2 * 7 / 4)  # two of the four tied cells, 7 incidents
    # the mean of 500 draws is within 4 standard errors of the expectation
    assert abs(draws.mean() - expected) < 4 * draws.std() / np.sqrt(len(draws))


# -- boundaries and references ----------------------------------------------------------------
def test_no_incidents_gives_nan_rates():
    t = hit_rates([3, 2, 1, 0], [0, 0, 0, 0], [1.0] * 4, [0.25, 0.5])
    assert (t["total"] == 0).all() and (t["hits"] == 0).all()
    for column in ("hit_rate", "pai", "pei", "pei_star"):
        assert t[column].isna().all(), column
    assert list(t["area_share"]) == [0.25, 0.5]


def test_a_perfect_forecast_has_pei_one():
    counts = np.random.default_rng(1).poisson(0.7, 400)  # many ties among the counts
    t = hit_rates(counts.astype(float), counts, np.full(400, 22500.0))
    np.testing.assert_allclose(t["pei"], 1.0)
    np.testing.assert_allclose(t["pei_star"], 1.0)


def test_random_risk_has_mean_pai_one():
    rng = np.random.default_rng(2)
    counts = rng.poisson(np.r_[np.full(20, 5.0), np.full(480, 0.2)])  # hot cells and cold
    pai = np.array(
        [hit_rates(rng.random(500), counts, np.ones(500), [0.1])["pai"][0] for _ in range(400)]
    )
    # flagging 50 of 500 cells at random captures a tenth of the incidents on average: the
    # mean of 400 draws lies within 4 standard errors of 1
    assert abs(pai.mean() - 1) < 4 * pai.std() / np.sqrt(len(pai))


def test_hit_rates_refuses_bad_arguments():
    ok = ([1, 2], [0, 1], [1, 1])
    with pytest.raises(HotspotInputError, match=r"hit_rates: ties='best' is not one of"):
        hit_rates(*ok, ties="best")
    with pytest.raises(HotspotInputError, match=r"coverages=0 must be a number above 0"):
        hit_rates(*ok, [0.1, 0])
    with pytest.raises(HotspotInputError, match=r"coverages=1.5"):
        hit_rates(*ok, 1.5)
    with pytest.raises(HotspotInputError, match=r"counts has 3 values but risk has 2"):
        hit_rates([1, 2], [0, 1, 1], [1, 1])
    with pytest.raises(HotspotInputError, match=r"counts must be finite numbers >= 0"):
        hit_rates([1, 2], [0, -1], [1, 1])
    with pytest.raises(HotspotInputError, match=r"no cell has both a risk and an area"):
        hit_rates([np.nan, np.nan], [0, 1], [1, 1])


def test_all_coverages_from_one_sort_are_fast():
    import timeit

    rng = np.random.default_rng(0)
    n = 32_566
    counts = rng.poisson(0.004, n)
    areas = np.full(n, 22_500.0)
    calls = [
        lambda risk=risk: hit_rates(risk, counts, areas)
        for risk in (rng.random(n), rng.poisson(0.2, n).astype(float))
    ]
    # 52 weeks x 5 forecasters = 260 calls must take well under a second (about 1.5 ms a
    # call on one free core). The bound, 10 ms a call at best of three, leaves room for a
    # busy machine and still fails a sort per coverage or a Python loop over the cells.
    slowest = max(min(timeit.repeat(call, number=20, repeat=3)) / 20 for call in calls)
    assert slowest < 0.010


# -- hit_rate_curve -------------------------------------------------------------------------
@pytest.fixture
def forecast() -> gpd.GeoDataFrame:
    """A 3 x 3 grid of 100 m squares; cell 4 (the centre) has no risk."""
    boxes = [
        shapely.box(c * 100, r * 100, c * 100 + 100, r * 100 + 100)
        for r in range(3)
        for c in range(3)
    ]
    risk = [9.0, 8, 7, 6, np.nan, 4, 3, 2, 1]
    frame = gpd.GeoDataFrame({"forecast_risk": risk}, geometry=boxes, crs=CRS)
    frame.index = [f"c{i}" for i in range(9)]
    frame.attrs["hotspot"] = {"period": {"start": "2024-01-08", "end": "2024-01-14"}}
    return frame


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    # cell 0: 2, cell 1: 1, cell 4 (no risk): 3, cell 8: 2, outside the grid: 2
    xy = [(10, 10), (50, 50), (150, 50), (150, 150), (160, 160), (170, 140), (250, 250),
          (260, 260), (-50, 50), (500, 500)]  # fmt: skip
    return gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in xy], crs=CRS)


@pytest.fixture
def city_forecast():
    """A naive forecast for 2024-01-15 to 2024-01-22 and the incidents of three weeks."""
    rng = np.random.default_rng(5)
    incidents = make_incidents(
        rng.uniform(0, 300, 60), rng.uniform(0, 300, 60), rng.uniform(0, 21, 60)
    )
    boxes = [
        shapely.box(c * 100, r * 100, c * 100 + 100, r * 100 + 100)
        for r in range(3)
        for c in range(3)
    ]
    cells = gpd.GeoDataFrame(geometry=boxes, crs=CRS)
    forecast = NaiveForecaster().fit(incidents, cells, until="2024-01-15").predict("7D")
    return forecast, incidents


def test_curve_from_incidents_equals_curve_from_counts(forecast, points):
    by_points = hit_rate_curve(forecast, points, coverages=(0.125, 0.25, 1.0))
    counts = pd.Series([2, 1, 0, 0, 3, 0, 0, 0, 2], index=forecast.index)
    by_series = hit_rate_curve(forecast, counts.iloc[::-1], coverages=(0.125, 0.25, 1.0))
    by_array = hit_rate_curve(forecast, counts.to_numpy(), coverages=(0.125, 0.25, 1.0))
    pd.testing.assert_frame_equal(by_points, by_series, check_like=False)
    pd.testing.assert_frame_equal(by_points, by_array)
    # 8 cells scored (A = 8 cells), N = 5 (the 3 in the no-risk cell and 2 outside left out)
    r = row(by_points, 0.125)
    assert (r.total, r.hits, r.cells_flagged) == (5, 2, 1)
    assert r.area_share == pytest.approx(0.125) and r.pai == pytest.approx(0.4 / 0.125)
    assert row(by_points, 0.25).hits == 3


def test_curve_attrs_count_what_was_left_out(forecast, points):
    meta = hit_rate_curve(forecast, points).attrs["hotspot"]
    assert meta["method"] == "hit_rate_curve"
    assert meta["period"] == {"start": "2024-01-08", "end": "2024-01-14"}
    curve = meta["hit_rate_curve"]
    assert curve["cells"] == {"given": 9, "scored": 8, "nan_risk": 1, "zero_area": 0}
    acc = curve["incidents"]
    assert (acc["incidents"], acc["outside_cells"], acc["in_unscored_cells"]) == (10, 2, 3)
    assert acc["in_scored_cells"] == 5
    assert sum(acc[k] for k in ("in_scored_cells", "in_unscored_cells", "outside_cells")) == 10
    assert curve["ties"] == "expected" and curve["risk_column"] == "forecast_risk"


def test_curve_counts_incidents_outside_the_forecast_window(city_forecast):
    forecast, incidents = city_forecast
    meta = hit_rate_curve(forecast, incidents).attrs["hotspot"]["hit_rate_curve"]["incidents"]
    times = incidents["time"]
    in_window = (times >= pd.Timestamp("2024-01-15")) & (times < pd.Timestamp("2024-01-22"))
    assert meta["outside_window"] == int((~in_window).sum()) > 0
    week = incidents[in_window]
    assert (
        hit_rate_curve(forecast, week).attrs["hotspot"]["hit_rate_curve"]["incidents"][
            "outside_window"
        ]
        == 0
    )


def test_curve_does_not_modify_its_inputs(forecast, points):
    before, attrs = forecast.copy(), dict(forecast.attrs["hotspot"])
    hit_rate_curve(forecast, points)
    pd.testing.assert_frame_equal(forecast, before)
    assert forecast.attrs["hotspot"] == attrs


def test_curve_refuses_bad_arguments(forecast, points):
    with pytest.raises(HotspotInputError, match=r"no 'risk' column"):
        hit_rate_curve(forecast, points, risk_column="risk")
    with pytest.raises(HotspotInputError, match=r"actual is a Series whose index"):
        hit_rate_curve(forecast, pd.Series([1, 2]), coverages=0.1)
    with pytest.raises(HotspotInputError, match=r"actual must be incidents"):
        hit_rate_curve(forecast, "points")
    with pytest.raises(HotspotInputError, match=r"ties='none' is not one of"):
        hit_rate_curve(forecast, points, ties="none")


# -- recapture rate index ------------------------------------------------------------------
def test_rri_by_hand(forecast, points):
    first = [4, 3, 1, 1, 5, 1, 0, 0, 0]  # scored N1 = 10 (cell 4 has no risk)
    second = [2, 2, 2, 2, 0, 2, 0, 0, 0]  # N2 = 10
    r = recapture_rate_index(forecast, first, second, n_cells=2)
    # cells c0, c1: n1 = 7, n2 = 4 -> (4 / 7) / (10 / 10)
    assert (r.n1, r.N1, r.n2, r.N2) == (7, 10, 4, 10)
    assert r.statistic == pytest.approx(4 / 7)
    assert list(r.cells) == ["c0", "c1"]
    same = recapture_rate_index(forecast, first, second, coverage=0.25)  # 2 of 8 cells
    assert same.statistic == r.statistic and same.params["area_share"] == 0.25
    # the second period as incidents: c0 2, c1 1, scored N2 = 5 (c8 2)
    r = recapture_rate_index(forecast, first, points, n_cells=2)
    assert (r.n2, r.N2) == (3, 5) and r.statistic == pytest.approx((3 / 7) / (5 / 10))
    assert r.params["method"] == "recapture_rate_index" and r.alternative == "none"
    assert r.expected == 1.0 and np.isnan(r.pvalue) and "rng_seed" in r.params
    assert r.params["second"]["outside_cells"] == 2
    none = recapture_rate_index(forecast, [0] * 9, second, n_cells=2)
    assert np.isnan(none.statistic)


def test_rri_refuses_bad_arguments(forecast):
    counts = [1] * 9
    with pytest.raises(HotspotInputError, match=r"coverage=0.1 and n_cells=2 both given"):
        recapture_rate_index(forecast, counts, counts, coverage=0.1, n_cells=2)
    with pytest.raises(HotspotInputError, match=r"n_cells=9 is more than the 8 cells"):
        recapture_rate_index(forecast, counts, counts, n_cells=9)
    with pytest.raises(HotspotInputError, match=r"ties='expected' is not one of 'order'"):
        recapture_rate_index(forecast, counts, counts, ties="expected")
