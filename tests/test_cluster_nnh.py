"""Nearest-neighbour hierarchical clustering (CrimeStat's NNH).

References: the threshold formula computed here by hand (Clark & Evans' expectation and
standard error, Student's t quantile from scipy), hand-checkable toys with exact labels, a
brute-force single linkage written independently in this file, planted ground truth from
:func:`hotspot.simulate.simulate_incidents`, and a constructed second order.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats
from scipy.spatial.distance import pdist, squareform

from hotspot.clustering import _nnh
from hotspot.clustering._base import ClusterFit
from hotspot.clustering.cluster import cluster_incidents
from hotspot.errors import HotspotInputError
from hotspot.simulate import simulate_incidents


def _frame(xy: np.ndarray, crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"value": np.arange(len(xy))},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
        index=pd.RangeIndex(100, 100 + len(xy)),
    )


def _by_hand(n: int, area: float, p: float) -> float:
    """CrimeStat's threshold: d + t_p * SE with d = 0.5 sqrt(A/n), SE = 0.26136 sqrt(A)/n."""
    d = 0.5 * math.sqrt(area / n)
    se = 0.26136 * math.sqrt(area / n**2)
    return d + stats.t.ppf(p, df=n - 1) * se


def _blob(centre: tuple[float, float], n: int, rng: np.random.Generator, r: float = 5.0):
    return np.asarray(centre) + rng.uniform(-r, r, size=(n, 2))


def _hierarchy(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Nine tight clusters of 50 in three groups: A (4 clusters 600 m apart), B (3), C (2);
    groups 20 km apart. Returns the points and each point's group (0 = A, 1 = B, 2 = C)."""
    rng = np.random.default_rng(seed)
    groups = {
        0: [(0, 0), (600, 0), (0, 600), (600, 600)],
        1: [(20_000, 0), (20_600, 0), (20_300, 500)],
        2: [(0, 20_000), (600, 20_000)],
    }
    xy, group = [], []
    for g, centres in groups.items():
        for c in centres:
            xy.append(_blob(c, 50, rng))
            group += [g] * 50
    return np.vstack(xy), np.array(group)


# =============================================================================== threshold


@pytest.mark.parametrize("p", [0.5, 0.05, 0.01, 0.25, 0.9])
@pytest.mark.parametrize("n", [2, 7, 30, 5000])
def test_threshold_matches_crimestat_formula(n, p):
    area = 3.7e7
    th = _nnh.threshold_distance(n, area, p)
    assert th.expected == pytest.approx(0.5 * math.sqrt(area / n), rel=1e-12)
    assert th.standard_error == pytest.approx(0.26136 * math.sqrt(area) / n, rel=1e-12)
    assert th.t_value == pytest.approx(stats.t.ppf(p, df=n - 1), rel=1e-12, abs=1e-15)
    assert th.distance == pytest.approx(_by_hand(n, area, p), rel=1e-12)


def test_threshold_p_half_is_the_expected_distance_and_smaller_p_is_shorter():
    th = _nnh.threshold_distance(400, 1e8, 0.5)
    assert th.t_value == 0.0 and th.distance == 0.5 * math.sqrt(1e8 / 400) == 250.0
    distances = [_nnh.threshold_distance(400, 1e8, p).distance for p in (0.001, 0.01, 0.05, 0.5)]
    assert distances == sorted(distances) and distances[-1] == 250.0


def test_first_order_t_equals_the_normal_quantile_for_many_incidents():
    # the t vs normal choice only matters at higher orders, where n (clusters) is small
    th = _nnh.threshold_distance(83_577, 2e9, 0.05)
    assert th.t_value == pytest.approx(stats.norm.ppf(0.05), abs=1e-3)
    small = _nnh.threshold_distance(8, 2e9, 0.05)
    assert small.t_value < stats.norm.ppf(0.05) - 0.2


def test_run_records_the_threshold_of_every_order():
    xy, _ = _hierarchy()
    area = 1e8
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=3, p=0.05, study_area=area, quiet=True)
    orders = fit.cluster_info["orders"]
    assert [o["n_points"] for o in orders] == [450, 9, 2][: len(orders)]
    assert orders[0]["threshold"] == pytest.approx(_by_hand(450, area, 0.05), rel=1e-12)
    assert orders[1]["threshold"] == pytest.approx(_by_hand(9, area, 0.05), rel=1e-12)
    assert fit.params["thresholds"] == [o["threshold"] for o in orders]
    assert fit.params["t_values"][1] == pytest.approx(stats.t.ppf(0.05, 8))
    assert fit.params["area_m2"] == area and fit.params["n"] == 450
    assert fit.params["p"] == 0.05 and fit.params["threshold"] == orders[0]["threshold"]


