"""Prospective hot-spotting (hotspot/forecast/prospective.py) against hand-computed risks, a
brute-force double loop over cells and incidents, and hotspots planted in a simulated city."""

from __future__ import annotations

import copy
import math
from fractions import Fraction as F

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import CRS, T0, make_incidents
from sklearn.base import clone

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.forecast.prospective import ProspectiveForecaster
from hotspot.simulate import simulate_incidents

UNTIL = T0 + pd.Timedelta(days=70)


def grid(n: int = 5, size: float = 100.0) -> gpd.GeoDataFrame:
    """n x n square cells of ``size`` metres from (0, 0), row by row (row 0 at the bottom)."""
    boxes = [
        shapely.box(c * size, r * size, (c + 1) * size, (r + 1) * size)
        for r in range(n)
        for c in range(n)
    ]
    return gpd.GeoDataFrame({"col": np.tile(np.arange(n), n)}, geometry=boxes, crs=CRS)


def toy() -> gpd.GeoDataFrame:
    """Three incidents, ages in days before UNTIL: A (cell col 2, row 2) 2 days, week 0;
    B (cell 0, 0; off its centroid) 10 days, week 1; C (cell 4, 1) exactly 7 days, week 0."""
    x, y, age = [250, 20, 430], [250, 70, 160], [2, 10, 7]
    return make_incidents(x, y, [70 - a for a in age])


def brute_force(
    incidents,
    cells,
    until,
    *,
    bandwidth,
    weeks,
    metric="euclidean",
    whole=True,
    weights=None,
    start=0.0,
):
    """The published formula summed cell by cell, incident by incident."""
    size = math.sqrt(float(np.median(cells.geometry.area)))
    cx, cy = cells.geometry.centroid.x.to_numpy(), cells.geometry.centroid.y.to_numpy()
    out = np.zeros(len(cells))
    for i, (point, time) in enumerate(zip(incidents.geometry, incidents["time"], strict=True)):
        age_days = (until - time) / pd.Timedelta(days=1) + start
        if not 0 < age_days - start or age_days > 7 * weeks:
            continue
        t = math.ceil(age_days / 7) - 1 if whole else age_days / 7
        if whole:  # the centroid of the incident's cell
            home = [k for k, g in enumerate(cells.geometry) if g.covers(point)][0]
            px, py = cx[home], cy[home]
        else:
            px, py = point.x, point.y
        w = 1.0 if weights is None else weights[i]
        for c in range(len(cells)):
            dx, dy = abs(cx[c] - px) / size, abs(cy[c] - py) / size
            d = {"euclidean": math.hypot(dx, dy), "chebyshev": max(dx, dy), "manhattan": dx + dy}
            d = round(d[metric]) if whole else d[metric]
            if d <= bandwidth / size + 1e-9:
                out[c] += w / ((1 + d) * (1 + t))
    return out


def test_every_cell_of_the_toy_by_hand():
    risk = ProspectiveForecaster(bandwidth=200, time_bandwidth=8).fit(toy(), grid(), until=UNTIL)
    got = risk.predict("7D")["forecast_risk"].to_numpy().reshape(5, 5)
    # Euclidean distances between cells, rounded: offsets (1,1) -> 1, (2,1) -> 2, (2,2) -> 3 (out)
    # A (col 2,row 2; t=0): 1/(1+d).  B (0,0; t=1): 1/(2(1+d)).  C (4,1; t=0): 1/(1+d).
    third, half = F(1, 3), F(1, 2)
    expected = [  # rows from y=0 (bottom) up; each entry is A + B + C
        [0 + half + 0, third + F(1, 4) + 0, third + F(1, 6) + third, third + 0 + half, 0 + 0 + half],
        [third + F(1, 4), half + F(1, 4) + 0, half + F(1, 6) + third, half + 0 + half, third + 1],
        [third + F(1, 6), half + F(1, 6), 1 + 0 + third, half + 0 + half, third + 0 + half],
        [third + 0 + 0, half + 0 + 0, half + 0 + 0, half + 0 + third, third + 0 + third],
        [0, third, third, third, 0],
    ]  # fmt: skip
    assert got == pytest.approx(np.array(expected, dtype=float), abs=1e-12)
    brute = brute_force(toy(), grid(), UNTIL, bandwidth=200, weeks=8).reshape(5, 5)
    assert got == pytest.approx(brute, abs=1e-12)


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev", "manhattan"])
@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("bandwidth", [150.0, 250.0, 400.0])
def test_matches_the_brute_force_double_loop(metric, whole, bandwidth):
    rng = np.random.default_rng(3)
    n = 40
    inc = make_incidents(rng.uniform(0, 700, n), rng.uniform(0, 700, n), rng.uniform(0, 70, n))
    cells = grid(7)
    f = ProspectiveForecaster(
        bandwidth=bandwidth, time_bandwidth=6, metric=metric, whole_units=whole
    )
    got = f.fit(inc, cells, until=UNTIL).predict("7D")["forecast_risk"].to_numpy()
    expected = brute_force(
        inc, cells, UNTIL, bandwidth=bandwidth, weeks=6, metric=metric, whole=whole
    )
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert (got > 0).sum() > 10  # the configuration reaches many cells


