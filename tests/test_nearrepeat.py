"""Knox test and near-repeat chains: output contract, hand toys, boundaries, references."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import T0, make_incidents
from scipy.spatial.distance import pdist

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.simulate import simulate_incidents
from hotspot.spacetime.nearrepeat import (
    KnoxResult,
    knox_test,
    near_repeat_chain_ids,
    near_repeat_chains,
)


@pytest.fixture(scope="module")
def burkitt():
    return hs.datasets.load_burkitt()


# ------------------------------------------------------------------ contract


def test_output_contract(burkitt):
    res = knox_test(
        burkitt, distance_bands=(0, 10000, 20000), time_bands=(0, 5, 10), permutations=49, rng=0
    )
    assert isinstance(res, KnoxResult)
    rows = ["same location", "over 0 to 10000 m", "over 10000 to 20000 m", "over 20000 m"]
    cols = ["0 to 5 days", "over 5 to 10 days", "over 10 days"]
    for name in ("statistic", "observed", "expected", "ratio", "pvalue", "z"):
        frame = getattr(res, name)
        assert list(frame.index) == rows and list(frame.columns) == cols, name
    assert res.observed is res.statistic  # the Near Repeat Calculator's name, kept
    assert res.alternative == "greater" and res.permutations == 49
    assert res.params["method"] == "knox_test" and res.params["rng_seed"] == 0
    assert res.params["period"]["label"] and res.method == "knox_test"
    n = len(burkitt)
    assert res.observed.to_numpy().sum() == n * (n - 1) // 2
    assert res.observed.dtypes.map(pd.api.types.is_integer_dtype).all()
    assert res.null_distribution.shape == (49, 4, 3)
    # every permutation keeps the column totals (times are only shuffled)
    np.testing.assert_array_equal(
        res.null_distribution.sum(axis=1), np.broadcast_to(res.observed.sum(axis=0), (49, 3))
    )
    p = res.pvalue.to_numpy()
    assert ((p > 0) & (p <= 1)).all() and (p >= 1 / 50).all()
    ok = res.expected.to_numpy() > 0
    np.testing.assert_allclose(
        res.ratio.to_numpy()[ok], (res.observed / res.expected).to_numpy()[ok]
    )
    assert res.ratio.to_numpy()[~ok].size == 0 or np.isnan(res.ratio.to_numpy()[~ok]).all()
    assert res.params["permutations"] == 49 and res.params["same_location"] is True
    with pytest.raises(AttributeError):
        res.statistic = None  # frozen
    z = res.z.to_numpy()
    sd = res.null_distribution.std(axis=0, ddof=1)
    ok = sd > 0
    np.testing.assert_allclose(
        z[ok], ((res.statistic.to_numpy() - res.expected.to_numpy()) / np.where(ok, sd, 1))[ok]
    )


def test_zscore_is_the_deprecated_name_of_z(burkitt):
    res = knox_test(burkitt, distance_bands=(0, 20000), time_bands=(0, 5), permutations=19, rng=0)
    with pytest.warns(FutureWarning, match=r"KnoxResult.zscore is now KnoxResult.z"):
        old = res.zscore
    pd.testing.assert_frame_equal(old, res.z)


def test_no_permutations_gives_observed_only(burkitt):
    res = knox_test(burkitt, permutations=0)
    assert res.expected.isna().all().all() and res.pvalue.isna().all().all()
    assert res.null_distribution.shape[0] == 0


def test_input_not_modified(burkitt):
    before = burkitt.copy()
    attrs_before = repr(burkitt.attrs)
    knox_test(burkitt, permutations=9, rng=0)
    near_repeat_chains(burkitt, 20000, 5)
    pd.testing.assert_frame_equal(burkitt, before)
    assert repr(burkitt.attrs) == attrs_before


# ------------------------------------------------------------------ references


def test_burkitt_matches_pointpats(burkitt):
    """Published: 13 close pairs within 20 km and 5 days, expected 10.1438 (pointpats Knox)."""
    from pointpats.spacetime import Knox

    res = knox_test(
        burkitt,
        distance_bands=(0, 20000),
        time_bands=(0, 5),
        same_location=False,
        permutations=4999,
        rng=20261127,
    )
    assert res.observed.iloc[0, 0] == 13
    raw = pd.DataFrame({"X": burkitt["X"], "Y": burkitt["Y"], "T": burkitt["T"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = Knox(raw[["X", "Y"]], raw[["T"]], delta=20, tau=5, permutations=0)
    assert peer.statistic_ == 13
    np.testing.assert_array_equal(res.observed.to_numpy(), peer.observed)
    # the Monte-Carlo mean agrees with the exact permutation mean within 4 standard errors
    se = res.null_distribution.std(axis=0, ddof=1) / np.sqrt(4999)
    assert abs(res.expected.iloc[0, 0] - 10.1438161) < 4 * se[0, 0]
    np.testing.assert_array_less(np.abs(res.expected.to_numpy() - peer.expected), 4 * se + 1e-9)
    # one-sided permutation p-value near pointpats' Poisson p (0.146) and its p_sim (0.21, 99 perms)
    assert 0.1 < res.pvalue.iloc[0, 0] < 0.3


def brute_force(x, y, days, d_edges, t_edges, same_location):
    """O(n^2) count with explicit comparisons (independent of the implementation)."""
    d = pdist(np.column_stack([x, y]))
    dt = pdist(np.asarray(days, dtype=float)[:, None], "cityblock")
    rows = []
    if same_location:
        rows.append(d == 0)
    for k in range(len(d_edges) - 1):
        lo_ok = (d > d_edges[k]) if (k > 0 or same_location) else (d >= 0)
        rows.append(lo_ok & (d <= d_edges[k + 1]))
    rows.append(d > d_edges[-1])
    cols = [
        (dt > (t_edges[k] if k else -1)) & (dt <= t_edges[k + 1]) for k in range(len(t_edges) - 1)
    ]
    cols.append(dt > t_edges[-1])
    return np.array([[int((r & c).sum()) for c in cols] for r in rows])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_observed_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 400))
    # integer coordinates and whole days: many pairs sit exactly on band edges, and repeats
    x = rng.integers(0, 60, n) * 10.0
    y = rng.integers(0, 40, n) * 10.0
    days = rng.integers(0, 90, n)
    d_edges = np.r_[0, np.sort(rng.choice(np.arange(1, 40) * 10.0, rng.integers(1, 5), False))]
    t_edges = np.r_[0, np.sort(rng.choice(np.arange(1, 60), rng.integers(1, 5), False))]
    same = bool(seed % 2)
    res = knox_test(
        make_incidents(x, y, days),
        distance_bands=d_edges,
        time_bands=t_edges,
        same_location=same,
        permutations=0,
    )
    np.testing.assert_array_equal(
        res.observed.to_numpy(), brute_force(x, y, days, d_edges, t_edges, same)
    )


@pytest.mark.parametrize(
    ("dx", "dy", "dt", "row", "col"),
    [
        (100.0, 0.0, 3.0, "over 0 to 100 m", "0 to 7 days"),
        (60.0, 80.0, 7.0, "over 0 to 100 m", "0 to 7 days"),  # exactly 100 m and 7 days
        (100.001, 0.0, 7.0 + 1 / 86400, "over 100 to 200 m", "over 7 to 14 days"),
        (0.0, 0.0, 0.0, "same location", "0 to 7 days"),
        (0.0, 0.0, 14.0, "same location", "over 7 to 14 days"),
        (120.0, 160.0, 14.0 + 1e-3 / 86400, "over 100 to 200 m", "over 14 days"),
        (200.0001, 0.0, 1.0, "over 200 m", "0 to 7 days"),
    ],
)
def test_boundaries_are_inclusive_above(dx, dy, dt, row, col):
    inc = make_incidents([500.0, 500.0 + dx], [300.0, 300.0 + dy], [2.5, 2.5 + dt])
    res = knox_test(inc, distance_bands=(0, 100, 200), time_bands=(0, 7, 14), permutations=0)
    assert res.observed.loc[row, col] == 1
    assert res.observed.to_numpy().sum() == 1
    # and in reverse order of time
    rev = knox_test(
        inc.iloc[::-1], distance_bands=(0, 100, 200), time_bands=(0, 7, 14), permutations=0
    )
    assert rev.observed.loc[row, col] == 1


def test_same_location_false_puts_zero_distance_in_first_band():
    inc = make_incidents([0.0, 0.0, 50.0], [0.0, 0.0, 0.0], [0, 0, 10])
    res = knox_test(
        inc, distance_bands=(0, 100), time_bands=(0, 7), same_location=False, permutations=0
    )
    assert list(res.observed.index) == ["0 to 100 m", "over 100 m"]
    np.testing.assert_array_equal(res.observed.to_numpy(), [[1, 2], [0, 0]])


def test_reproducible_with_rng(burkitt):
    kw = {"distance_bands": (0, 10000, 20000), "time_bands": (0, 10, 20), "permutations": 99}
    a = knox_test(burkitt, rng=7, **kw)
    b = knox_test(burkitt, rng=np.random.default_rng(7), **kw)
    c = knox_test(burkitt, rng=8, **kw)
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    pd.testing.assert_frame_equal(a.pvalue, b.pvalue)
    assert not np.array_equal(a.null_distribution, c.null_distribution)
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    knox_test(burkitt, rng=1, **kw)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_simulated_near_repeats_are_found():
    inc, _ = simulate_incidents(
        n_background=1500,
        hotspots=[],
        periods=52,
        freq="W",
        near_repeat={"rate": 0.3, "distance": 100.0, "time": 7.0},
        rng=3,
    )
    res = knox_test(
        inc,
        distance_bands=(0, 100, 200, 500, 1000, 2000),
        time_bands=(0, 7, 14, 60, 120),
        same_location=False,
        permutations=199,
        rng=0,
    )
    near = (slice("0 to 100 m", "over 100 to 200 m"), ["0 to 7 days", "over 7 to 14 days"])
    assert (res.ratio.loc[near] > 1).all().all()
    assert (res.pvalue.loc[near] < 0.05).all().all()
    far = res.pvalue.loc[
        ["over 500 to 1000 m", "over 1000 to 2000 m", "over 2000 m"],
        ["over 14 to 60 days", "over 60 to 120 days", "over 120 days"],
    ]
    assert (far >= 0.05).to_numpy().mean() >= 0.75


def test_nrc_table(burkitt):
    res = knox_test(
        burkitt, distance_bands=(0, 20000), time_bands=(0, 5, 10), permutations=99, rng=0
    )
    exact = res.nrc_table()
    assert list(exact.index) == ["same location", "over 0 to 20000 m", "over 20000 m"]
    nrc = res.nrc_table(labels="nrc")
    assert list(nrc.index) == ["Same location", "1 to 20000 m", "More than 20000 m"]
    assert list(nrc.columns) == ["0 to 5 days", "6 to 10 days", "More than 10 days"]
    cell = nrc.iloc[1, 0]
    assert cell.startswith(f"{res.ratio.iloc[1, 0]:.2f}")
    p = res.pvalue.iloc[1, 0]
    assert cell.endswith("**") == (p < 0.01) and cell.endswith("*") == (p < 0.05)
    assert nrc.iloc[0, 1] == "-" or nrc.iloc[0, 1][0].isdigit()
    with pytest.raises(
        HotspotInputError, match="nrc_table: labels='NRC' is not one of 'exact', 'nrc'"
    ):
        res.nrc_table(labels="NRC")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"distance_bands": (100, 200)}, HotspotInputError, "start at 0"),
        ({"distance_bands": (0, 200, 100)}, HotspotInputError, "strictly increase"),
        ({"distance_bands": ("a", "b")}, HotspotInputError, "distance_bands=.* sequence of"),
        ({"time_bands": (0,)}, HotspotInputError, "knox_test: time_bands=.* at least two edges"),
        ({"time_bands": (0, np.inf)}, HotspotInputError, "finite"),
        ({"permutations": -1}, HotspotInputError, "knox_test: permutations=-1 must be at least"),
        ({"permutations": 9.5}, HotspotInputError, "permutations=9.5 must be a whole number"),
        ({"rng": "seed"}, HotspotInputError, "knox_test: rng='seed' must be None"),
        ({"same_location": "yes"}, HotspotInputError, "same_location='yes' must be True or"),
        ({"metric": "network"}, HotspotInputError, "metric='network' is not one of"),
    ],
)
def test_bad_arguments(burkitt, kwargs, error, match):
    with pytest.raises(error, match=match):
        knox_test(burkitt, **kwargs)


def test_bad_incidents(burkitt):
    with pytest.raises(HotspotInputError, match="GeoDataFrame"):
        knox_test(pd.DataFrame(burkitt))
    with pytest.raises(HotspotInputError, match="datetime 'time' column"):
        knox_test(burkitt.drop(columns="time"))
    missing = burkitt.copy()
    missing.loc[missing.index[0], "time"] = pd.NaT
    with pytest.raises(HotspotInputError, match="1 incidents have no time"):
        knox_test(missing)
    with pytest.raises(HotspotInputError, match="at least 2 incidents"):
        knox_test(burkitt.iloc[:1])
    with pytest.raises(HotspotInputError, match="projected CRS in metres"):
        knox_test(burkitt.set_crs(4326, allow_override=True))


def test_timezone_aware_times():
    inc = make_incidents([0.0, 50.0], [0.0, 0.0], [0.0, 7.0])
    aware = inc.assign(time=inc["time"].dt.tz_localize("America/Toronto"))
    res = knox_test(aware, permutations=0)
    assert res.observed.loc["over 0 to 100 m", "0 to 7 days"] == 1


# ------------------------------------------------------------------ chains


def test_chains_hand_toy():
    # a: 0-1-2 chained (each link <= 100 m and <= 3 days; 0 and 2 are 180 m / 6 days apart)
    # b: 3-4 at one place; 5 near 3 in space but 10 days later; 6 alone
    x = [0.0, 90.0, 180.0, 1000.0, 1000.0, 1000.0, 5000.0]
    y = [0.0, 0.0, 0.0, 0.0, 0.0, 50.0, 0.0]
    days = [10.0, 13.0, 16.0, 1.0, 2.0, 12.0, 0.0]
    idx = pd.Index(list("abcdefg"), name="case")
    inc = make_incidents(x, y, days, index=idx)
    ids = near_repeat_chain_ids(inc, 100, 3)
    assert ids.index.equals(idx) and ids.name == "chain_id"
    # chains numbered by first time: {d, e} starts on day 1, {a, b, c} on day 10
    assert ids.tolist() == [1, 1, 1, 0, 0, -1, -1]

    chains = near_repeat_chains(inc, 100, 3)
    assert list(chains.columns) == [
        "size",
        "first",
        "last",
        "span_days",
        "extent_m",
        "members",
        "geometry",
    ]
    assert chains.index.name == "chain_id" and chains.crs == inc.crs
    assert chains["size"].tolist() == [2, 3]
    assert chains["members"].tolist() == [["d", "e"], ["a", "b", "c"]]
    assert chains["span_days"].tolist() == [1.0, 6.0]
    assert chains["extent_m"].tolist() == [0.0, 180.0]
    assert chains.geometry.iloc[0].equals(shapely.Point(1000, 0))
    assert chains.geometry.iloc[1].geom_type == "LineString"
    assert chains["first"].iloc[1] == T0 + pd.Timedelta(days=10)
    meta = chains.attrs["hotspot"]
    assert meta["kind"] == "chains" and meta["method"] == "near_repeat_chains"
    assert meta["near_repeat_chains"] == {
        "distance": 100.0,
        "days": 3.0,
        "n_incidents": 7,
        "n_chains": 2,
        "n_in_chains": 5,
    }
    assert meta["period"]["start"] == "2024-01-01" and meta["rng_seed"] is None
    # no per-incident Series in attrs (pandas deep-copies attrs): the ids come from the function
    assert not any(isinstance(v, pd.Series) for v in meta.values())


def test_chains_boundaries_inclusive():
    inc = make_incidents([0.0, 100.0], [0.0, 0.0], [0.0, 3.0])
    assert near_repeat_chain_ids(inc, 100, 3).tolist() == [0, 0]
    assert near_repeat_chain_ids(inc, 99.999, 3).tolist() == [-1, -1]
    assert near_repeat_chain_ids(inc, 100, 2.999).tolist() == [-1, -1]
    assert len(near_repeat_chains(inc, 99.999, 3)) == 0


def test_chains_agree_with_knox_close_pairs(burkitt):
    chains = near_repeat_chains(burkitt, 20000, 5)
    # the 13 close pairs of the Knox test share no incident, so they are 13 chains of two
    assert len(chains) == 13 and (chains["size"] == 2).all()
    assert (chains["extent_m"] <= 20000).all() and (chains["span_days"] <= 5).all()


def test_chains_bad_arguments(burkitt):
    with pytest.raises(
        HotspotInputError, match="near_repeat_chains: distance=0 must be a positive"
    ):
        near_repeat_chains(burkitt, 0, 5)
    with pytest.raises(HotspotInputError, match="near_repeat_chain_ids: days=-1 must be"):
        near_repeat_chain_ids(burkitt, 100, -1)
    with pytest.raises(HotspotInputError, match="distance='100' must be a positive number"):
        near_repeat_chains(burkitt, "100", 5)


def test_plot_draws_every_cell_with_its_mark():
    import matplotlib

    matplotlib.use("Agg")
    b = hs.datasets.load_burkitt()
    result = hs.knox_test(
        b, distance_bands=(0, 20000, 40000), time_bands=(0, 5, 10), permutations=19, rng=0
    )
    ax = result.plot()
    texts = [t.get_text() for t in ax.texts]
    assert texts == result.nrc_table(labels="nrc").to_numpy().ravel().tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == list(
        result.nrc_table(labels="nrc").index
    )
    assert ax.get_title() == "Knox ratio (observed / expected, 19 permutations)"


def test_knox_plot_draws_in_the_maps_package():
    import matplotlib
    import matplotlib.pyplot as plt

    from hotspot.maps.knox import knox_plot

    matplotlib.use("Agg")
    result = hs.knox_test(
        hs.datasets.load_burkitt(),
        distance_bands=(0, 20000),
        time_bands=(0, 5, 10),
        permutations=19,
        rng=0,
    )
    _, ax = plt.subplots()
    assert knox_plot(result, ax=ax, labels="exact", title="Burkitt") is ax
    assert [t.get_text() for t in ax.texts] == result.nrc_table().to_numpy().ravel().tolist()
    assert ax.get_title() == "Burkitt"
    assert [t.get_text() for t in result.plot(labels="exact").texts] == [
        t.get_text() for t in ax.texts
    ]
    with pytest.raises(HotspotInputError, match="labels='table'"):
        knox_plot(result, labels="table")
    with pytest.raises(HotspotInputError, match="knox_test"):
        knox_plot(result.ratio)
    plt.close("all")


def test_manhattan_metric_matches_brute_force():
    rng = np.random.default_rng(5)
    n = 300
    xy = rng.integers(0, 2000, (n, 2)).astype(float)
    days = rng.integers(0, 60, n)
    frame = gpd.GeoDataFrame(
        {"time": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs="EPSG:27700",
    )
    result = hs.knox_test(
        frame, distance_bands=(0, 150, 300), time_bands=(0, 7), metric="manhattan", permutations=0
    )
    i, j = np.triu_indices(n, k=1)
    d = np.abs(xy[i] - xy[j]).sum(axis=1)
    dt = np.abs(days[i] - days[j])
    assert result.observed.iloc[0, 0] == int(((d == 0) & (dt <= 7)).sum())
    assert result.observed.iloc[1, 0] == int(((d > 0) & (d <= 150) & (dt <= 7)).sum())
    assert result.observed.iloc[2, 0] == int(((d > 150) & (d <= 300) & (dt <= 7)).sum())
    assert result.params["metric"] == "manhattan"
    with pytest.raises(hs.HotspotInputError, match="knox_test: metric='network' .*'manhattan'"):
        hs.knox_test(frame, metric="network")


# ------------------------------------------------------------------ time windows


def planted_windows(seed=0, n_pairs=30, n_background=150):
    """Pairs at one place: one incident at a point in time, the other found 20 days later after
    a 40-day window centred on the first (its start 20 days before). Background incidents are
    spread over 2 km and a year, a third of them with windows of up to 10 days."""
    gen = np.random.default_rng(seed)
    px, py = gen.uniform(0, 2000, n_pairs), gen.uniform(0, 2000, n_pairs)
    pt = gen.uniform(30, 330, n_pairs)
    bx, by = gen.uniform(0, 2000, n_background), gen.uniform(0, 2000, n_background)
    bt = gen.uniform(0, 365, n_background)
    blen = np.where(gen.random(n_background) < 1 / 3, gen.uniform(0.1, 10, n_background), np.nan)
    x = np.r_[px, px + 5, bx]
    y = np.r_[py, py, by]
    start_days = np.r_[pt, pt - 20, bt]
    length = np.r_[np.full(n_pairs, np.nan), np.full(n_pairs, 40.0), blen]
    inc = make_incidents(x, y, start_days)
    inc["time_start"] = inc["time"]
    inc["time_end"] = inc["time"] + pd.to_timedelta(length, unit="D")  # NaT: a point in time
    midpoint = start_days + np.nan_to_num(length) / 2
    return inc, x, y, start_days, midpoint


def test_knox_midpoint_uses_the_middle_of_each_window():
    inc, x, y, start_days, midpoint = planted_windows()
    d_edges, t_edges = (0, 50, 100), (0, 7, 14, 21)
    kw = {"distance_bands": d_edges, "time_bands": t_edges, "same_location": False}
    by_start = knox_test(inc, permutations=0, **kw)
    by_mid = knox_test(inc, permutations=0, time="midpoint", **kw)
    np.testing.assert_array_equal(
        by_start.observed.to_numpy(), brute_force(x, y, start_days, d_edges, t_edges, False)
    )
    np.testing.assert_array_equal(
        by_mid.observed.to_numpy(), brute_force(x, y, midpoint, d_edges, t_edges, False)
    )
    # the planted pairs: 20 days apart by their starts, together by their midpoints
    assert by_start.observed.iloc[0, 2] >= 30 and by_mid.observed.iloc[0, 0] >= 30
    assert by_start.params["time"] == "start" and by_mid.params["time"] == "midpoint"
    assert by_mid.params["n_windows_at_midpoint"] == int(inc["time_end"].notna().sum())
    assert by_start.params["n_windows_at_midpoint"] == 0


def test_knox_midpoint_finds_the_near_repeats_start_misses():
    inc, *_ = planted_windows(seed=1)
    kw = {"distance_bands": (0, 50), "time_bands": (0, 7), "same_location": False, "rng": 0}
    by_start = knox_test(inc, permutations=199, **kw)
    by_mid = knox_test(inc, permutations=199, time="midpoint", **kw)
    assert by_mid.pvalue.iloc[0, 0] <= 0.01
    assert by_start.pvalue.iloc[0, 0] > 0.05


def test_knox_time_changes_nothing_without_windows(burkitt):
    kw = {"distance_bands": (0, 5000, 20000), "time_bands": (0, 5, 30), "rng": 3}
    start = knox_test(burkitt, permutations=19, **kw)
    mid = knox_test(burkitt, permutations=19, time="midpoint", **kw)
    pd.testing.assert_frame_equal(mid.observed, start.observed)
    np.testing.assert_array_equal(mid.null_distribution, start.null_distribution)
    assert mid.params["n_windows_at_midpoint"] == 0
    # window columns with every end missing are points in time as well
    inc = burkitt.copy()
    inc["time_start"], inc["time_end"] = inc["time"], pd.NaT
    inc["time_end"] = inc["time_end"].astype(inc["time"].dtype)
    pd.testing.assert_frame_equal(
        knox_test(inc, permutations=0, time="midpoint", **kw).observed, start.observed
    )


def test_knox_time_is_checked_and_the_input_unchanged():
    inc, *_ = planted_windows()
    before, attrs = inc.copy(), repr(inc.attrs)
    with pytest.raises(HotspotInputError, match="knox_test: time='end' is not one of 'start'"):
        knox_test(inc, time="end")
    knox_test(inc, time="midpoint", permutations=9, rng=0)
    pd.testing.assert_frame_equal(inc, before)
    assert repr(inc.attrs) == attrs