# =============================================================================== hand toys


def _toy() -> np.ndarray:
    """12 points with threshold exactly 10 m for area 4800 m² (0.5 * sqrt(4800 / 12) = 10):
    a chain 9 m apart (5), a row 11 m apart (4) and one location holding 3 incidents."""
    x = [0.0, 9.0, 18.0, 27.0, 36.0, 100.0, 111.0, 122.0, 133.0, 200.0, 200.0, 200.0]
    return np.column_stack([x, np.zeros(12)])


def test_toy_exact_labels():
    xy = _toy()
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=3, study_area=4800.0, quiet=True)
    assert isinstance(fit, ClusterFit)
    assert fit.params["threshold"] == 10.0
    assert fit.labels.tolist() == [0] * 5 + [-1] * 4 + [1] * 3
    assert fit.labels.dtype == np.int64 and fit.levels.shape == (12, 1)
    assert fit.levels[:, 0].tolist() == fit.labels.tolist()


def test_toy_min_points_counts_incidents_and_a_location_can_be_a_cluster():
    xy = _toy()
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=4, study_area=4800.0, quiet=True)
    assert fit.labels.tolist() == [0] * 5 + [-1] * 7  # the 3 stacked incidents are too few
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=5, study_area=4800.0, quiet=True)
    assert fit.labels.tolist() == [0] * 5 + [-1] * 7
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=6, study_area=4800.0, quiet=True)
    assert (fit.labels == -1).all()
    stacked = np.zeros((10, 2)) + 5.0  # ten incidents at one address, nothing else
    fit = _nnh.run(stacked[:, 0], stacked[:, 1], min_points=10, study_area=1e6, quiet=True)
    assert (fit.labels == 0).all()


def test_link_is_strictly_closer_than_the_threshold():
    # threshold exactly 10.0 (n = 5, A = 2000 m²); a gap of exactly 10 m does not link
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [500.0, 0.0], [509.999, 0.0], [1000.0, 0.0]])
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=2, study_area=2000.0, quiet=True)
    assert fit.params["threshold"] == 10.0
    assert fit.labels.tolist() == [-1, -1, 0, 0, -1]


def test_single_linkage_matches_brute_force():
    rng = np.random.default_rng(3)
    xy = np.round(rng.uniform(0, 1000, size=(300, 2)), 0)  # rounding makes duplicates
    xy[:40] = xy[0]
    area, p, min_points = 1e6, 0.3, 4
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=min_points, p=p, study_area=area, quiet=True)
    threshold = _by_hand(300, area, p)
    # brute force: components of the "closer than" graph by repeated propagation
    near = squareform(pdist(xy)) < threshold
    comp = np.arange(300)
    while True:
        new = np.array([comp[near[i]].min() for i in range(300)])
        if (new == comp).all():
            break
        comp = new
    ids, sizes = np.unique(comp, return_counts=True)
    big = set(ids[sizes >= min_points])
    expected = np.where(np.isin(comp, list(big)), comp, -1)
    # same partition (labels may differ)
    for label in np.unique(fit.labels):
        members = fit.labels == label
        if label < 0:
            assert (expected[members] == -1).all()
        else:
            assert len(np.unique(expected[members])) == 1 and expected[members][0] >= 0
            assert members.sum() == (expected == expected[members][0]).sum()
    assert fit.labels.max() + 1 == len(big)


def test_clusters_numbered_by_size():
    rng = np.random.default_rng(1)
    xy = np.vstack([_blob((0, 0), 20, rng), _blob((5000, 0), 60, rng), _blob((0, 5000), 40, rng)])
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=10, study_area=1e8, quiet=True)
    sizes = np.bincount(fit.labels[fit.labels >= 0])
    assert sizes.tolist() == [60, 40, 20]
    assert (fit.labels[20:80] == 0).all()