def test_the_bandwidth_edge_is_in():
    one = make_incidents([50], [50], [69])  # cell (0, 0), week 0
    at = ProspectiveForecaster(bandwidth=200).fit(one, grid(), until=UNTIL).predict()
    below = ProspectiveForecaster(bandwidth=199.99).fit(one, grid(), until=UNTIL).predict()
    # cell (2, 0) is exactly 2 cells (200 m) away: in with 200 m, out with 199.99 m
    assert at["forecast_risk"].iloc[2] == pytest.approx(1 / 3)
    assert below["forecast_risk"].iloc[2] == 0.0
    assert below["forecast_risk"].iloc[1] == pytest.approx(1 / 2)
    # chebyshev: the diagonal (2, 2) is 2 away; manhattan: (1, 1) is 2 away, (2, 1) is 3
    cheb = ProspectiveForecaster(bandwidth=200, metric="chebyshev").fit(one, grid(), until=UNTIL)
    manh = ProspectiveForecaster(bandwidth=200, metric="manhattan").fit(one, grid(), until=UNTIL)
    assert cheb.predict()["forecast_risk"].iloc[12] == pytest.approx(1 / 3)
    risk = manh.predict()["forecast_risk"]
    assert (risk.iloc[6], risk.iloc[7]) == (pytest.approx(1 / 3), 0.0)


def test_the_time_edge_and_whole_weeks():
    # ages in days: 56 (exactly 8 weeks: week 7, in), 56 + 1 s (out), 49 (week 6), 7 (week 0),
    # 7 + 1 s (week 1); all in cell (0, 0), bandwidth 0: only that cell scores
    second = 1 / 86400
    ages = [56, 56 + second, 49, 7, 7 + second]
    inc = make_incidents([50] * 5, [50] * 5, [70 - a for a in ages])
    f = ProspectiveForecaster(bandwidth=1, time_bandwidth=8).fit(inc, grid(), until=UNTIL)
    assert f.training_["used"] == 4 and f.training_["before_lookback"] == 1
    assert f.training_["start"] == "2024-01-15"  # 8 weeks before 2024-03-11
    risk = f.predict()["forecast_risk"]
    assert risk.iloc[0] == pytest.approx(1 / 8 + 1 / 7 + 1 + 1 / 2)
    assert (risk.iloc[1:] == 0).all()
    # continuous ages: 1 / (1 + age / 7 days)
    g = ProspectiveForecaster(bandwidth=1, whole_units=False).fit(inc, grid(), until=UNTIL)
    cont = sum(1 / (1 + a / 7) for a in (56, 49, 7, 7 + second))
    assert g.predict()["forecast_risk"].iloc[0] == pytest.approx(cont)


def test_a_later_window_counts_weeks_from_its_start():
    f = ProspectiveForecaster(bandwidth=200, time_bandwidth=2).fit(toy(), grid(), until=UNTIL)
    # a week later: A is 9 days old (week 1), C 14 (week 1), B 17 (week 2: beyond 2 weeks)
    later = f.predict("7D", start=UNTIL + pd.Timedelta(days=7))["forecast_risk"].to_numpy()
    expected = brute_force(toy(), grid(), UNTIL, bandwidth=200, weeks=2, start=7.0)
    assert later == pytest.approx(expected, abs=1e-12)
    assert later[12] == pytest.approx(1 / 2 + 1 / 6)  # cell (2, 2): A d=0 t=1, C d=2 t=1
    assert later[0] == 0.0  # only B reached cell (0, 0)


def test_incident_weights_scale_the_contributions():
    inc = toy().assign(harm=[2.0, 0.5, 3.0])
    f = ProspectiveForecaster(bandwidth=200).fit(inc, grid(), until=UNTIL, incident_weights="harm")
    got = f.predict()["forecast_risk"].to_numpy()
    assert got == pytest.approx(
        brute_force(inc, grid(), UNTIL, bandwidth=200, weeks=8, weights=[2.0, 0.5, 3.0])
    )
    # cell (2, 2): 2 x 1 (A) + 3 x 1/3 (C)
    assert got[12] == pytest.approx(3.0)
    assert f.training_["weighted"] == "column 'harm'"


