"""DBSCAN, ST-DBSCAN and OPTICS on weighted locations, checked against scikit-learn.

References: scikit-learn's ``DBSCAN`` and ``OPTICS`` run in the test on the raw incident rows
(duplicates included, or jittered so that there are none), a brute-force space-time
neighbourhood for ST-DBSCAN, and hand-checkable toys.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN, OPTICS, cluster_optics_dbscan
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import NearestNeighbors

import hotspot as hs
from hotspot.clustering import _dbscan, _optics, _stdbscan
from hotspot.clustering._base import unique_locations
from hotspot.clustering.cluster import cluster_incidents
from hotspot.errors import HotspotInputError

CRS = 32617


# --- helpers -----------------------------------------------------------------------------------


def frame(x, y, time=None) -> gpd.GeoDataFrame:
    """Incidents at (x, y) metres (UTM 17N), with optional times (days after 2020-01-01)."""
    data = {}
    if time is not None:
        data["time"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.asarray(time), unit="D")
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(x, y), crs=CRS)


def xy_of(incidents: gpd.GeoDataFrame) -> np.ndarray:
    return np.column_stack([incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()])


def assert_same_partition(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Identical labels up to renumbering: the same noise, and a one-to-one map of clusters."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours < 0, theirs < 0)
    assert adjusted_rand_score(ours, theirs) == 1.0
    inside = ours >= 0
    pairs = np.unique(np.column_stack([ours[inside], theirs[inside]]), axis=0)
    assert len(np.unique(pairs[:, 0])) == len(pairs)  # each of ours maps to one of theirs
    assert len(np.unique(pairs[:, 1])) == len(pairs)  # and back
    assert len(pairs) == len(np.unique(ours[inside])) == len(np.unique(theirs[inside]))


def assert_locations_not_split(out: gpd.GeoDataFrame, keys: tuple[str, ...] = ()) -> int:
    """Every group of identical coordinates (and ``keys``) has one label; returns the number of
    multi-incident groups checked."""
    table = pd.DataFrame(
        {"x": out.geometry.x, "y": out.geometry.y, "cluster": out["cluster"]}
        | {k: out[k] for k in keys}
    )
    groups = table.groupby(["x", "y", *keys], sort=False)["cluster"]
    sizes = groups.size()
    assert (groups.nunique() == 1).all()
    return int((sizes > 1).sum())


def jittered(incidents: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    """``n`` incidents drawn from ``incidents``, moved by N(0, 5 m) so that none coincide."""
    rng = np.random.default_rng(seed)
    sub = incidents.iloc[np.sort(rng.choice(len(incidents), n, replace=False))]
    xy = xy_of(sub) + rng.normal(0.0, 5.0, (n, 2))
    out = sub.set_geometry(gpd.points_from_xy(xy[:, 0], xy[:, 1], crs=sub.crs))
    assert len(np.unique(xy, axis=0)) == n
    return out


def subset(incidents: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    return incidents.iloc[np.sort(rng.choice(len(incidents), n, replace=False))]


def border_claims(xy: np.ndarray, eps: float, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Per raw point: core or not, and the number of distinct DBSCAN clusters whose core points
    lie within ``eps`` (the clusters that could claim it as a border point)."""
    model = DBSCAN(eps=eps, min_samples=min_samples).fit(xy)
    core = np.zeros(len(xy), dtype=bool)
    core[model.core_sample_indices_] = True
    loc = unique_locations(xy[:, 0], xy[:, 1])
    loc_core = np.zeros(loc.m, dtype=bool)
    loc_core[loc.inverse[core]] = True
    loc_label = np.full(loc.m, -1)
    loc_label[loc.inverse[core]] = model.labels_[core]
    hoods = NearestNeighbors(radius=eps).fit(loc.xy).radius_neighbors(loc.xy, return_distance=False)
    claims = np.array([len(np.unique(loc_label[h][loc_core[h]])) for h in hoods])
    return core, claims[loc.inverse]


# --- DBSCAN: hand-checkable toys ----------------------------------------------------------------