# =============================================================================== planted truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_hotspots_are_found_at_the_first_order(seed):
    hotspots = [
        {"x": 432000, "y": 436000, "radius": 60, "profile": "persistent", "rate": 2},
        {"x": 436000, "y": 432000, "radius": 60, "profile": "persistent", "rate": 2},
        {"x": 438000, "y": 436500, "radius": 80, "profile": "persistent", "rate": 2},
    ]
    inc, truth = simulate_incidents(n_background=400, hotspots=hotspots, periods=52, rng=seed)
    out = cluster_incidents(inc, "nnh", quiet=True)
    found = []
    for h in truth["hotspot_id"]:
        labels = out.loc[
            (inc["truth_hotspot"] == h) & (inc["truth_source"] == "hotspot"), "cluster"
        ]
        top = labels.value_counts(normalize=True)
        assert top.index[0] >= 0 and top.iloc[0] >= 0.9  # mostly in one cluster
        found.append(top.index[0])
        members = out[out["cluster"] == top.index[0]]
        centre = members.geometry.x.mean(), members.geometry.y.mean()
        assert math.dist(centre, (truth.loc[h, "x"], truth.loc[h, "y"])) < 60
    assert len(set(found)) == 3  # each planted centre has its own cluster
    background = out["truth_source"] == "background"
    assert (out.loc[background, "cluster"] >= 0).mean() < 0.1


# =============================================================================== higher orders


def test_second_order_forms_when_first_order_clusters_lie_close_together():
    xy, group = _hierarchy()
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=3, study_area=1e8, quiet=True)
    first, second = fit.levels[:, 0], fit.levels[:, 1]
    assert fit.levels.shape == (450, 2)
    # first order: the nine blobs, each whole
    assert fit.labels.max() + 1 == 9
    for b in range(9):
        assert len(np.unique(first[50 * b : 50 * (b + 1)])) == 1
    # second order: group A (4 clusters) and B (3); C's two clusters are too few
    assert len(np.unique(second[group == 0])) == 1 and len(np.unique(second[group == 1])) == 1
    assert second[group == 0][0] == 0 and second[group == 1][0] == 1
    assert (second[group == 2] == -1).all()
    orders = fit.cluster_info["orders"]
    assert [o["n_clusters"] for o in orders] == [9, 2]
    assert orders[0]["threshold"] < 600 < orders[1]["threshold"] < 20_000
    assert "fewer than 3" in fit.cluster_info["stopped"]
    # the order-2 cluster is made of the order-1 clusters of its group; centres are the means
    children = fit.cluster_info["children"][2]
    assert sorted(children[0]) == sorted(np.unique(first[group == 0]).tolist())
    cx, cy = fit.cluster_info["centres"][2][0]
    assert cx == pytest.approx(xy[group == 0, 0].mean()) and cy == pytest.approx(
        xy[group == 0, 1].mean()
    )


def test_incident_belongs_to_the_higher_cluster_of_its_lower_cluster():
    xy, _ = _hierarchy(5)
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=2, study_area=1e8, quiet=True)
    levels = fit.levels
    assert levels.shape[1] >= 2
    for k in range(1, levels.shape[1]):
        lower, upper = levels[:, k - 1], levels[:, k]
        assert (upper[lower < 0] == -1).all()
        for c in np.unique(lower[lower >= 0]):
            assert len(np.unique(upper[lower == c])) == 1


def test_the_hierarchy_stops_at_a_single_cluster():
    # four blobs 600 m apart: four first-order clusters (d1 = 354 m), one second (d2 = 2500 m)
    rng = np.random.default_rng(2)
    xy = np.vstack([_blob(c, 50, rng) for c in [(0, 0), (600, 0), (0, 600), (600, 600)]])
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=2, study_area=1e8, quiet=True)
    assert fit.levels.shape == (200, 2)
    assert fit.labels.max() == 3 and (fit.levels[:, 1] == 0).all()
    assert fit.cluster_info["stopped"].startswith("order 2 has 1 cluster, fewer than 2")