def test_output_contract_reproducible_and_input_untouched():
    inc, cells = toy(), grid()
    cells.attrs["hotspot"] = {"grid": {"cell_size": 100.0}}
    before = (inc.copy(), cells.copy(), copy.deepcopy(cells.attrs))
    f = ProspectiveForecaster(bandwidth=200)
    out = f.fit(inc, cells, until=UNTIL).predict("7D")
    again = ProspectiveForecaster(bandwidth=200).fit(inc, cells, until=UNTIL).predict("7D")
    pd.testing.assert_frame_equal(out, again)
    risk = out["forecast_risk"]
    assert risk.dtype == float and (risk >= 0).all()
    assert sorted(out["forecast_rank"]) == list(range(1, 26))
    assert out["forecast_rank"][risk.idxmax()] == 1
    assert list(out.index) == list(cells.index) and "col" in out.columns
    meta = out.attrs["hotspot"]
    assert (meta["kind"], meta["method"]) == ("cells", "forecast")
    record = meta["forecast"]
    assert record["forecaster"] == "ProspectiveForecaster"
    assert record["params"] == {
        "bandwidth": 200,
        "time_bandwidth": 8,
        "metric": "euclidean",
        "whole_units": True,
    }
    assert record["cell_size"] == 100.0 and record["bandwidth_cells"] == 2.0
    assert "score" in record["risk"]
    # a score, not a count: a longer window does not change it
    assert f.predict("28D")["forecast_risk"].tolist() == risk.tolist()
    pd.testing.assert_frame_equal(inc, before[0])
    pd.testing.assert_frame_equal(cells, before[1])
    assert cells.attrs == before[2]


def test_estimator_contract():
    f = ProspectiveForecaster(bandwidth=300.0, time_bandwidth=4, metric="chebyshev")
    params = f.get_params()
    assert params == {
        "bandwidth": 300.0,
        "time_bandwidth": 4,
        "metric": "chebyshev",
        "whole_units": True,
    }
    assert ProspectiveForecaster(**params).get_params() == params
    g = clone(f)
    assert g.get_params() == params and g is not f
    with pytest.raises(HotspotInputError, match="not fitted"):
        g.predict()
    assert f.fit(toy(), grid(), until=UNTIL) is f
    assert not hasattr(clone(f), "until_")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"bandwidth": 0}, "bandwidth=0 must be a positive number of metres"),
        ({"bandwidth": "400m"}, "bandwidth='400m'"),
        ({"time_bandwidth": 0}, "time_bandwidth=0 must be at least 1"),
        ({"time_bandwidth": 8.5}, "time_bandwidth=8.5 must be a whole number"),
        ({"metric": "cosine"}, "metric='cosine' is not one of 'euclidean'"),
        ({"whole_units": "yes"}, "whole_units='yes' is not one of True, False"),
    ],
)
def test_bad_parameters_say_what_to_pass(params, match):
    with pytest.raises(HotspotInputError, match=f"ProspectiveForecaster: {match}"):
        ProspectiveForecaster(**params).fit(toy(), grid(), until=UNTIL)


def test_hex_cells_count_distance_in_flat_to_flat_widths():
    inc = make_incidents([3.0], [7.0], [69])
    hexes = hs.hex_grid(inc, 100, study_area=shapely.Point(0, 0).buffer(450), quiet=True)
    f = ProspectiveForecaster(bandwidth=100).fit(inc, hexes, until=UNTIL)
    risk = f.predict()["forecast_risk"].to_numpy()
    # the incident's hexagon (1) and its six neighbours, one width away (1/2 each)
    assert f.cell_size_ == 100.0
    assert sorted(risk[risk > 0]) == pytest.approx([0.5] * 6 + [1.0])


def test_the_planted_hotspots_are_in_the_top_five_percent():
    spots = [
        {"x": 432000, "y": 432000, "radius": 100, "profile": "persistent", "rate": 3},
        {"x": 437000, "y": 436000, "radius": 100, "profile": "persistent", "rate": 3},
        {"x": 435500, "y": 433500, "radius": 100, "profile": "persistent", "rate": 3},
    ]
    inc, _ = simulate_incidents(n_background=3000, hotspots=spots, periods=52, rng=1)
    cells = hs.square_grid(inc, 200, quiet=True)
    top = math.ceil(0.05 * len(cells))
    centre = [
        int(np.flatnonzero(cells.contains(shapely.Point(s["x"] + 1, s["y"] + 1)))[0]) for s in spots
    ]
    for f in (ProspectiveForecaster(), ProspectiveForecaster(whole_units=False)):
        rank = f.fit(inc, cells, until="2024-10-07").predict("7D")["forecast_rank"].to_numpy()
        assert (rank[centre] <= top).all(), (repr(f), rank[centre], top)