def test_dbscan_seven_points_known_labels():
    # (0,0) has (0,1) and (1,0) within eps = 1: core; they are 1.41 apart, so only border.
    # (11,0) is the core of a second cluster; (20,20) is far from all.
    x = [0.0, 0.0, 1.0, 10.0, 11.0, 12.0, 20.0]
    y = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 20.0]
    out = cluster_incidents(frame(x, y), "dbscan", eps=1.0, min_samples=3, quiet=True)
    assert out["cluster"].tolist() == [0, 0, 0, 1, 1, 1, -1]
    assert out.attrs["hotspot"]["cluster_incidents"]["cluster_info"]["core_incidents"] == {
        0: 1,
        1: 1,
    }
    assert_same_partition(out["cluster"], DBSCAN(eps=1.0, min_samples=3).fit(np.c_[x, y]).labels_)


def test_dbscan_distance_exactly_eps_is_a_neighbour():
    x, y = [0.0, 3.0], [0.0, 4.0]  # 5 m apart
    assert cluster_incidents(frame(x, y), "dbscan", eps=5, min_samples=2, quiet=True)[
        "cluster"
    ].tolist() == [0, 0]
    assert cluster_incidents(frame(x, y), "dbscan", eps=4.999, min_samples=2, quiet=True)[
        "cluster"
    ].tolist() == [-1, -1]


def test_dbscan_location_with_min_samples_incidents_is_core_on_its_own():
    # five incidents at one address, four at another 100 m away (4 < 5), one far away
    x = [0.0] * 5 + [100.0] * 4 + [1000.0]
    out = cluster_incidents(frame(x, np.zeros(10)), "dbscan", eps=1, min_samples=5, quiet=True)
    assert out["cluster"].tolist() == [0] * 5 + [-1] * 5
    assert out.attrs["hotspot"]["cluster_incidents"]["cluster_info"]["core_incidents"] == {0: 5}
    fit = _dbscan.run(np.array(x), np.zeros(10), None, eps=1, min_samples=5)
    assert fit.params["n_locations"] == 3 and fit.params["n_incidents"] == 10
    # a single incident next to the stack reaches 1 + 5 >= 5: core too
    fit = _dbscan.run(np.array([*x, 0.5]), np.zeros(11), None, eps=1, min_samples=5)
    assert fit.labels.tolist() == [0] * 5 + [-1] * 5 + [0]
    assert fit.cluster_info["core_incidents"] == {0: 6}


def test_dbscan_output_contract_and_input_untouched(west_yorkshire):
    inc = west_yorkshire.iloc[::7].copy()
    inc.index = inc.index * 3 + 5
    before = inc.copy()
    out = cluster_incidents(inc, "dbscan", eps=150, min_samples=10, quiet=True)
    pd.testing.assert_frame_equal(inc, before)
    assert out.index.equals(inc.index)
    assert out["cluster"].dtype == np.int64
    labels = out["cluster"].to_numpy()
    assert labels.min() >= -1
    sizes = np.bincount(labels[labels >= 0])
    assert (np.diff(sizes) <= 0).all()  # numbered by size, largest first
    meta = out.attrs["hotspot"]["cluster_incidents"]
    assert meta["algorithm"] == "dbscan"
    assert meta["params"]["eps"] == 150.0 and meta["params"]["min_samples"] == 10
    assert meta["params"]["n_incidents"] == len(inc)
    assert meta["n_clusters"] == labels.max() + 1


# --- DBSCAN against scikit-learn ----------------------------------------------------------------


def test_dbscan_equals_sklearn_without_duplicates(toronto):
    inc = jittered(toronto, 20_000, seed=3)
    out = cluster_incidents(inc, "dbscan", eps=120, min_samples=8, quiet=True)
    reference = DBSCAN(eps=120, min_samples=8).fit(xy_of(inc)).labels_
    assert out["cluster"].max() > 20
    assert_same_partition(out["cluster"].to_numpy(), reference)


