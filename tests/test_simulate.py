"""Tests for hotspot.simulate: the planted truth must be statistically recoverable.

Statistical checks use fixed seeds but tolerances of about four standard errors computed from
the model, so they are not tuned to a lucky seed.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

import hotspot.simulate as simulate_module
from hotspot.errors import HotspotInputError
from hotspot.simulate import PROFILES, simulate_incidents

START = pd.Timestamp("2024-01-01")
WEEK = pd.Timedelta(days=7)
DEFAULT_AREA = shapely.box(430_000, 430_000, 440_000, 438_000)
CENTRE = (435_000.0, 434_000.0)
COLUMNS = ["time", "category", "truth_source", "truth_hotspot", "truth_parent", "geometry"]


def weekly_bin(gdf: pd.DataFrame) -> np.ndarray:
    return ((gdf["time"] - START) // WEEK).to_numpy()


def one_hotspot(profile: str, rate: float = 10.0, radius: float = 250.0, **extra) -> list[dict]:
    return [
        {
            "x": CENTRE[0],
            "y": CENTRE[1],
            "radius": radius,
            "profile": profile,
            "rate": rate,
            **extra,
        }
    ]


@pytest.fixture(scope="module")
def default_run():
    return simulate_incidents(rng=0)


@pytest.fixture(scope="module")
def near_repeat_run():
    nr = {"rate": 0.3, "distance": 100.0, "time": 7.0}
    return simulate_incidents(n_background=4000, hotspots=[], near_repeat=nr, rng=11)


# ----------------------------------------------------------------------------- structure


def test_columns_dtypes_index_and_order(default_run):
    gdf, truth = default_run
    assert list(gdf.columns) == COLUMNS
    assert gdf["time"].dtype == np.dtype("datetime64[ns]")
    assert gdf["time"].dt.tz is None
    assert pd.api.types.is_string_dtype(gdf["category"])
    assert pd.api.types.is_string_dtype(gdf["truth_source"])
    assert gdf["truth_hotspot"].dtype == np.int64
    assert gdf["truth_parent"].dtype == np.int64
    assert isinstance(gdf.index, pd.RangeIndex) and gdf.index[0] == 0
    assert gdf["time"].is_monotonic_increasing
    assert gdf.crs.to_epsg() == 27700
    assert (gdf.geom_type == "Point").all()
    assert set(gdf["truth_source"]) == {"background", "hotspot"}  # no near_repeat
    assert (gdf["truth_parent"] == -1).all()
    bg = gdf["truth_source"] == "background"
    assert (gdf.loc[bg, "category"] == "background").all()
    assert (gdf.loc[bg, "truth_hotspot"] == -1).all()
    assert (gdf.loc[~bg, "category"] == "burglary").all()


def test_truth_table_default(default_run):
    gdf, truth = default_run
    assert list(truth.columns[:8]) == [
        "hotspot_id",
        "profile",
        "x",
        "y",
        "radius",
        "rate",
        "category",
        "n_incidents",
    ]
    assert "multiplier" in truth.columns
    assert truth["profile"].tolist() == list(PROFILES)
    assert truth["hotspot_id"].tolist() == list(range(6))
    assert all(len(m) == 52 for m in truth["multiplier"])
    assert all(shapely.contains_xy(DEFAULT_AREA, truth["x"], truth["y"]))
    # well separated: centres at least 8 sigma apart
    xy = truth[["x", "y"]].to_numpy()
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    sig = truth["radius"].to_numpy()
    np.fill_diagonal(d, np.inf)
    assert (d / np.maximum.outer(sig, sig) >= 5).all()
    realised = gdf[gdf["truth_source"] == "hotspot"].groupby("truth_hotspot").size()
    for row in truth.itertuples():
        assert row.n_incidents == realised.get(row.hotspot_id, 0)
    assert truth.loc[truth["profile"] == "cold", "n_incidents"].item() == 0


def test_attrs_record_parameters_and_counts(default_run):
    gdf, _ = default_run
    sim = gdf.attrs["hotspot"]["simulation"]
    assert sim["seed"] == 0
    assert sim["n_background"] == 2000 and sim["periods"] == 52 and sim["freq"] == "W"
    assert sim["crs"].endswith("27700")
    assert shapely.from_wkt(sim["study_area"]).equals(DEFAULT_AREA)
    assert len(sim["hotspots"]) == 6 and len(sim["bin_edges"]) == 53
    counts = sim["counts"]
    assert set(counts) == {"background", "hotspot", "offspring"}
    assert sum(counts.values()) == len(gdf)
    assert (
        counts == gdf["truth_source"].value_counts().reindex(list(counts), fill_value=0).to_dict()
    )
    assert counts["background"] == 2000


# ----------------------------------------------------------------------------- rng


def test_same_int_seed_is_identical():
    a, ta = simulate_incidents(rng=3, near_repeat={"rate": 0.2})
    b, tb = simulate_incidents(rng=3, near_repeat={"rate": 0.2})
    assert a.equals(b)
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    pd.testing.assert_frame_equal(ta.drop(columns="multiplier"), tb.drop(columns="multiplier"))
    for ma, mb in zip(ta["multiplier"], tb["multiplier"], strict=True):
        np.testing.assert_array_equal(ma, mb)


def test_same_generator_seed_is_identical_and_matches_int():
    a, _ = simulate_incidents(rng=np.random.default_rng(5), near_repeat={"rate": 0.2})
    b, _ = simulate_incidents(rng=np.random.default_rng(5), near_repeat={"rate": 0.2})
    c, _ = simulate_incidents(rng=5, near_repeat={"rate": 0.2})
    assert a.equals(b) and a.equals(c)
    assert a.attrs["hotspot"]["simulation"]["seed"] is None


def test_different_seeds_differ():
    a, _ = simulate_incidents(rng=1)
    b, _ = simulate_incidents(rng=2)
    assert not a.equals(b)
    assert not np.array_equal(a.geometry.x.to_numpy()[:50], b.geometry.x.to_numpy()[:50])


def test_global_numpy_state_untouched_and_none_seed_recorded():
    # The legacy global state is exactly what must stay untouched.
    np.random.seed(1234)  # noqa: NPY002
    before = np.random.get_state()  # noqa: NPY002
    a, _ = simulate_incidents(rng=None, n_background=200, periods=5)
    after = np.random.get_state()  # noqa: NPY002
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]
    seed = a.attrs["hotspot"]["simulation"]["seed"]
    assert isinstance(seed, int)
    b, _ = simulate_incidents(rng=seed, n_background=200, periods=5)
    assert a.equals(b)


# ----------------------------------------------------------------------------- space and time


def test_points_inside_study_area_and_times_inside_period(default_run):
    gdf, _ = default_run
    assert shapely.contains_xy(DEFAULT_AREA, gdf.geometry.x, gdf.geometry.y).all()
    assert gdf["time"].min() >= START
    assert gdf["time"].max() < START + 52 * WEEK
    assert (gdf["time"].dt.nanosecond == 0).all() and (gdf["time"].dt.microsecond == 0).all()


def test_non_rectangular_area_with_hotspot_near_edge_and_offspring():
    # An L-shaped area; hotspot and offspring draws falling outside must be redrawn.
    area = shapely.Polygon([(0, 0), (4000, 0), (4000, 1000), (1000, 1000), (1000, 4000), (0, 4000)])
    hs = [{"x": 500.0, "y": 500.0, "radius": 400.0, "profile": "persistent", "rate": 10}]
    gdf, truth = simulate_incidents(
        n_background=1500,
        hotspots=hs,
        study_area=area,
        periods=20,
        freq="D",
        near_repeat={"rate": 0.5, "distance": 300.0, "time": 1.0},
        rng=4,
    )
    assert shapely.contains_xy(area, gdf.geometry.x, gdf.geometry.y).all()
    assert gdf["time"].min() >= START and gdf["time"].max() < START + pd.Timedelta(days=20)
    assert (gdf["truth_source"] == "offspring").sum() > 500
    assert gdf.attrs["hotspot"]["simulation"]["offspring_placed_at_parent"] == 0


def test_default_hotspots_follow_a_custom_study_area():
    area = shapely.box(0, 0, 5000, 4000)
    gdf, truth = simulate_incidents(study_area=area, n_background=300, periods=8, rng=2)
    assert shapely.contains_xy(area, truth["x"], truth["y"]).all()
    assert truth["radius"].iloc[0] == pytest.approx(250.0 * 4000 / 8000)
    assert shapely.contains_xy(area, gdf.geometry.x, gdf.geometry.y).all()


@pytest.mark.parametrize(
    ("freq", "end"),
    [
        ("D", START + pd.Timedelta(days=12)),
        ("2W", START + pd.Timedelta(days=14 * 12)),
        ("W-MON", START + pd.Timedelta(days=7 * 12)),
        ("h", START + pd.Timedelta(hours=12)),
        ("MS", pd.Timestamp("2025-01-01")),
    ],
)
def test_bins_start_at_start_for_each_freq(freq, end):
    gdf, truth = simulate_incidents(n_background=600, periods=12, freq=freq, rng=8)
    edges = pd.to_datetime(gdf.attrs["hotspot"]["simulation"]["bin_edges"])
    assert edges[0] == START and edges[-1] == end and len(edges) == 13
    assert gdf["time"].min() >= START and gdf["time"].max() < end
    # background is uniform over bins: every bin gets some of the 600 points
    bins = np.searchsorted(edges.to_numpy(), gdf["time"].to_numpy(), side="right") - 1
    assert set(bins) == set(range(12))


def test_background_gradient_matches_documented_intensity():
    gdf, _ = simulate_incidents(n_background=20_000, hotspots=[], periods=4, rng=21)
    x = gdf.geometry.x.to_numpy()
    east = np.mean(x >= 435_000)
    # g = 1 + 0.5 (u + v): mean 1.625 on the east half, 1.375 on the west half
    expected = 1.625 / (1.625 + 1.375)
    se = math.sqrt(expected * (1 - expected) / len(x))
    assert abs(east - expected) < 4 * se


# ----------------------------------------------------------------------------- hotspots


def test_hotspot_points_follow_a_2d_gaussian():
    gdf, truth = simulate_incidents(
        n_background=0, hotspots=one_hotspot("persistent", rate=25.0, radius=300.0), rng=12
    )
    pts = gdf[gdf["truth_source"] == "hotspot"]
    n = len(pts)
    expected_n = 25.0 * 52
    assert abs(n - expected_n) < 4 * math.sqrt(expected_n)
    r = np.hypot(pts.geometry.x - CENTRE[0], pts.geometry.y - CENTRE[1]).to_numpy() / 300.0
    for k in (1.0, 2.0):
        p = 1 - math.exp(-(k**2) / 2)  # Rayleigh CDF: 39.3 % within 1 sigma, 86.5 % within 2
        se = math.sqrt(p * (1 - p) / n)
        assert abs(np.mean(r < k) - p) < 4 * se
    # centre recovered to within sampling error
    assert abs(pts.geometry.x.mean() - CENTRE[0]) < 4 * 300 / math.sqrt(n)
    assert abs(pts.geometry.y.mean() - CENTRE[1]) < 4 * 300 / math.sqrt(n)


def test_new_profile_is_off_before_onset():
    gdf, truth = simulate_incidents(n_background=500, hotspots=one_hotspot("new"), rng=13)
    m = truth["multiplier"].iloc[0]
    np.testing.assert_array_equal(m, [0.0] * 49 + [1.0] * 3)
    b = weekly_bin(gdf[gdf["truth_source"] == "hotspot"])
    assert len(b) > 0 and b.min() >= 49
    assert truth["n_incidents"].iloc[0] == len(b)
    # an explicit onset
    gdf2, truth2 = simulate_incidents(n_background=0, hotspots=one_hotspot("new", onset=40), rng=13)
    b2 = weekly_bin(gdf2)
    assert b2.min() >= 40 and set(range(40, 52)) <= set(b2)


@pytest.mark.parametrize(("profile", "sign"), [("intensifying", 1), ("diminishing", -1)])
def test_trend_profiles_visible_in_per_bin_counts(profile, sign):
    gdf, truth = simulate_incidents(n_background=0, hotspots=one_hotspot(profile), rng=14)
    m = truth["multiplier"].iloc[0]
    assert (m > 0).all() and np.all(sign * np.diff(m) > 0)
    assert m.min() == pytest.approx(0.1) and m.max() == pytest.approx(1.0)
    counts = np.bincount(weekly_bin(gdf), minlength=52)
    rho, p = stats.spearmanr(np.arange(52), counts)
    assert sign * rho > 0.5 and p < 1e-4
    expected = 10.0 * m.sum()
    assert abs(counts.sum() - expected) < 4 * math.sqrt(expected)


def test_sporadic_profile_isolated_bins_including_last():
    gdf, truth = simulate_incidents(n_background=0, hotspots=one_hotspot("sporadic"), rng=15)
    m = truth["multiplier"].iloc[0]
    on = np.flatnonzero(m)
    assert set(np.unique(m)) == {0.0, 1.0}
    assert on[-1] == 51 and len(on) == max(1, round(52 / 8))
    assert np.all(np.diff(on) >= 2)  # isolated
    b = weekly_bin(gdf)
    assert set(b) <= set(on)
    assert (b == 51).sum() > 0
    # different seeds choose different bins
    _, truth2 = simulate_incidents(n_background=0, hotspots=one_hotspot("sporadic"), rng=16)
    assert not np.array_equal(m, truth2["multiplier"].iloc[0])


def test_cold_spot_suppresses_background():
    sigma, depth = 500.0, 0.1
    hs = [{"x": CENTRE[0], "y": CENTRE[1], "radius": sigma, "profile": "cold"}]
    gdf, truth = simulate_incidents(n_background=40_000, hotspots=hs, periods=4, rng=17)
    assert len(gdf) == 40_000 and truth["n_incidents"].item() == 0
    assert truth["depth"].item() == depth
    np.testing.assert_array_equal(truth["multiplier"].item(), np.full(4, depth))
    r = np.hypot(gdf.geometry.x - CENTRE[0], gdf.geometry.y - CENTRE[1]).to_numpy()
    a, b = 3 * sigma, 5 * sigma
    n_in = np.sum(r < sigma)
    n_ring = np.sum((r >= a) & (r < b))
    ratio = (n_in / (math.pi * sigma**2)) / (n_ring / (math.pi * (b**2 - a**2)))

    # Documented suppression 1 - (1 - depth) exp(-r^2 / 2 sigma^2), averaged over each region
    # (the linear gradient averages out over both, which are centred on the same point).
    def mean_kernel(lo, hi):
        return (
            2
            * sigma**2
            * (math.exp(-(lo**2) / (2 * sigma**2)) - math.exp(-(hi**2) / (2 * sigma**2)))
            / (hi**2 - lo**2)
        )

    expected = (1 - (1 - depth) * mean_kernel(0, sigma)) / (1 - (1 - depth) * mean_kernel(a, b))
    assert expected == pytest.approx(0.29, abs=0.01)
    assert ratio < 0.5  # a clear deficit, not just noise
    assert abs(ratio - expected) < 4 * expected / math.sqrt(n_in) + 0.02


def test_hotspots_as_dataframe_and_categories():
    hs = [
        {
            "x": 432_000,
            "y": 432_000,
            "radius": 200,
            "profile": "persistent",
            "rate": 3,
            "category": "robbery",
        },
        {"x": 438_000, "y": 436_000, "radius": 200, "profile": "new", "rate": 5, "onset": 8},
        {"x": 435_000, "y": 434_000, "radius": 600, "profile": "cold", "depth": 0.2},
    ]
    a, ta = simulate_incidents(n_background=300, hotspots=hs, periods=10, rng=9)
    b, tb = simulate_incidents(n_background=300, hotspots=pd.DataFrame(hs), periods=10, rng=9)
    assert a.equals(b)
    assert ta["category"].tolist() == ["robbery", "burglary", "burglary"]
    assert set(a.loc[a["truth_hotspot"] == 0, "category"]) == {"robbery"}
    assert ta["depth"].iloc[2] == 0.2 and np.isnan(ta["depth"].iloc[0])


def test_no_hotspots_and_no_background_gives_empty_frames():
    gdf, truth = simulate_incidents(n_background=0, hotspots=[], near_repeat={"rate": 0.5}, rng=0)
    assert len(gdf) == 0 and list(gdf.columns) == COLUMNS
    assert gdf["time"].dtype == np.dtype("datetime64[ns]")
    assert len(truth) == 0 and "multiplier" in truth.columns


def test_single_period():
    gdf, truth = simulate_incidents(n_background=50, periods=1, rng=1)
    assert all(len(m) == 1 for m in truth["multiplier"])
    assert gdf["time"].max() < START + WEEK


# ----------------------------------------------------------------------------- near repeats


def test_near_repeat_structure(near_repeat_run):
    gdf, _ = near_repeat_run
    off = gdf[gdf["truth_source"] == "offspring"]
    assert len(off) > 0
    assert (gdf.loc[gdf["truth_source"] != "offspring", "truth_parent"] == -1).all()
    par = off["truth_parent"].to_numpy()
    assert (par >= 0).all() and (par < off.index.to_numpy()).all()
    assert (gdf["time"].to_numpy()[par] <= off["time"].to_numpy()).all()
    assert (gdf["category"].to_numpy()[par] == off["category"].to_numpy()).all()
    assert (gdf["truth_hotspot"].to_numpy()[par] == off["truth_hotspot"].to_numpy()).all()
    # a branching process: offspring have offspring too
    assert (gdf["truth_source"].to_numpy()[par] == "offspring").any()
    sim = gdf.attrs["hotspot"]["simulation"]
    assert sim["offspring_dropped_late"] > 0
    assert sim["counts"]["offspring"] == len(off)
    assert sim["near_repeat"] == {"rate": 0.3, "distance": 100.0, "time": 7.0}


def test_near_repeat_scales_match(near_repeat_run):
    gdf, _ = near_repeat_run
    d_scale, t_scale, rate = 100.0, 7.0, 0.3
    end = START + 52 * WEEK
    # Parents well before the end (no truncation of delays) and well inside the area (no
    # redrawn displacements): the raw model applies.
    ok_parent = (gdf["time"] < end - pd.Timedelta(days=10 * t_scale)).to_numpy()
    ok_parent = ok_parent & (gdf.geometry.distance(DEFAULT_AREA.exterior) > 6 * d_scale).to_numpy()

    off = gdf[gdf["truth_source"] == "offspring"]
    par = off["truth_parent"].to_numpy()
    use = ok_parent[par]
    dist = shapely.distance(off.geometry.to_numpy()[use], gdf.geometry.to_numpy()[par[use]])
    delay = (off["time"].to_numpy()[use] - gdf["time"].to_numpy()[par[use]]) / np.timedelta64(
        1, "D"
    )
    n = use.sum()
    assert n > 500
    # Gaussian displacement with sigma d per axis: Rayleigh distance, mean d sqrt(pi/2)
    mean_d = d_scale * math.sqrt(math.pi / 2)
    sd_d = d_scale * math.sqrt((4 - math.pi) / 2)
    assert abs(dist.mean() - mean_d) < 4 * sd_d / math.sqrt(n)
    # Exponential delay with mean t: sd t (times are floored to seconds: negligible)
    assert abs(delay.mean() - t_scale) < 4 * t_scale / math.sqrt(n)
    # Poisson(rate) children per event
    children = np.bincount(par, minlength=len(gdf))[ok_parent]
    assert abs(children.mean() - rate) < 4 * math.sqrt(rate / len(children))
    assert children.var() == pytest.approx(rate, rel=0.25)


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_background": -1}, "n_background=-1 is below 0"),
        ({"periods": 0}, "periods=0 is below 1"),
        (
            {"hotspots": [{"x": 435e3, "y": 434e3, "radius": 200, "profile": "hot", "rate": 1}]},
            r"not a known profile.*'persistent', 'new', 'intensifying', 'diminishing', "
            r"'sporadic', 'cold'",
        ),
        (
            {"hotspots": [{"x": 1.0, "y": 2.0, "radius": 200, "profile": "new", "rate": 1}]},
            "outside the study area.*move the centre inside",
        ),
        ({"study_area": shapely.Polygon([(0, 0), (9e3, 0), (0, 8e3)])}, "pass hotspots explicitly"),
        (
            {"hotspots": [{"x": 435e3, "y": 434e3, "radius": 0, "profile": "new", "rate": 1}]},
            "radius.*must be > 0",
        ),
        (
            {"hotspots": [{"x": 435e3, "y": 434e3, "radius": 9, "profile": "new", "rate": -1}]},
            "rate.*negative",
        ),
        (
            {"hotspots": [{"x": 435e3, "y": 434e3, "radius": 9, "profile": "new"}]},
            r"missing \['rate'\]",
        ),
        (
            {
                "hotspots": [
                    {"x": 435e3, "y": 434e3, "radius": 9, "profile": "new", "rate": 1, "sigma": 3}
                ]
            },
            r"unknown keys \['sigma'\]",
        ),
        (
            {
                "hotspots": [
                    {
                        "x": 435e3,
                        "y": 434e3,
                        "radius": 9,
                        "profile": "persistent",
                        "rate": 1,
                        "onset": 3,
                    }
                ]
            },
            "'onset' only applies to profile 'new'",
        ),
        (
            {
                "hotspots": [
                    {"x": 435e3, "y": 434e3, "radius": 9, "profile": "new", "rate": 1, "onset": 60}
                ]
            },
            "outside the bins",
        ),
        (
            {"hotspots": [{"x": 435e3, "y": 434e3, "radius": 9, "profile": "cold", "depth": 1.5}]},
            r"outside \[0, 1\]",
        ),
        ({"near_repeat": {"rate": 1.0}}, "explosive branching.*pass rate < 1"),
        ({"near_repeat": {"rate": 1.5, "distance": 100.0, "time": 7.0}}, "explosive"),
        ({"near_repeat": {"rate": -0.1}}, "negative"),
        ({"near_repeat": {"rate": 0.3, "distance": 0}}, r"distance'\]=0.0 must be > 0"),
        ({"near_repeat": {"rate": 0.3, "time": -2}}, r"time'\]=-2.0 must be > 0"),
        ({"near_repeat": {"rate": 0.3, "space": 5}}, "unknown keys"),
        ({"crs": "EPSG:4326"}, "not a projected CRS"),
        ({"crs": "EPSG:nonsense"}, "not a CRS"),
        ({"freq": "B"}, "no fixed bin length"),
        ({"freq": "fortnightly"}, "not a pandas frequency"),
        ({"start": "not a date"}, "not a date"),
        ({"start": pd.Timestamp("2024-01-01", tz="UTC")}, "timezone-aware"),
        ({"rng": -3}, "negative seed"),
        ({"study_area": shapely.Polygon()}, "empty, invalid"),
    ],
)
def test_bad_values_raise_hotspot_input_error(kwargs, match):
    with pytest.raises(HotspotInputError, match=match):
        simulate_incidents(**kwargs)


def test_hotspot_input_error_is_value_error():
    with pytest.raises(ValueError, match="periods"):
        simulate_incidents(periods=-5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_background": 10.0}, "n_background must be an int"),
        ({"n_background": True}, "n_background must be an int"),
        ({"periods": "52"}, "periods must be an int"),
        ({"rng": "seed"}, "rng must be None, an int seed or a numpy.random.Generator"),
        ({"rng": 1.5}, "rng must be None"),
        ({"hotspots": "persistent"}, "hotspots must be None, a list of dicts or a DataFrame"),
        ({"hotspots": [("x", 1)]}, r"hotspots\[0\] must be a dict"),
        (
            {"hotspots": [{"x": "435000", "y": 434e3, "radius": 9, "profile": "new", "rate": 1}]},
            r"\['x'\] must be a number",
        ),
        (
            {"hotspots": [{"x": 435e3, "y": 434e3, "radius": 9, "profile": 3, "rate": 1}]},
            "profile'] must be a string",
        ),
        ({"study_area": (0, 0, 10, 10)}, "study_area must be a shapely Polygon"),
        ({"near_repeat": 0.3}, "near_repeat must be None or a dict"),
        ({"near_repeat": {"rate": "0.3"}}, "must be a number"),
        ({"start": 20240101}, "start must be a date string"),
        ({"freq": 7}, "freq must be a pandas frequency string"),
    ],
)
def test_wrong_types_raise_type_error(kwargs, match):
    with pytest.raises(TypeError, match=match):
        simulate_incidents(**kwargs)


def test_docstring_examples_run():
    result = doctest.testmod(simulate_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
