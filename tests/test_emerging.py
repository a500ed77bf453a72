"""Emerging hot spots: each of the 17 categories on hand-built inputs, space-time Gi* against
esda, planted temporal profiles."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot.spacetime.emerging import CATEGORIES, categorise, space_time_gistar

T = 20


def series(pattern: str) -> np.ndarray:
    """A bins-long sequence from a compact pattern: H hot, C cold, . neither."""
    assert len(pattern) == T
    return np.array(list(pattern))


# One unambiguous example per category: (hot/cold pattern, trend p, trend S)
CASES = {
    "historical hot spot": ("HHHHHHHHHHHHHHHHHHH.", 0.5, 0),
    "intensifying hot spot": ("HHHHHHHHHHHHHHHHHHHH", 0.001, 50),
    "diminishing hot spot": ("HHHHHHHHHHHHHHHHHHHH", 0.001, -50),
    "persistent hot spot": ("HHHHHHHHHH.HHHHHHHHH", 0.6, 3),
    "new hot spot": ("...................H", 0.5, 0),
    "consecutive hot spot": ("...............HHHHH", 0.5, 0),
    "oscillating hot spot": ("..C...H....C...H...H", 0.5, 0),
    "sporadic hot spot": ("..H.....H....H.....H", 0.5, 0),
    "historical cold spot": ("CCCCCCCCCCCCCCCCCCC.", 0.5, 0),
    "intensifying cold spot": ("CCCCCCCCCCCCCCCCCCCC", 0.001, -50),
    "diminishing cold spot": ("CCCCCCCCCCCCCCCCCCCC", 0.001, 50),
    "persistent cold spot": ("CCCCCCCCCC.CCCCCCCCC", 0.6, 3),
    "new cold spot": ("...................C", 0.5, 0),
    "consecutive cold spot": ("...............CCCCC", 0.5, 0),
    "oscillating cold spot": ("..H...C....H...C...C", 0.5, 0),
    "sporadic cold spot": ("..C.....C....C.....C", 0.5, 0),
    "no pattern": ("..H.....H....H......", 0.5, 0),
}


def test_every_category_has_a_case():
    assert set(CASES) == set(CATEGORIES)


@pytest.mark.parametrize("category", list(CASES))
def test_each_category_unambiguous(category):
    pattern, trend_p, trend_s = CASES[category]
    flags = series(pattern)
    hot = (flags == "H")[:, None]
    cold = (flags == "C")[:, None]
    result = categorise(hot, cold, np.array([trend_p]), np.array([trend_s]), 0.05)
    assert result.tolist() == [category]


def test_all_categories_at_once_are_mutually_exclusive():
    flags = np.stack([series(CASES[c][0]) for c in CASES], axis=1)
    out = categorise(
        flags == "H",
        flags == "C",
        np.array([CASES[c][1] for c in CASES]),
        np.array([CASES[c][2] for c in CASES]),
        0.05,
    )
    assert out.tolist() == list(CASES)


def test_single_bin_space_time_gistar_equals_esda(west_yorkshire, esda, libpysal):
    cells = hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 2000, quiet=True), quiet=True
    )
    nb = hs.build_weights(cells, "queen")
    star = nb.with_self(1.0)
    values = cells["count"].to_numpy()[None, :]
    z = space_time_gistar(values, star, time_window=0, global_window="individual")[0]
    w = libpysal.weights.WSP(nb.matrix).to_W(silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(values[0].astype(float), w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(z, ref.Zs, atol=1e-9)


def hand_cube(counts: np.ndarray) -> hs.SpaceTimeCube:
    n_bins, n_cells = counts.shape
    side = int(np.sqrt(n_cells))
    cells = gpd.GeoDataFrame(
        {"row": np.repeat(np.arange(side), side), "col": np.tile(np.arange(side), side)},
        geometry=[
            shapely.box(c * 100, r * 100, c * 100 + 100, r * 100 + 100)
            for r in range(side)
            for c in range(side)
        ],
        crs="EPSG:27700",
        index=pd.RangeIndex(n_cells, name="cell_id"),
    )
    bins = pd.date_range("2024-01-01", periods=n_bins, freq="W-MON")
    return hs.SpaceTimeCube(cells=cells, bins=bins, counts=counts, freq="W")


def test_a_block_empty_until_the_last_bin_is_a_new_hot_spot():
    rng = np.random.default_rng(0)
    counts = rng.poisson(2, (T, 100))
    block = [44, 45, 54, 55]
    counts[:, block] = 0
    counts[:, [0, 1]] = rng.poisson(2, (T, 2))
    counts[-1, block] = 40
    out = hs.emerging_hotspots(hand_cube(counts), quiet=True)
    assert (out.loc[block, "emerging_category"] == "new hot spot").all()


def test_cells_without_incidents_are_not_analysed():
    rng = np.random.default_rng(1)
    counts = rng.poisson(3, (T, 100))
    counts[:, 7] = 0
    out = hs.emerging_hotspots(hand_cube(counts), quiet=True)
    assert out.loc[7, "emerging_category"] == "not analysed (no incidents)"
    assert out.attrs["hotspot"]["emerging"]["n_not_analysed"] == 1
    arrays = out.attrs["hotspot"]["emerging"]["arrays"]
    assert arrays.z.shape == (T, 99)


def test_planted_profiles_recovered():
    # intensities chosen so that each profile meets ArcGIS's definition: "new" only in the last
    # bin; intensifying/diminishing hot in (nearly) every bin with a trend
    hotspots = [
        {"x": 432000, "y": 432000, "radius": 150, "profile": "persistent", "rate": 30},
        {"x": 436000, "y": 436000, "radius": 150, "profile": "new", "rate": 30, "onset": 29},
        {"x": 438000, "y": 431500, "radius": 150, "profile": "intensifying", "rate": 60},
        {"x": 433000, "y": 436500, "radius": 150, "profile": "diminishing", "rate": 100},
    ]
    hits = []
    for seed in (7, 8, 9):
        inc, truth = hs.datasets.simulate_incidents(
            n_background=3000, hotspots=hotspots, periods=30, rng=seed
        )
        inc = hs.read_incidents(inc, quiet=True)
        cells = hs.square_grid(inc, 250, study_area="bbox", buffer=0, quiet=True)
        out = hs.emerging_hotspots(hs.space_time_cube(inc, cells, "W", quiet=True), quiet=True)
        centres = out.geometry.centroid
        for _, h in truth.iterrows():
            near = centres.distance(shapely.Point(h["x"], h["y"])) <= 180  # the 4 cells around it
            hits.extend(out.loc[near, "emerging_category"] == f"{h['profile']} hot spot")
    assert np.mean(hits) >= 0.8


def test_permutation_pvalues_agree_with_the_analytical_ones():
    hotspots = [{"x": 432000, "y": 432000, "radius": 150, "profile": "persistent", "rate": 30}]
    inc, _ = hs.datasets.simulate_incidents(n_background=3000, hotspots=hotspots, periods=20, rng=3)
    inc = hs.read_incidents(inc, quiet=True)
    cells = hs.square_grid(inc, 250, study_area="bbox", buffer=0, quiet=True)
    cube = hs.space_time_cube(inc, cells, "W", quiet=True)
    analytical = hs.emerging_hotspots(cube, fdr=False, quiet=True)
    permuted = hs.emerging_hotspots(cube, permutations=199, fdr=False, rng=1, quiet=True)
    a = analytical.attrs["hotspot"]["emerging"]["arrays"]
    b = permuted.attrs["hotspot"]["emerging"]["arrays"]
    np.testing.assert_array_equal(a.z, b.z)  # z-scores stay analytical
    # strongly hot bins are at (or next to) the permutation floor, 2 / (1 + 199)
    strong = (a.p < 1e-4) & (a.z > 0)
    assert strong.sum() > 20 and (b.p[strong] <= 0.05).all()
    assert np.median(b.p[strong]) == 2 / 200
    agree = (a.p < 0.05) == (b.p < 0.05)
    assert agree.mean() > 0.95
    again = hs.emerging_hotspots(cube, permutations=199, fdr=False, rng=1, quiet=True)
    np.testing.assert_array_equal(again.attrs["hotspot"]["emerging"]["arrays"].p, b.p)
    centre = permuted.geometry.covers(shapely.Point(432000, 432000))
    assert (permuted.loc[centre, "emerging_category"] == "persistent hot spot").all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"time_window": 0}, "emerging_hotspots: time_window=0 must be at least 1"),
        ({"time_window": 1.5}, "time_window=1.5 must be a whole number"),
        ({"time_window": 16}, "time_window=16 must be between 1 and 75 %"),
        ({"global_window": "bin"}, "global_window='bin' is not one of 'cube', "),
        ({"permutations": -1}, "emerging_hotspots: permutations=-1 must be at least 0"),
        ({"permutations": 9, "global_window": "individual"}, "global_window='cube'"),
        ({"alpha": 5}, "emerging_hotspots: alpha=5 must be a number between 0 and 1"),
        ({"alpha": "0.05"}, "alpha='0.05' must be a number between 0 and 1"),
        ({"partial": "trim"}, "partial='trim' is not one of 'drop', 'keep'"),
        ({"trend_series": "z"}, "trend_series='z' is not one of 'spatial', 'space-time'"),
        ({"rng": "seed"}, "emerging_hotspots: rng='seed' must be None, an int seed"),
    ],
)
def test_bad_arguments(kwargs, match):
    counts = np.random.default_rng(2).poisson(2, (T, 25))
    with pytest.raises(hs.HotspotInputError, match=match):
        hs.emerging_hotspots(hand_cube(counts), **kwargs)


def test_too_few_bins():
    counts = np.random.default_rng(2).poisson(2, (5, 25))
    with pytest.raises(hs.HotspotInputError, match="at least 10"):
        hs.emerging_hotspots(hand_cube(counts))


def test_checks_count_the_bins_analysed_not_the_partial_ones(toronto):
    """12 weekly bins whose first and last the data cover in part: 10 are analysed, so the
    time window is checked against 10 and a cube of 11 bins is refused with the reason."""
    weeks = toronto[(toronto["time"] >= "2021-01-06") & (toronto["time"] < "2021-03-27")]
    cells = hs.square_grid(weeks, 2000, study_area="convex", quiet=True)
    cube = hs.space_time_cube(weeks, cells, "W", quiet=True)
    assert len(cube.bins) == 12 and cube.partial_bins.sum() == 2
    with pytest.raises(hs.HotspotInputError, match="75 % of the 10 bins"):
        hs.emerging_hotspots(cube, time_window=8, quiet=True)
    assert hs.emerging_hotspots(cube, time_window=8, partial="keep", quiet=True) is not None
    shorter = hs.space_time_cube(weeks[weeks["time"] < "2021-03-20"], cells, "W", quiet=True)
    with pytest.raises(hs.HotspotInputError, match=r"9 whole bins \(partial ones left out: 2\)"):
        hs.emerging_hotspots(shorter, quiet=True)


def test_stamped_with_the_emerging_record_under_both_keys():
    rng = np.random.default_rng(4)
    cube = hand_cube(rng.poisson(3, (T, 100)))
    cube.cells.attrs["hotspot"] = {"kind": "cells", "grid": {"cell_size": 100.0}}
    attrs_before = repr(cube.cells.attrs)
    columns_before = list(cube.cells.columns)
    out = hs.emerging_hotspots(cube, rng=7, quiet=True)
    assert repr(cube.cells.attrs) == attrs_before and list(cube.cells.columns) == columns_before
    meta = out.attrs["hotspot"]
    assert meta["kind"] == "cells" and meta["method"] == "emerging_hotspots"
    assert meta["rng_seed"] == 7 and meta["grid"] == {"cell_size": 100.0}  # carried over
    assert meta["period"]["start"] == "2024-01-01" and meta["period"]["label"]
    record = meta["emerging_hotspots"]
    assert meta["emerging"] is record  # the older key, read by maps and reports
    assert record["alpha"] == 0.05 and record["n_analysed"] == 100
    assert sum(record["categories"].values()) == 100
    added = [c for c in out.columns if c not in cube.cells.columns]
    assert added and all(c.startswith("emerging_") for c in added)


def test_a_space_time_cell_without_neighbours_is_not_tested_by_permutations():
    """Cell 0 (a corner) is analysed but none of its neighbours ever had an incident: in the
    first bin its space-time neighbourhood is empty, so no permutation can test it (NaN, not
    significant); from the second bin on its own earlier bins are its neighbours."""
    counts = np.random.default_rng(5).poisson(2, (T, 100))
    counts[:, [1, 10, 11]] = 0
    counts[:, 0] = 20
    out = hs.emerging_hotspots(hand_cube(counts), permutations=19, fdr=False, rng=0, quiet=True)
    arrays = out.attrs["hotspot"]["emerging"]["arrays"]
    corner = list(arrays.cells).index(0)
    assert np.isnan(arrays.p[0, corner]) and not arrays.hot[0, corner]
    assert np.isfinite(arrays.p[1:, corner]).all()
    assert np.isfinite(np.delete(arrays.p[0], corner)).all()


# --- fractional (aoristic) and weighted cubes --------------------------------------------------


def with_windows(inc: gpd.GeoDataFrame, seed: int, max_hours: int = 96) -> gpd.GeoDataFrame:
    """The incidents recorded with windows: from their time to up to ``max_hours`` later."""
    gen = np.random.default_rng(seed)
    out = inc.copy()
    out["time_start"] = out["time"]
    out["time_end"] = out["time"] + pd.to_timedelta(
        gen.integers(0, max_hours * 60, len(out)), unit="min"
    )
    return out


def test_hot_spots_planted_with_windows_are_found_on_an_aoristic_cube():
    hotspots = [
        {"x": 432000, "y": 432000, "radius": 150, "profile": "persistent", "rate": 30},
        {"x": 436000, "y": 436000, "radius": 150, "profile": "new", "rate": 30, "onset": 29},
    ]
    hits = []
    for seed in (7, 8):
        inc, truth = hs.datasets.simulate_incidents(
            n_background=3000, hotspots=hotspots, periods=30, rng=seed
        )
        inc = with_windows(hs.read_incidents(inc, quiet=True), seed)
        cells = hs.square_grid(inc, 250, study_area="bbox", buffer=0, quiet=True)
        cube = hs.space_time_cube(inc, cells, "W", aoristic=True, quiet=True)
        assert cube.counts.dtype == np.float64
        assert (cube.counts % 1 > 0).any()  # fractions: windows crossing Sunday midnight
        out = hs.emerging_hotspots(cube, quiet=True)
        assert out.attrs["hotspot"]["emerging_hotspots"]["counts"] == "aoristic incidents"
        centres = out.geometry.centroid
        for _, h in truth.iterrows():
            near = centres.distance(shapely.Point(h["x"], h["y"])) <= 180  # the 4 cells around it
            hits.extend(out.loc[near, "emerging_category"] == f"{h['profile']} hot spot")
        # far from the planted spots, the background (spread as well) shows few hot spots
        far = np.ones(len(out), dtype=bool)
        for _, h in truth.iterrows():
            far &= (centres.distance(shapely.Point(h["x"], h["y"])) > 600).to_numpy()
        assert out.loc[far, "emerging_category"].str.contains("hot spot").mean() < 0.05
    assert np.mean(hits) >= 0.8


def test_float_counts_give_the_same_result_as_integers():
    rng = np.random.default_rng(4)
    counts = rng.poisson(2, (T, 100))
    counts[8:, 44] += 6
    as_int = hs.emerging_hotspots(hand_cube(counts), quiet=True)
    as_float = hs.emerging_hotspots(hand_cube(counts.astype(float)), quiet=True)
    columns = [c for c in as_int.columns if c.startswith("emerging_")]
    pd.testing.assert_frame_equal(as_float[columns], as_int[columns])
    # Gi* and the Mann–Kendall trend are scale-free: weights of 2.5 each change nothing
    scaled = hs.emerging_hotspots(hand_cube(counts * 2.5), quiet=True)
    pd.testing.assert_frame_equal(scaled[columns], as_int[columns], check_exact=False, rtol=1e-9)


def test_harm_weighted_cube_finds_the_harm_hot_spot_counts_miss():
    # the same rate of incidents everywhere, but those in a 3 x 3 block weigh 10
    gen = np.random.default_rng(12)
    side, n_bins = 10, T
    n = gen.poisson(3, (n_bins, side * side))
    cell = np.repeat(np.tile(np.arange(side * side), n_bins), n.ravel())
    week = np.repeat(np.repeat(np.arange(n_bins), side * side), n.ravel())
    row, col = np.divmod(cell, side)
    x = col * 100 + gen.uniform(1, 99, len(cell))
    y = row * 100 + gen.uniform(1, 99, len(cell))
    time = (
        pd.Timestamp("2024-01-01")
        + pd.to_timedelta(week * 7, unit="D")
        + pd.to_timedelta(gen.integers(0, 7 * 24 * 60, len(cell)), unit="min")
    )
    block = np.array([44, 45, 46, 54, 55, 56, 64, 65, 66])
    harm = np.where(np.isin(cell, block), 10.0, 1.0)
    inc = gpd.GeoDataFrame(
        {"time": time, "harm": harm}, geometry=gpd.points_from_xy(x, y), crs="EPSG:27700"
    )
    cells = hand_cube(np.zeros((1, side * side))).cells
    counted = hs.space_time_cube(inc, cells, "W", quiet=True)
    harmed = hs.space_time_cube(inc, cells, "W", incident_weights="harm", quiet=True)
    np.testing.assert_array_equal(harmed.incident_counts, counted.counts)
    by_count = hs.emerging_hotspots(counted, quiet=True)
    by_harm = hs.emerging_hotspots(harmed, quiet=True)
    assert (by_harm.loc[block, "emerging_category"] == "persistent hot spot").mean() >= 7 / 9
    assert by_count.loc[block, "emerging_category"].str.contains("hot spot").sum() <= 1
    record = by_harm.attrs["hotspot"]["emerging_hotspots"]
    assert record["counts"] == "sums of incident_weights (column 'harm')"
    assert record["n_analysed"] == side * side