@pytest.mark.parametrize("name", ["toronto", "west_yorkshire"])
def test_dbscan_equals_sklearn_on_raw_rows_with_duplicates(request, name):
    """Weights reproduce scikit-learn on the raw rows exactly, border points included,
    because locations are processed in the order of their first incident."""
    inc = request.getfixturevalue(name)
    if name == "toronto":
        inc = subset(inc, 60_000, seed=4)
    xy = xy_of(inc)
    assert len(np.unique(xy, axis=0)) < len(xy) / 2  # heavily duplicated
    out = cluster_incidents(inc, "dbscan", eps=100, min_samples=20, quiet=True)
    reference = DBSCAN(eps=100, min_samples=20).fit(xy).labels_
    assert_same_partition(out["cluster"].to_numpy(), reference)


def test_dbscan_input_order_only_moves_border_points_claimed_by_two_clusters(toronto):
    """Shuffling the rows may move a border point between the clusters that both reach it
    (DBSCAN gives it to the first one found); core points and noise never move."""
    inc = subset(toronto, 60_000, seed=5)
    eps, ms = 100, 20
    labels = cluster_incidents(inc, "dbscan", eps=eps, min_samples=ms, quiet=True)["cluster"]
    order = np.random.default_rng(6).permutation(len(inc))
    shuffled = cluster_incidents(inc.iloc[order], "dbscan", eps=eps, min_samples=ms, quiet=True)
    shuffled = shuffled["cluster"].reindex(inc.index).to_numpy()
    labels = labels.to_numpy()
    core, claims = border_claims(xy_of(inc), eps, ms)
    assert_same_partition(labels[core], shuffled[core])
    np.testing.assert_array_equal(labels < 0, shuffled < 0)
    # map shuffled cluster ids onto ours through the core points, then compare the rest
    mapping = dict(zip(shuffled[core], labels[core], strict=False))
    moved = (labels >= 0) & (np.array([mapping.get(v, -2) for v in shuffled]) != labels)
    assert not (moved & core).any()
    assert (claims[moved] >= 2).all()
    assert (claims >= 2).sum() > 0  # the data have ambiguous border points to test this on


@pytest.mark.parametrize("name", ["toronto", "west_yorkshire"])
def test_dbscan_never_splits_a_location(request, name):
    inc = request.getfixturevalue(name)
    out = cluster_incidents(inc, "dbscan", eps=100, min_samples=20, quiet=True)
    assert out["cluster"].max() > 10
    assert assert_locations_not_split(out) > 10_000


# --- DBSCAN: parameters -------------------------------------------------------------------------


def test_dbscan_parameter_errors():
    inc = frame([0.0, 1.0], [0.0, 0.0])
    with pytest.raises(HotspotInputError, match=r"dbscan: eps= is missing"):
        cluster_incidents(inc, "dbscan", quiet=True)
    with pytest.raises(
        HotspotInputError, match=r"'epsilon' \(did you mean 'eps'\?\); it accepts eps"
    ):
        cluster_incidents(inc, "dbscan", epsilon=100, quiet=True)
    with pytest.raises(HotspotInputError, match=r"dbscan: eps=0 must be a number of metres > 0"):
        cluster_incidents(inc, "dbscan", eps=0, quiet=True)
    with pytest.raises(HotspotInputError, match=r"eps=inf must be .* > 0 and finite"):
        cluster_incidents(inc, "dbscan", eps=np.inf, quiet=True)
    with pytest.raises(HotspotInputError, match=r"eps='100' must be a number of metres"):
        cluster_incidents(inc, "dbscan", eps="100", quiet=True)
    with pytest.raises(HotspotInputError, match=r"dbscan: min_samples=0 must be at least 1"):
        cluster_incidents(inc, "dbscan", eps=1, min_samples=0, quiet=True)
    with pytest.raises(HotspotInputError, match=r"min_samples=2.0 must be a whole number"):
        cluster_incidents(inc, "dbscan", eps=1, min_samples=2.0, quiet=True)
    with pytest.raises(HotspotInputError, match=r"metric='manhattan' is not one of 'euclidean'"):
        cluster_incidents(inc, "dbscan", eps=1, metric="manhattan", quiet=True)