def test_an_order_without_clusters_is_recorded_and_stops():
    xy, _ = _hierarchy()
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=2, study_area=1e8, quiet=True)
    orders = fit.cluster_info["orders"]
    assert [o["n_clusters"] for o in orders] == [9, 3, 0]  # groups 20 km apart never link
    assert fit.levels.shape == (450, 2)
    assert fit.cluster_info["stopped"].startswith("no order-3 cluster")


def test_identical_locations_never_split():
    rng = np.random.default_rng(7)
    sites = rng.uniform(0, 3000, size=(400, 2))
    xy = sites[rng.integers(0, 400, size=3000)]  # 3000 incidents on 400 addresses
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=8, p=0.05, quiet=True)
    key = xy[:, 0] * 1e6 + xy[:, 1]
    for k in range(fit.levels.shape[1]):
        frame = pd.DataFrame({"key": key, "label": fit.levels[:, k]})
        assert (frame.groupby("key")["label"].nunique() == 1).all()


def test_smaller_p_gives_nested_clusters():
    inc, _ = simulate_incidents(n_background=500, rng=4)
    x, y = inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy()
    loose = _nnh.run(x, y, min_points=5, p=0.5, quiet=True).labels
    tight = _nnh.run(x, y, min_points=5, p=0.01, quiet=True).labels
    assert (tight >= 0).sum() <= (loose >= 0).sum()
    for c in np.unique(tight[tight >= 0]):
        assert len(np.unique(loose[tight == c])) == 1 and loose[tight == c][0] >= 0


def test_a_threshold_that_is_not_positive_links_nothing():
    xy = np.array([[0.0, 0.0]] * 3 + [[5.0, 5.0]])
    th = _nnh.threshold_distance(4, 100.0, 0.001)
    assert th.distance < 0
    fit = _nnh.run(xy[:, 0], xy[:, 1], min_points=2, p=0.001, study_area=100.0, quiet=True)
    assert (fit.labels == -1).all() and fit.levels.shape == (4, 1)
    assert "not positive" in fit.cluster_info["stopped"]


# =============================================================================== area


def test_area_options():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 1000, size=(200, 2))
    hull = shapely.convex_hull(shapely.multipoints(xy)).area
    box = np.ptp(xy[:, 0]) * np.ptp(xy[:, 1])
    run = _nnh.run
    assert run(xy[:, 0], xy[:, 1], quiet=True).params["area_m2"] == pytest.approx(hull)
    assert run(xy[:, 0], xy[:, 1], study_area="bbox", quiet=True).params[
        "area_m2"
    ] == pytest.approx(box)
    square = shapely.box(-100, -100, 1100, 1100)
    fit = run(xy[:, 0], xy[:, 1], study_area=square, quiet=True)
    assert fit.params["area_m2"] == 1200.0**2 and fit.params["area_source"] == "given polygon"
    series = gpd.GeoSeries([square], crs="EPSG:27700")
    assert run(xy[:, 0], xy[:, 1], study_area=series, quiet=True).params["area_m2"] == 1200.0**2
    assert run(xy[:, 0], xy[:, 1], study_area=5e6, quiet=True).params["threshold"] == pytest.approx(
        0.5 * math.sqrt(5e6 / 200)
    )


def test_dispatcher_columns_attrs_and_announcements(capsys):
    xy, _ = _hierarchy()
    inc = _frame(xy)
    before = inc.copy()
    attrs_before = repr(inc.attrs)
    out = cluster_incidents(inc, "nnh", min_points=3, study_area=1e8)
    err = capsys.readouterr().err
    assert "nnh: threshold distance" in err and "p=0.5" in err and "given as a number" in err
    assert "9 first-order, 2 second-order clusters" in err
    pd.testing.assert_frame_equal(inc, before)
    assert out.index.equals(inc.index)
    assert (out["cluster"] == out["cluster_order_1"]).all()
    assert out["cluster_order_2"].dtype == np.int64
    assert repr(inc.attrs) == attrs_before
    assert out.attrs["hotspot"]["method"] == "cluster_incidents"
    meta = out.attrs["hotspot"]["cluster_incidents"]
    assert meta["algorithm"] == "nnh" and meta["n_clusters"] == 9
    assert [o["order"] for o in meta["cluster_info"]["orders"]] == [1, 2]
    cluster_incidents(inc, "nnh", min_points=3, study_area=1e8, quiet=True)
    assert capsys.readouterr().err == ""


