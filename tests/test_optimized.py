"""Optimized hot spot analysis: each step reported, planted hot spots recovered."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs


def test_steps_reported_and_counts_conserved(west_yorkshire):
    before = west_yorkshire.copy()
    hot = hs.optimized_hotspots(west_yorkshire, permutations=0, quiet=True)
    steps = hot.attrs["hotspot"]["optimized"]
    assert set(steps) == {"outliers", "aggregation", "scale", "result"}
    counts = steps["aggregation"]["counts"]
    assert counts["incidents"] == len(west_yorkshire) == counts["counted"] + counts["outside"]
    assert int(hot["count"].sum()) == counts["counted"]
    assert steps["scale"]["distance"] > 0 and steps["scale"]["chosen_by"]
    assert len(steps["scale"]["incremental"]["distance"]) == 10
    assert steps["result"]["hot_cells_95"] == int((hot["gistar_bin"] >= 2).sum())
    assert hot.attrs["hotspot"]["gistar"]["fdr"] is True
    pd.testing.assert_frame_equal(west_yorkshire, before)


def test_result_is_stamped(west_yorkshire):
    from hotspot._result import method_of

    hot = hs.optimized_hotspots(west_yorkshire, cell_size=2000, permutations=19, rng=3, quiet=True)
    meta = hot.attrs["hotspot"]
    assert method_of(hot) == "optimized_hotspots" and meta["kind"] == "cells"
    assert meta["rng_seed"] == 3 and meta["gistar"]["rng_seed"] == 3
    params = meta["optimized_hotspots"]
    assert params["permutations"] == 19 and params["cell_size"] == 2000
    for step in ("outliers", "aggregation", "scale", "result"):
        assert params[step] == meta["optimized"][step]
    assert meta["period"]["label"] and meta["grid"]["cell_size"] == 2000
    assert meta["gistar"]["weights"].startswith("distance band")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"permutations": -1}, "permutations=-1 must be at least 0"),
        ({"rng": "seed"}, "rng='seed' must be None, an int seed"),
    ],
)
def test_bad_parameters(west_yorkshire, kwargs, match):
    with pytest.raises(hs.HotspotInputError, match=f"^optimized_hotspots: {match}"):
        hs.optimized_hotspots(west_yorkshire, quiet=True, **kwargs)


def test_planted_hotspots_found_in_one_call():
    hotspots = [
        {"x": 432500, "y": 432500, "radius": 200, "profile": "persistent", "rate": 30},
        {"x": 437000, "y": 435000, "radius": 200, "profile": "persistent", "rate": 30},
    ]
    inc, truth = hs.datasets.simulate_incidents(
        n_background=3000, hotspots=hotspots, periods=10, rng=4
    )
    hot = hs.optimized_hotspots(inc, cell_size=250, permutations=0, quiet=True)
    for _, h in truth.iterrows():
        centre_cell = hot[hot.geometry.covers(shapely.Point(h["x"], h["y"]))]
        assert (centre_cell["gistar_bin"] == 3).all()


def test_given_cells_are_used(west_yorkshire):
    cells = hs.hex_grid(west_yorkshire, 2000, quiet=True)
    hot = hs.optimized_hotspots(west_yorkshire, cells=cells, permutations=0, quiet=True)
    assert hot.index.equals(cells.index)
    assert hot.attrs["hotspot"]["optimized"]["aggregation"]["method"] == "given polygons"


def test_locational_outliers_announced(capsys):
    rng = np.random.default_rng(0)
    x = np.r_[rng.uniform(0, 1000, 300), 90000.0]
    y = np.r_[rng.uniform(0, 1000, 300), 90000.0]
    inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x + 430000, y + 430000), crs="EPSG:27700")
    hot = hs.optimized_hotspots(inc, permutations=0)
    assert hot.attrs["hotspot"]["optimized"]["outliers"]["n_incidents"] >= 1
    assert "locational outliers" in capsys.readouterr().err
    # the outlier did not stretch the grid across 90 km
    assert hot.total_bounds[2] < 430000 + 5000


def test_too_few_incidents():
    inc = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([430000.0] * 5, [430000.0] * 5), crs="EPSG:27700"
    )
    with pytest.raises(hs.HotspotInputError, match="^optimized_hotspots: .*at least 30 incidents"):
        hs.optimized_hotspots(inc)