def test_dbscan_records_defaults_and_announces_only_the_result(capsys):
    out = cluster_incidents(frame([0.0, 1.0], [0.0, 0.0]), "dbscan", eps=5)
    params = out.attrs["hotspot"]["cluster_incidents"]["params"]
    assert params["min_samples"] == 20 and params["defaulted"] == ["min_samples", "metric"]
    err = capsys.readouterr().err
    assert err.strip() == "hotspot: dbscan: 0 clusters; 2 of 2 incidents are noise"


# --- ST-DBSCAN ----------------------------------------------------------------------------------


def test_stdbscan_separates_bursts_at_one_place_months_apart():
    rng = np.random.default_rng(0)
    x = 630_000 + rng.normal(0, 15, 60)
    y = 4_835_000 + rng.normal(0, 15, 60)
    days = np.r_[rng.uniform(0, 10, 30), rng.uniform(150, 160, 30)]  # January, then June
    inc = frame(x, y, days)
    st = cluster_incidents(inc, "st-dbscan", eps=60, time_eps=14, min_samples=10, quiet=True)
    assert sorted(st["cluster"].unique()) == [0, 1]
    assert st["cluster"].iloc[:30].nunique() == 1 and st["cluster"].iloc[30:].nunique() == 1
    assert st["cluster"].iloc[0] != st["cluster"].iloc[30]
    info = st.attrs["hotspot"]["cluster_incidents"]["cluster_info"]
    assert {round(info["first_day"][k]) // 100 for k in (0, 1)} == {0, 1}
    plain = cluster_incidents(inc, "dbscan", eps=60, min_samples=10, quiet=True)
    assert (plain["cluster"] == 0).all()


def test_stdbscan_time_boundary_is_inclusive():
    inc = frame([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 7.0, 14.5])
    out = cluster_incidents(inc, "st-dbscan", eps=1, time_eps=7, min_samples=2, quiet=True)
    assert out["cluster"].tolist() == [0, 0, -1]


def test_stdbscan_equals_dbscan_when_time_eps_is_unbounded(toronto):
    inc = subset(toronto, 20_000, seed=8)
    plain = cluster_incidents(inc, "dbscan", eps=150, min_samples=8, quiet=True)["cluster"]
    reference = DBSCAN(eps=150, min_samples=8).fit(xy_of(inc)).labels_
    for time_eps in (1e9, np.inf):
        st = cluster_incidents(
            inc, "st-dbscan", eps=150, time_eps=time_eps, min_samples=8, quiet=True
        )
        np.testing.assert_array_equal(st["cluster"].to_numpy(), plain.to_numpy())
        assert_same_partition(st["cluster"].to_numpy(), reference)


def test_stdbscan_equals_brute_force_neighbourhoods_on_raw_rows():
    """Reference: scikit-learn DBSCAN on a precomputed 0/2 'distance' between raw incidents that
    are space-time neighbours or not (duplicates of x, y, t included)."""
    rng = np.random.default_rng(11)
    n = 600
    x = rng.integers(0, 40, n) * 5.0  # a 5 m lattice: many exact distances and duplicates
    y = rng.integers(0, 40, n) * 5.0
    t = rng.integers(0, 60, n) * 1.0
    eps, time_eps, ms = 15.0, 6.0, 4
    d2 = (x[:, None] - x[None]) ** 2 + (y[:, None] - y[None]) ** 2
    near = (d2 <= eps**2) & (np.abs(t[:, None] - t[None]) <= time_eps)
    distance = np.where(near, 0.0, 2.0)
    reference = DBSCAN(eps=1.0, min_samples=ms, metric="precomputed").fit(distance).labels_
    fit = _stdbscan.run(x, y, t, eps=eps, time_eps=time_eps, min_samples=ms)
    assert fit.labels.max() >= 3
    assert fit.params["n_locations"] < n
    assert_same_partition(fit.labels, reference)


def test_stdbscan_never_splits_a_space_time_location(toronto):
    out = cluster_incidents(toronto, "st-dbscan", eps=150, time_eps=30, min_samples=10, quiet=True)
    assert out["cluster"].max() > 5
    assert assert_locations_not_split(out, ("time",)) > 100


def test_stdbscan_needs_time(west_yorkshire):
    no_time = west_yorkshire.drop(columns="time").iloc[:100]
    with pytest.raises(HotspotInputError, match=r"needs a datetime 'time' column"):
        cluster_incidents(no_time, "st-dbscan", eps=100, time_eps=7, quiet=True)
    with pytest.raises(HotspotInputError, match=r"st-dbscan needs incident times"):
        _stdbscan.run(np.zeros(3), np.zeros(3), None, eps=1, time_eps=1)


def test_stdbscan_parameter_errors():
    inc = frame([0.0, 1.0], [0.0, 0.0], [0.0, 1.0])
    with pytest.raises(HotspotInputError, match=r"st-dbscan: time_eps= \(in days\) is missing"):
        cluster_incidents(inc, "st-dbscan", eps=100, quiet=True)
    with pytest.raises(HotspotInputError, match=r"time_eps=-1 must be a number of days > 0"):
        cluster_incidents(inc, "st-dbscan", eps=100, time_eps=-1, quiet=True)
    with pytest.raises(HotspotInputError, match=r"'time_esp' \(did you mean 'time_eps'\?\)"):
        cluster_incidents(inc, "st-dbscan", eps=100, time_esp=7, quiet=True)
    fit = _stdbscan.run(np.zeros(2), np.zeros(2), np.zeros(2), eps=1, time_eps=1)
    assert fit.params["defaulted"] == ["min_samples"] and fit.params["min_samples"] == 20


# --- OPTICS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def optics_sample(toronto):
    """1,500 jittered Toronto incidents (no duplicates) and scikit-learn's OPTICS on them."""
    inc = jittered(toronto, 1_500, seed=2)
    xy = xy_of(inc)
    return inc, {
        max_eps: OPTICS(min_samples=10, max_eps=max_eps).fit(xy) for max_eps in (np.inf, 600.0)
    }


@pytest.mark.parametrize("max_eps", [np.inf, 600.0], ids=["dense", "graph"])
def test_optics_graph_equals_sklearn_without_duplicates(optics_sample, max_eps):
    inc, models = optics_sample
    sk = models[max_eps]
    loc = unique_locations(*xy_of(inc).T)
    assert loc.m == len(inc) and (loc.inverse == np.arange(len(inc))).all()
    graph = _optics.optics_graph(loc.xy, loc.weight, 10, max_eps)
    assert graph["loop"] == ("dense" if np.isinf(max_eps) else "graph")
    np.testing.assert_array_equal(graph["ordering"], sk.ordering_)
    np.testing.assert_allclose(
        graph["reachability"][graph["ordering"]], sk.reachability_[sk.ordering_], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(graph["core_distances"], sk.core_distances_, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(graph["predecessor"], sk.predecessor_)


@pytest.mark.parametrize("max_eps", [np.inf, 600.0], ids=["dense", "graph"])
def test_optics_labels_equal_sklearn_without_duplicates(optics_sample, max_eps):
    inc, models = optics_sample
    sk = models[max_eps]
    kw = {} if np.isinf(max_eps) else {"max_eps": max_eps}
    xi = cluster_incidents(inc, "optics", min_samples=10, quiet=True, **kw)["cluster"].to_numpy()
    assert xi.max() > 5
    assert_same_partition(xi, sk.labels_)
    for eps in (150.0, 300.0):
        out = cluster_incidents(
            inc, "optics", min_samples=10, cluster_method="dbscan", eps=eps, quiet=True, **kw
        )
        reference = cluster_optics_dbscan(
            reachability=sk.reachability_,
            core_distances=sk.core_distances_,
            ordering=sk.ordering_,
            eps=eps,
        )
        assert out["cluster"].max() >= 1
        assert_same_partition(out["cluster"].to_numpy(), reference)


def test_optics_dense_and_graph_loops_agree_with_duplicates(toronto, monkeypatch):
    inc = subset(toronto, 20_000, seed=12)
    loc = unique_locations(*xy_of(inc).T)
    graph = _optics.optics_graph(loc.xy, loc.weight, 20, 500.0)
    monkeypatch.setattr(_optics, "MAX_PAIRS", 0)
    dense = _optics.optics_graph(loc.xy, loc.weight, 20, 500.0)
    assert (graph["loop"], dense["loop"]) == ("graph", "dense")
    for key in ("ordering", "core_distances", "reachability", "predecessor"):
        np.testing.assert_array_equal(graph[key], dense[key])


def test_optics_core_distance_counts_incidents(toronto):
    """Weighted core distances equal the k-th neighbour distance among the raw rows."""
    inc = subset(toronto, 20_000, seed=9)
    xy = xy_of(inc)
    loc = unique_locations(xy[:, 0], xy[:, 1])
    assert loc.weight.max() >= 20
    core = _optics.core_distances(loc.xy, loc.weight, 20, np.inf)
    raw = NearestNeighbors(n_neighbors=20).fit(xy).kneighbors(xy)[0][:, -1]
    np.testing.assert_allclose(core[loc.inverse], raw, rtol=0, atol=1e-9)
    assert (core[loc.weight >= 20] == 0).all() and (core[loc.weight < 20] > 0).all()


def test_optics_location_with_min_samples_incidents_has_core_distance_zero():
    # 5 incidents at x=0, one at x=3, one at x=7; min_samples=5
    g = _optics.optics_graph(np.c_[[0.0, 3.0, 7.0], [0.0] * 3], np.array([5, 1, 1]), 5)
    assert g["core_distances"].tolist() == [0.0, 3.0, 7.0]
    assert g["ordering"].tolist() == [0, 1, 2]
    assert g["reachability"].tolist() == [np.inf, 3.0, 4.0]
    assert g["predecessor"].tolist() == [-1, 0, 1]
    x = np.array([0.0] * 5 + [3.0, 7.0])
    out = cluster_incidents(
        frame(x, np.zeros(7)), "optics", min_samples=5, cluster_method="dbscan", eps=3.5, quiet=True
    )
    assert out["cluster"].tolist() == [0] * 6 + [-1]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # sklearn's, on 0 / 0 reach
def test_optics_min_cluster_size_counts_incidents():
    """Two groups of three addresses with 10 incidents each: clusters of 3 locations but 30
    incidents. The labels match scikit-learn's OPTICS on the 60 raw rows."""
    x = np.repeat([0.0, 1.0, 2.0, 1000.0, 1001.0, 1002.0], 10)
    inc = frame(x, np.zeros(60))
    expected = {30: [0] * 30 + [1] * 30, 31: [0] * 60, 60: [0] * 60, 61: [-1] * 60}
    for size, labels in expected.items():
        out = cluster_incidents(inc, "optics", min_samples=5, min_cluster_size=size, quiet=True)
        assert out["cluster"].tolist() == labels, size
        if size <= 60:
            sk = OPTICS(min_samples=5, min_cluster_size=size).fit(np.c_[x, np.zeros(60)])
            assert_same_partition(out["cluster"].to_numpy(), sk.labels_)


@pytest.mark.parametrize("name", ["toronto", "west_yorkshire"])
def test_optics_never_splits_a_location(request, name):
    inc = request.getfixturevalue(name)
    out = cluster_incidents(inc, "optics", min_samples=20, quiet=True)
    assert out["cluster"].max() > 10
    assert assert_locations_not_split(out) > 10_000


def test_optics_dbscan_extraction_core_points_match_dbscan(toronto):
    """OPTICS cut at eps groups the core locations as DBSCAN at eps does (weights in both)."""
    inc = subset(toronto, 30_000, seed=10)
    eps, ms = 120, 15
    db = _dbscan.run(*xy_of(inc).T, None, eps=eps, min_samples=ms)
    op = _optics.run(*xy_of(inc).T, None, min_samples=ms, cluster_method="dbscan", eps=eps)
    loc = unique_locations(*xy_of(inc).T)
    core = _optics.core_distances(loc.xy, loc.weight, ms, np.inf)[loc.inverse] <= eps
    assert core.sum() > 1000
    assert_same_partition(op.labels[core], db.labels[core])
    assert (op.labels[db.labels < 0] < 0).all()  # DBSCAN noise is never clustered by OPTICS


def test_optics_parameter_errors_and_announcements(capsys):
    inc = frame([0.0, 1.0, 2.0], [0.0, 0.0, 0.0])
    with pytest.raises(HotspotInputError, match=r"cluster_method='kmeans' is not one of 'xi', "):
        cluster_incidents(inc, "optics", cluster_method="kmeans", quiet=True)
    with pytest.raises(HotspotInputError, match=r"eps is not used with cluster_method='xi'"):
        cluster_incidents(inc, "optics", eps=100, quiet=True)
    with pytest.raises(HotspotInputError, match=r"xi is not used with cluster_method='dbscan'"):
        cluster_incidents(inc, "optics", cluster_method="dbscan", eps=1, xi=0.1, quiet=True)
    with pytest.raises(HotspotInputError, match=r"cluster_method='dbscan' needs eps="):
        cluster_incidents(inc, "optics", cluster_method="dbscan", quiet=True)
    with pytest.raises(HotspotInputError, match=r"eps \(300 m\) must not exceed max_eps \(200 m\)"):
        cluster_incidents(inc, "optics", cluster_method="dbscan", eps=300, max_eps=200, quiet=True)
    with pytest.raises(HotspotInputError, match=r"xi=1.0 must be a number in the open interval"):
        cluster_incidents(inc, "optics", xi=1.0, quiet=True)
    with pytest.raises(HotspotInputError, match=r"optics: min_samples=1 must be at least 2"):
        cluster_incidents(inc, "optics", min_samples=1, quiet=True)
    with pytest.raises(HotspotInputError, match=r"it accepts min_samples, max_eps, xi, cluster_"):
        cluster_incidents(inc, "optics", minpts=5, quiet=True)
    capsys.readouterr()
    out = cluster_incidents(inc, "optics", min_samples=2)
    assert "optics: min_cluster_size not given: using min_samples (2 incidents)" in (
        capsys.readouterr().err
    )
    params = out.attrs["hotspot"]["cluster_incidents"]["params"]
    assert params["min_cluster_size"] == 2 and params["xi"] == 0.05
    assert set(params["defaulted"]) == {"max_eps", "cluster_method", "xi", "min_cluster_size"}
    out = cluster_incidents(inc, "optics", min_samples=2, cluster_method="dbscan", max_eps=5)
    assert "optics: eps not given: cutting the plot at max_eps (5 m)" in capsys.readouterr().err
    assert out.attrs["hotspot"]["cluster_incidents"]["params"]["eps"] == 5.0
    cluster_incidents(inc, "optics", min_samples=2, quiet=True)
    assert "optics:" not in capsys.readouterr().err


def test_every_method_agrees_on_a_planted_hotspot():
    """Simulated data with planted hotspots: all three methods find the dense cores."""
    inc, truth = hs.datasets.simulate_incidents(n_background=500, rng=1)
    hot = inc["truth_source"].eq("hotspot").to_numpy()
    for method, kw in (
        ("dbscan", {"eps": 150, "min_samples": 15}),
        ("st-dbscan", {"eps": 150, "time_eps": 1e9, "min_samples": 15}),
        ("optics", {"min_samples": 15, "cluster_method": "dbscan", "eps": 150}),
    ):
        labels = cluster_incidents(inc, method, quiet=True, **kw)["cluster"].to_numpy()
        assert (labels[hot] >= 0).mean() > 0.5, method
        assert (labels[~hot] >= 0).mean() < (labels[hot] >= 0).mean(), method