def test_the_default_area_is_announced(capsys):
    xy, _ = _hierarchy()
    _nnh.run(xy[:, 0], xy[:, 1], min_points=3)
    assert "convex hull of the incidents" in capsys.readouterr().err


# =============================================================================== errors


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"min_points": 1}, HotspotInputError, "nnh: min_points=1 must be at least 2"),
        ({"min_points": 2.5}, HotspotInputError, "min_points=2.5 must be a whole number"),
        ({"min_points": True}, HotspotInputError, "min_points=True must be a whole number"),
        ({"p": 0.0}, HotspotInputError, "nnh: p=0.0 must be a number between 0 and 1"),
        ({"p": 1.0}, HotspotInputError, "p=1.0 must be a number between 0 and 1"),
        ({"p": "0.05"}, HotspotInputError, "p='0.05' must be a number between 0 and 1"),
        ({"study_area": "county"}, HotspotInputError, "study_area='county' .*'hull', 'bbox'"),
        ({"study_area": -5.0}, HotspotInputError, "positive number of square metres"),
        ({"study_area": [1, 2]}, HotspotInputError, "study_area=list is not a study area"),
        ({"study_area": shapely.box(5e6, 5e6, 5e6 + 10, 5e6 + 10)}, HotspotInputError, "none of"),
        ({"study_area": shapely.LineString([(0, 0), (1, 1)])}, HotspotInputError, "no area"),
        (
            {"min_pts": 5},
            HotspotInputError,
            "did you mean .min_points.*accepts min_points, p, study_area",
        ),
    ],
)
def test_bad_parameters(params, error, match):
    xy, _ = _hierarchy()
    with pytest.raises(error, match=match):
        _nnh.run(xy[:, 0], xy[:, 1], quiet=True, **params)


def test_points_without_a_hull_area_need_an_area():
    x = np.arange(20.0)
    with pytest.raises(HotspotInputError, match="one line or one location"):
        _nnh.run(x, 2 * x, quiet=True)
    fit = _nnh.run(x, 2 * x, study_area=1e4, min_points=5, quiet=True)  # with an area it works
    assert fit.labels.max() == 0


def test_too_few_incidents():
    with pytest.raises(HotspotInputError, match="at least 2 incidents"):
        _nnh.run(np.array([1.0]), np.array([1.0]), study_area=10.0, quiet=True)


def test_area_is_the_old_name_of_study_area():
    xy, _ = _hierarchy()
    inc = _frame(xy)
    new = cluster_incidents(inc, "nnh", min_points=3, study_area=1e8, quiet=True)
    with pytest.warns(FutureWarning, match=r"area= is now called study_area="):
        old = cluster_incidents(inc, "nnh", min_points=3, area=1e8, quiet=True)
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(HotspotInputError, match="pass only study_area="):
        cluster_incidents(inc, "nnh", min_points=3, area=1e8, study_area=1e8, quiet=True)


def test_study_area_frames_and_files_are_reprojected(tmp_path):
    xy, _ = _hierarchy()
    inc = _frame(xy + 400_000.0)
    low, high = xy.min(axis=0) + 400_000.0 - 1e3, xy.max(axis=0) + 400_000.0 + 1e3
    square = shapely.box(*low, *high)
    given = cluster_incidents(inc, "nnh", min_points=3, study_area=square, quiet=True)
    frame = gpd.GeoDataFrame(geometry=[square], crs="EPSG:27700").to_crs(4326)
    path = tmp_path / "area.geojson"
    frame.to_file(path)
    for area in (frame, frame.geometry, str(path), path):
        out = cluster_incidents(inc, "nnh", min_points=3, study_area=area, quiet=True)
        params = out.attrs["hotspot"]["cluster_incidents"]["params"]
        assert params["area_m2"] == pytest.approx(square.area, rel=1e-6), type(area)
        np.testing.assert_array_equal(out["cluster"], given["cluster"])
