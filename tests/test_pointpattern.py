"""Clark–Evans nearest-neighbour index and Ripley's K / L.

References: pointpats (mean nearest-neighbour distance, K and L without edge correction),
closed forms (the triangular lattice's R = 2.1491, Ripley's isotropic weights for a
rectangle), brute-force computations written independently in this file (isotropic weights by
sampling the circle, the border estimator by its definition) and planted ground truth.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial.distance import pdist, squareform

from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.simulate import simulate_incidents
from hotspot.stats import GlobalTest, SeriesTest
from hotspot.stats.pointpattern import nearest_neighbour_index, ripley


@pytest.fixture(scope="module")
def pointpats():
    """pointpats, the reference, imported by the tests that compare with it: importing it (and
    libpysal with it) takes a second or more, which every xdist worker paid while collecting."""
    return pytest.importorskip("pointpats")


CE_MAX = 2.0 * math.sqrt(2.0) / 3.0**0.25  # R of a triangular lattice, 2.1491
RIPLEY_COLUMNS = ["k", "l", "l_minus_d", "k_csr", "l_low", "l_high", "pvalue_sim"]


def _points(xy: np.ndarray, crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"value": np.arange(len(xy))}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs
    )


def _uniform(n: int, seed: int, side: float = 1000.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.0, side, size=(n, 2))


def _uniform_in(polygon: shapely.Geometry, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = polygon.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        p = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        out = np.vstack([out, p[shapely.contains_xy(polygon, p[:, 0], p[:, 1])]])
    return out[:n]


def _clustered(seed: int) -> gpd.GeoDataFrame:
    """Simulated incidents: a background plus two tight planted hotspots."""
    incidents, _ = simulate_incidents(
        n_background=300,
        hotspots=[
            {"x": 433000, "y": 434000, "radius": 60, "profile": "persistent", "rate": 2},
            {"x": 437000, "y": 433000, "radius": 60, "profile": "persistent", "rate": 2},
        ],
        periods=52,
        rng=seed,
    )
    return incidents


# =============================================================================== Clark–Evans


def test_nni_result_contract():
    inc = _points(_uniform(500, 0))
    before = inc.copy()
    result = nearest_neighbour_index(inc)
    assert isinstance(result, GlobalTest)
    assert result.name == "Clark–Evans nearest-neighbour index"
    assert result.expected == 1.0 and result.alternative == "two-sided"
    assert result.pvalue_sim is None and result.null_distribution is None
    assert result.variance > 0 and 0 <= result.pvalue <= 1
    for key in (
        "n",
        "n_outside",
        "area_m2",
        "area_source",
        "perimeter_m",
        "edge_correction",
        "observed_mean_distance",
        "expected_mean_distance",
        "standard_error",
        "n_duplicate_locations",
        "n_at_shared_locations",
        "study_area",
    ):
        assert key in result.params
    p = result.params
    assert p["n"] == 500 and p["area_source"] == "convex hull of the incidents"
    assert result.statistic == pytest.approx(
        p["observed_mean_distance"] / p["expected_mean_distance"]
    )
    assert result.z == pytest.approx((result.statistic - 1) / math.sqrt(result.variance))
    assert "Clark–Evans" in str(result)
    assert result.permutations == 0
    assert p["method"] == "nearest_neighbour_index" == result.method
    assert p["period"] is None and p["rng_seed"] is None  # no times; nothing random
    pd.testing.assert_frame_equal(inc, before)


def test_period_of_the_incidents_inside_the_study_area():
    xy = np.array([[10.0, 10], [20, 30], [40, 40], [70, 20], [500, 500]]) + 430_000
    inc = _points(xy).assign(
        time=pd.to_datetime(["2020-01-05", "2020-02-01", "2020-03-01", "2020-04-30", "2019-01-01"])
    )
    box = shapely.box(430_000, 430_000, 430_100, 430_100)
    with pytest.warns(HotspotWarning):
        nni = nearest_neighbour_index(inc, study_area=box)
    # the incident outside (2019) is not analysed, so not in the period
    assert nni.params["period"]["label"] == "2020-01-05 to 2020-04-30"
    with pytest.warns(HotspotWarning):
        k = ripley(inc, [20.0], study_area=box, permutations=0, quiet=True)
    assert k.params["period"] == nni.params["period"]
    assert nearest_neighbour_index(inc).params["period"]["start"] == "2019-01-01"


@pytest.mark.parametrize("test", ["nni", "ripley"])
def test_area_is_the_deprecated_name_of_study_area(test):
    inc = _points(_uniform(50, 6))
    square = shapely.box(0, 0, 1000, 1000)
    if test == "nni":
        run = nearest_neighbour_index
        new = run(inc, study_area=square)
    else:

        def run(incidents, **kwargs):
            return ripley(incidents, [50.0, 100.0], permutations=0, quiet=True, **kwargs)

        new = run(inc, study_area=square)
    with pytest.warns(FutureWarning, match="area= is now called study_area="):
        old = run(inc, area=square)
    if test == "nni":
        assert old.statistic == new.statistic and old.params["area_m2"] == 1e6
    else:
        pd.testing.assert_frame_equal(old.table, new.table)
    with pytest.raises(HotspotInputError, match="pass only study_area="):
        run(inc, area=square, study_area="bbox")


def test_study_area_from_a_file(tmp_path):
    inc = _points(_uniform(60, 2) + 430_000)
    box = shapely.box(430_000, 430_000, 431_000, 431_000)
    path = tmp_path / "area.geojson"
    gpd.GeoSeries([box], crs="EPSG:27700").to_crs("EPSG:4326").to_file(path)
    from_file = nearest_neighbour_index(inc, study_area=str(path))
    assert from_file.params["area_m2"] == pytest.approx(1e6, rel=1e-3)
    assert from_file.params["area_source"] == "given polygon"
    k = ripley(inc, [100.0], study_area=path, permutations=0, quiet=True)
    assert k.params["area_m2"] == pytest.approx(1e6, rel=1e-3)


def test_nni_hand_computed_square():
    # Four corners of a 10 m square in 100 m²: every nearest neighbour is 10 m away.
    inc = _points(np.array([[0.0, 0], [10, 0], [0, 10], [10, 10]]))
    result = nearest_neighbour_index(inc, study_area=100.0)
    expected = 0.5 * math.sqrt(100 / 4)
    se = 0.26136 / math.sqrt(4**2 / 100)
    assert result.statistic == pytest.approx(10 / expected)
    assert result.z == pytest.approx((10 - expected) / se)
    assert result.params["area_source"] == "given as a number (m²)"
    assert result.params["perimeter_m"] is None


def test_nni_triangular_lattice_is_the_maximum():
    s = 50.0
    q, r = (a.ravel() for a in np.meshgrid(np.arange(30.0), np.arange(30.0)))
    xy = np.column_stack([s * (q + r / 2.0), s * math.sqrt(3) / 2.0 * r]) + 400_000
    # Each point owns a hexagonal Voronoi cell of area sqrt(3)/2 s².
    area = len(xy) * math.sqrt(3) / 2.0 * s**2
    result = nearest_neighbour_index(_points(xy), study_area=area)
    assert result.params["observed_mean_distance"] == pytest.approx(s, rel=1e-9)
    assert result.statistic == pytest.approx(CE_MAX, rel=1e-9)
    assert round(result.statistic, 4) == 2.1491
    assert result.z > 0 and result.pvalue < 1e-10


@pytest.mark.filterwarnings("ignore::FutureWarning")  # pointpats' libpysal shapes
def test_nni_matches_pointpats(pointpats):
    xy = _uniform(800, 3) + [430_000, 430_000]
    result = nearest_neighbour_index(_points(xy))
    pp = pointpats.PointPattern(xy)
    assert result.params["observed_mean_distance"] == pytest.approx(pp.mean_nnd, rel=1e-12)
    assert result.params["area_m2"] == pytest.approx(pp.hull_area, rel=1e-9)
    expected = 0.5 / math.sqrt(pp.lambda_hull)
    assert result.statistic == pytest.approx(pp.mean_nnd / expected, rel=1e-9)


def test_nni_csr_is_close_to_one():
    square = shapely.box(0, 0, 10_000, 10_000)
    inc = _points(_uniform(10_000, 11, side=10_000))
    corrected = nearest_neighbour_index(inc, study_area=square, edge_correction="donnelly")
    se_r = math.sqrt(corrected.variance)
    assert abs(corrected.statistic - 1) < 3 * se_r
    assert abs(corrected.z) < 3
    p = corrected.params
    n, a, perimeter = 10_000, 1e8, 40_000.0
    assert p["perimeter_m"] == pytest.approx(perimeter)
    assert p["expected_mean_distance"] == pytest.approx(
        0.5 * math.sqrt(a / n) + (0.0514 + 0.041 / math.sqrt(n)) * perimeter / n
    )
    assert p["standard_error"] == pytest.approx(
        math.sqrt(0.0703 * a / n**2 + 0.037 * perimeter * math.sqrt(a / n**5))
    )
    # Without the correction the boundary lengthens distances: R is biased upwards.
    plain = nearest_neighbour_index(inc, study_area=square)
    assert plain.statistic > corrected.statistic
    assert abs(plain.statistic - 1) < 3 * math.sqrt(plain.variance)


def test_nni_clustered_simulation_is_significant():
    result = nearest_neighbour_index(_clustered(5), alternative="less")
    assert result.statistic < 1 and result.z < 0 and result.pvalue < 0.01
    two_sided = nearest_neighbour_index(_clustered(5))
    assert two_sided.pvalue == pytest.approx(2 * result.pvalue)


def test_nni_identical_locations_count_as_distance_zero():
    xy = np.array([[0.0, 0], [0, 0], [0, 0], [100, 0], [100, 0], [50, 80], [300, 300]])
    result = nearest_neighbour_index(_points(xy), study_area=1e5)
    assert result.params["n_duplicate_locations"] == 2
    assert result.params["n_at_shared_locations"] == 5
    nearest = [0, 0, 0, 0, 0, math.hypot(50, 80), math.hypot(250, 220)]
    assert result.params["observed_mean_distance"] == pytest.approx(np.mean(nearest))


@pytest.mark.parametrize(
    ("area", "source"), [("hull", "convex hull"), ("bbox", "bounding box"), (None, "convex hull")]
)
def test_nni_area_choices(area, source):
    xy = np.array([[0.0, 0], [100, 0], [0, 100], [20, 20], [60, 10]])
    result = nearest_neighbour_index(_points(xy), study_area=area)
    assert result.params["area_source"].startswith(source)
    expected_area = 5000.0 if source == "convex hull" else 10_000.0
    assert result.params["area_m2"] == pytest.approx(expected_area)


def test_nni_area_as_frames_and_outside_points_warn():
    xy = np.array([[10.0, 10], [20, 30], [40, 40], [70, 20], [500, 500]]) + 430_000
    inc = _points(xy)
    box = shapely.box(430_000, 430_000, 430_100, 430_100)
    frame = gpd.GeoDataFrame(geometry=[box], crs="EPSG:27700")
    with pytest.warns(HotspotWarning, match="1 of 5 incidents lie outside study_area"):
        result = nearest_neighbour_index(inc, study_area=frame)
    assert result.params["n"] == 4 and result.params["n_outside"] == 1
    assert result.params["area_m2"] == pytest.approx(10_000)
    # A GeoSeries in another CRS is reprojected to the incidents' CRS.
    series = frame.geometry.to_crs("EPSG:4326")
    with pytest.warns(HotspotWarning):
        again = nearest_neighbour_index(inc, study_area=series)
    assert again.params["area_m2"] == pytest.approx(10_000, rel=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"study_area": "circle"}, "study_area='circle' is not one of 'hull', 'bbox'"),
        ({"study_area": -5}, "study_area=-5 must be a positive number of square metres"),
        ({"study_area": [1, 2]}, "study_area must be 'hull', 'bbox', a polygon"),
        ({"edge_correction": "ripley"}, "edge_correction='ripley' is not one of None, 'donnelly'"),
        ({"edge_correction": "donnelly", "study_area": 1e6}, "perimeter"),
        ({"alternative": "clustered"}, "alternative='clustered' is not one of 'two-sided'"),
        ({"study_area": shapely.box(1e6, 1e6, 2e6, 2e6)}, "none of the"),
        ({"study_area": shapely.LineString([(0, 0), (1, 1)])}, "has no area"),
    ],
)
def test_nni_bad_options(kwargs, match):
    with pytest.raises(HotspotInputError, match=f"^nearest_neighbour_index: .*{match}"):
        nearest_neighbour_index(_points(_uniform(20, 1)), **kwargs)


def test_nni_bad_incidents():
    with pytest.raises(HotspotInputError, match="GeoDataFrame"):
        nearest_neighbour_index(pd.DataFrame({"x": [1, 2]}))
    with pytest.raises(HotspotInputError, match="at least 2"):
        nearest_neighbour_index(_points(np.array([[0.0, 0]])), study_area=100.0)
    with pytest.raises(HotspotInputError, match="one line or one location"):
        nearest_neighbour_index(_points(np.array([[0.0, 0], [0, 0], [0, 0]])))
    geographic = _points(np.array([[-1.5, 53.8], [-1.6, 53.7], [-1.4, 53.9]]), crs="EPSG:4326")
    with pytest.raises(HotspotInputError, match="to_crs"):
        nearest_neighbour_index(geographic)


# =============================================================================== Ripley: references


def test_ripley_none_matches_pointpats_k_and_l(pointpats):
    xy = _uniform(400, 7) + [430_000, 430_000]
    d = np.array([10.0, 25, 50, 75, 100, 150, 200])
    result = ripley(
        _points(xy), d, study_area="bbox", edge_correction="none", permutations=0, quiet=True
    )
    n = len(xy)
    # pointpats divides by n² (intensity n/A squared), hotspot by n (n - 1), as spatstat.
    _, k_pp = pointpats.k(xy, support=d)
    _, l_pp = pointpats.l(xy, support=d)
    np.testing.assert_allclose(result.table["k"], k_pp * n / (n - 1), rtol=1e-12)
    np.testing.assert_allclose(result.table["l"], l_pp * math.sqrt(n / (n - 1)), rtol=1e-12)
    np.testing.assert_allclose(result.table["l_minus_d"], result.table["l"] - d)
    np.testing.assert_allclose(result.table["k_csr"], np.pi * d**2)


def _ripley_rectangle_weight(xy: np.ndarray, dist: np.ndarray, a: float, b: float) -> np.ndarray:
    """Ripley's (1977) closed form of the isotropic weight in the rectangle [0, a] x [0, b],
    valid for distances below half of each side."""
    d1 = np.minimum(xy[:, 0], a - xy[:, 0])[:, None]
    d2 = np.minimum(xy[:, 1], b - xy[:, 1])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        c1 = np.arccos(np.minimum(d1, dist) / dist)
        c2 = np.arccos(np.minimum(d2, dist) / dist)
        corner = dist**2 > d1**2 + d2**2
        outside = np.where(corner, 0.25 + (c1 + c2) / (2 * np.pi), (c1 + c2) / np.pi)
    return 1.0 / (1.0 - outside)


def test_ripley_isotropic_matches_closed_form_in_a_rectangle():
    a, b = 1000.0, 600.0
    xy = _uniform(300, 21) * [a / 1000, b / 1000]
    xy[:5] = xy[5:10]  # a few identical locations
    d = np.array([20.0, 50, 100, 150, 250])
    result = ripley(
        _points(xy),
        d,
        study_area=shapely.box(0, 0, a, b),
        edge_correction="isotropic",
        permutations=0,
    )
    dist = squareform(pdist(xy))
    np.fill_diagonal(dist, np.inf)
    weight = np.where(dist > 0, _ripley_rectangle_weight(xy, dist, a, b), 1.0)
    n = len(xy)
    expected = [a * b / (n * (n - 1)) * (weight * (dist <= r)).sum() for r in d]
    np.testing.assert_allclose(result.table["k"], expected, rtol=1e-10)


L_WITH_HOLE = shapely.Polygon(
    [(0, 0), (1000, 0), (1000, 400), (600, 400), (600, 1000), (0, 1000)]
).difference(shapely.Point(300, 300).buffer(120, quad_segs=8))
TWO_SQUARES = shapely.MultiPolygon([shapely.box(0, 0, 400, 400), shapely.box(500, 0, 900, 400)])
DISC = shapely.Point(500, 500).buffer(500, quad_segs=100)  # 400 boundary segments


@pytest.mark.parametrize("polygon", [L_WITH_HOLE, TWO_SQUARES, DISC], ids=["hole", "multi", "disc"])
def test_ripley_isotropic_matches_sampled_circles(polygon):
    xy = _uniform_in(polygon, 60, 4)
    d = np.array([50.0, 150, 300])
    result = ripley(_points(xy), d, study_area=polygon, edge_correction="isotropic", permutations=0)
    # Reference: the share of 4000 equally spaced points of each circle inside the polygon.
    dist = squareform(pdist(xy))
    i, j = np.nonzero((dist > 0) & (dist <= d[-1]))
    angles = np.linspace(0, 2 * np.pi, 4000, endpoint=False)
    px = xy[i, 0, None] + dist[i, j, None] * np.cos(angles)
    py = xy[i, 1, None] + dist[i, j, None] * np.sin(angles)
    share = shapely.contains_xy(polygon, px, py).mean(axis=1)
    weight = np.minimum(1 / share, 100)
    n = len(xy)
    expected = [polygon.area / (n * (n - 1)) * weight[dist[i, j] <= r].sum() for r in d]
    np.testing.assert_allclose(result.table["k"], expected, rtol=2e-3)


def test_ripley_isotropic_is_unbiased_under_csr():
    # With lambda² estimated by n (n - 1) / A², the isotropic estimator is exactly unbiased
    # for uniform points (while no weight is capped): the mean of K over many patterns in a
    # non-convex window with a hole is pi d² within Monte Carlo error.
    polygon = L_WITH_HOLE
    d = np.array([50.0, 100, 150])
    ks = np.array(
        [
            ripley(
                _points(_uniform_in(polygon, 80, seed)),
                d,
                study_area=polygon,
                edge_correction="isotropic",
                permutations=0,
            ).table["k"]
            for seed in range(150)
        ]
    )
    ratio = ks.mean(axis=0) / (np.pi * d**2)
    se = ks.std(axis=0) / np.sqrt(len(ks)) / (np.pi * d**2)
    assert np.all(np.abs(ratio - 1) < 4 * se)
    assert np.all(se < 0.02)


PENTAGON = shapely.Polygon([(0, 0), (900, 100), (1000, 800), (300, 1000), (-100, 500)])


@pytest.mark.parametrize("polygon", [PENTAGON, DISC], ids=["pentagon", "disc"])
def test_ripley_border_matches_its_definition(polygon):
    xy = _uniform_in(polygon, 250, 8)
    xy[:6] = xy[6:12]
    d = np.array([30.0, 80, 150, 250])
    result = ripley(_points(xy), d, study_area=polygon, edge_correction="border", permutations=0)
    dist = squareform(pdist(xy))
    np.fill_diagonal(dist, np.inf)
    b = shapely.distance(polygon.boundary, shapely.points(xy))
    n = len(xy)
    for r, k in zip(d, result.table["k"], strict=True):
        centres = b >= r
        pairs = (dist[centres] <= r).sum()
        assert k == pytest.approx(polygon.area / n * pairs / centres.sum(), rel=1e-12)


def test_ripley_identical_locations_are_pairs_at_distance_zero():
    xy = np.array([[100.0, 100], [100, 100], [100, 100], [400, 300], [700, 800], [420, 310]])
    result = ripley(
        _points(xy),
        [1.0, 50.0],
        study_area=shapely.box(0, 0, 1000, 1000),
        edge_correction="none",
        permutations=0,
    )
    # 3 incidents on one spot: 6 ordered pairs at distance 0; (400, 300)-(420, 310) within 50.
    n = len(xy)
    assert result.table["k"].tolist() == pytest.approx(
        [1e6 * 6 / (n * (n - 1)), 1e6 * 8 / (n * (n - 1))]
    )


# =============================================================================== Ripley: inference


def test_ripley_contract_and_reproducibility():
    inc = _points(_uniform(300, 2))
    before = inc.copy()
    d = [25, 50, 100]
    first = ripley(inc, d, permutations=19, rng=42, quiet=True)
    again = ripley(inc, d, permutations=19, rng=42, quiet=True)
    other = ripley(inc, d, permutations=19, rng=43, quiet=True)
    assert isinstance(first, SeriesTest) and first.name == "Ripley's L"
    table = first.table
    assert list(table.columns) == RIPLEY_COLUMNS
    assert table.index.name == "distance" and table.index.tolist() == [25.0, 50.0, 100.0]
    assert (table.dtypes == "float64").all()
    pd.testing.assert_frame_equal(table, again.table)
    # the GlobalTest vocabulary, one value per distance
    for series in (first.statistic, first.expected, first.z, first.pvalue):
        assert series.index.equals(table.index)
    np.testing.assert_array_equal(first.statistic, table["l"])
    np.testing.assert_array_equal(first.expected, table.index)  # L = d under CSR
    assert first.z.isna().all()  # no analytical test
    np.testing.assert_array_equal(first.pvalue, table["pvalue_sim"])
    assert first.permutations == 19 and first.alternative == "two-sided"
    assert not np.allclose(first.table["l_high"], other.table["l_high"])
    pd.testing.assert_frame_equal(inc, before)
    assert (first.table["l_low"] <= first.table["l_high"]).all()
    assert ((first.table["pvalue_sim"] >= 1 / 20) & (first.table["pvalue_sim"] <= 1)).all()
    meta = first.params
    assert meta["n"] == 300 and meta["edge_correction"] == "isotropic"
    assert meta["permutations"] == 19 and meta["seed"] == 42 and meta["envelope"] == "minmax"
    assert meta["area_source"] == "convex hull of the incidents" and not meta["subsampled"]
    assert meta["method"] == "ripley" == first.method and meta["rng_seed"] == 42
    assert meta["period"] is None  # the points have no times
    # the table keeps the record it had when ripley returned it
    assert table.attrs["hotspot"]["ripley"]["seed"] == 42
    assert table.attrs["hotspot"]["method"] == "ripley"


def test_ripley_csr_stays_inside_the_envelope():
    # Pointwise, CSR leaves a 39-simulation min/max envelope with probability 2/40; the
    # estimates at nearby distances are strongly correlated, so average over 12 patterns.
    square = shapely.box(0, 0, 1000, 1000)
    d = np.linspace(20, 200, 10)
    inside = []
    for seed in range(12):
        inc = _points(_uniform(300, 100 + seed))
        result = ripley(inc, d, study_area=square, permutations=39, rng=seed, quiet=True)
        inside.append(
            (
                (result.table["l"] >= result.table["l_low"])
                & (result.table["l"] <= result.table["l_high"])
            ).mean()
        )
        assert result.table["l_minus_d"].abs().max() < 12  # edge-corrected: L(d) - d near 0
    assert np.mean(inside) >= 0.85


def test_ripley_planted_clusters_exceed_the_envelope():
    inc = _clustered(3)
    result = ripley(
        inc, [50, 100, 200, 400], permutations=39, alternative="greater", rng=1, quiet=True
    )
    assert (result.table["l"] > result.table["l_high"]).all()
    assert (result.table["l_minus_d"] > 0).all()
    assert (result.table["pvalue_sim"] == 1 / 40).all()


def test_ripley_quantile_envelope_is_inside_minmax():
    inc = _points(_uniform(200, 9))
    minmax = ripley(inc, [30, 60], permutations=39, rng=5, quiet=True)
    quantile = ripley(inc, [30, 60], permutations=39, envelope=0.9, rng=5, quiet=True)
    assert (quantile.table["l_low"] >= minmax.table["l_low"]).all()
    assert (quantile.table["l_high"] <= minmax.table["l_high"]).all()
    pd.testing.assert_series_equal(quantile.table["k"], minmax.table["k"])


def test_ripley_auto_announces_and_switches_to_border(capsys):
    ripley(_points(_uniform(100, 1)), [50], permutations=0)
    assert "edge_correction='auto': using 'isotropic'" in capsys.readouterr().err
    big = ripley(_points(_uniform(3001, 1)), [50], permutations=0)
    assert "using 'border'" in capsys.readouterr().err
    assert big.params["edge_correction"] == "border"
    ripley(_points(_uniform(100, 1)), [50], permutations=0, quiet=True)
    assert capsys.readouterr().err == ""


def test_ripley_real_data_is_subsampled_with_a_warning(toronto):
    with pytest.warns(HotspotWarning, match="random subsample of 20,000"):
        result = ripley(toronto, [250, 500, 1000], permutations=3, rng=0, quiet=True)
    meta = result.params
    assert meta["subsampled"] and meta["n"] == 20_000 and meta["n_input"] == len(toronto)
    assert meta["edge_correction"] == "border"
    assert (
        result.table["l"] > result.table["l_high"]
    ).all()  # crime is clustered at every distance


def test_ripley_result_still_reads_as_its_table_with_a_warning():
    result = ripley(_points(_uniform(100, 3)), [50, 100], permutations=0, quiet=True)
    with pytest.warns(FutureWarning, match=r"ripley\(\) now returns a SeriesTest"):
        l_values = result["l"]
    pd.testing.assert_series_equal(l_values, result.table["l"])
    with pytest.warns(FutureWarning):
        assert result.attrs["hotspot"]["ripley"]["n"] == 100


def test_ripley_no_subsample_below_max_points():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ripley(_points(_uniform(50, 1)), [50], permutations=0, max_points=50, quiet=True)
    assert result.table["l_low"].isna().all() and result.table["pvalue_sim"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"distances": "100"}, "distances='100' must be a list or array"),
        ({"distances": []}, "non-empty"),
        ({"distances": [0, 100]}, "positive finite"),
        ({"distances": [[1, 2], [3, 4]]}, "1-D"),
        ({"study_area": 1e6}, "shape, not only its size"),
        ({"edge_correction": "ripley"}, "'isotropic', 'border', 'none'"),
        ({"permutations": -1}, "permutations=-1 must be at least 0"),
        ({"permutations": 9.0}, "permutations=9.0 must be a whole number"),
        ({"envelope": "pointwise"}, "envelope='pointwise' is not 'minmax' or a level"),
        ({"envelope": 95}, "level in"),
        ({"envelope": [0.9]}, r"envelope=\[0.9\] is not 'minmax'"),
        ({"max_points": 1}, "max_points=1 must be at least 3"),
        ({"max_points": 2.5}, "max_points=2.5 must be a whole number"),
        ({"rng": "seed"}, "rng='seed' must be None, an int seed"),
        ({"alternative": "clustered"}, "alternative='clustered' is not one of"),
        ({"study_area": "circle"}, "study_area='circle' is not one of 'hull', 'bbox'"),
    ],
)
def test_ripley_bad_options(kwargs, match):
    args = {"distances": [50, 100], "permutations": 0, **kwargs}
    with pytest.raises(HotspotInputError, match=f"^ripley: .*{match}"):
        ripley(_points(_uniform(20, 1)), quiet=True, **args)
