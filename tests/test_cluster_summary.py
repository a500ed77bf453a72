"""The standard deviational ellipse and ``cluster_summary``.

References: the closed form of a rotated bivariate Gaussian (axes, orientation, the share of
points inside 1- and 2-SD ellipses), Yuill's / CrimeStat's trigonometric formula for the
ellipse written independently in this file, hand-made toys (category shares, time spans,
degenerate clusters) and the equivalence of weights and repeated points.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspot.clustering.cluster import cluster_incidents
from hotspot.clustering.ellipse import StandardDeviationalEllipse, standard_deviational_ellipse
from hotspot.clustering.summary import DEGENERATE_BUFFER_M, cluster_summary
from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.simulate import simulate_incidents

BASE_COLUMNS = [
    "order",
    "n_incidents",
    "n_locations",
    "area_km2",
    "density_km2",
    "centre_x",
    "centre_y",
    "ellipse_angle",
    "ellipse_major_m",
    "ellipse_minor_m",
]


def _gaussian(n: int, sigmas: tuple[float, float], degrees_ccw_from_east: float, seed: int):
    rng = np.random.default_rng(seed)
    t = math.radians(degrees_ccw_from_east)
    rotation = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    z = rng.normal(size=(n, 2)) * np.asarray(sigmas)
    return z @ rotation.T + np.array([431_000.0, 433_000.0])


def _yuill(x: np.ndarray, y: np.ndarray, dof: float, factor: float) -> tuple[float, float, float]:
    """The textbook trigonometric SDE (Yuill 1971; CrimeStat ch. 4): rotation clockwise from
    north, tan(theta) = (A + B) / C, then the deviations along the rotated axes."""
    dx, dy = x - x.mean(), y - y.mean()
    a = (dx**2).sum() - (dy**2).sum()
    c = 2.0 * (dx * dy).sum()
    b = math.sqrt(a**2 + c**2)
    theta = math.atan((a + b) / c)
    s1 = math.sqrt(factor * ((dx * math.cos(theta) - dy * math.sin(theta)) ** 2).sum() / dof)
    s2 = math.sqrt(factor * ((dx * math.sin(theta) + dy * math.cos(theta)) ** 2).sum() / dof)
    return math.degrees(theta) % 180.0, max(s1, s2), min(s1, s2)


def _incidents(xy: np.ndarray, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700"
    )


def _clustered(xy: np.ndarray, labels, method: str = "manual", **columns) -> gpd.GeoDataFrame:
    frame = _incidents(xy, **columns)
    frame["cluster"] = np.asarray(labels, dtype=np.int64)
    frame.attrs["hotspot"] = {
        "kind": "incidents",
        "method": "cluster_incidents",
        "period": None,
        "cluster_incidents": {
            "algorithm": method,
            "params": {"eps": 50.0},
            "n_clusters": int(frame["cluster"].max() + 1),
            "n_noise": int((frame["cluster"] < 0).sum()),
            "cluster_info": {},
        },
    }
    return frame


# =============================================================================== ellipse


def test_ellipse_records_what_made_it():
    sde = standard_deviational_ellipse([0.0, 2.0, 0.0], [1.0, 0.0, -1.0], [1, 2, 1])
    assert sde.method == "standard_deviational_ellipse"
    assert sde.params == {
        "method": "standard_deviational_ellipse",
        "period": None,
        "rng_seed": None,
        "correction": None,
        "n_std": 1.0,
        "weighted": True,
    }
    with pytest.raises(HotspotInputError, match="n_vertices=3 must be at least 4"):
        sde.polygon(n_vertices=3)


def test_ellipse_weights_is_the_old_name_of_incident_weights():
    x, y, w = [0.0, 2.0, 0.0, 1.0], [1.0, 0.0, -1.0, 3.0], [1, 2, 1, 3]
    new = standard_deviational_ellipse(x, y, incident_weights=w)
    with pytest.warns(FutureWarning, match="weights= is now called incident_weights="):
        old = standard_deviational_ellipse(x, y, weights=w)
    assert old == new and old.params == new.params
    assert standard_deviational_ellipse(x, y, w) == new  # positionally, as before
    with pytest.raises(HotspotInputError, match="pass only incident_weights="):
        standard_deviational_ellipse(x, y, w, weights=w)


def test_ellipse_of_a_rotated_gaussian_matches_the_closed_form():
    xy = _gaussian(200_000, (300.0, 100.0), 30.0, seed=0)
    sde = standard_deviational_ellipse(xy[:, 0], xy[:, 1])
    assert isinstance(sde, StandardDeviationalEllipse)
    assert sde.sigma_x == pytest.approx(300.0, rel=0.02)
    assert sde.sigma_y == pytest.approx(100.0, rel=0.02)
    assert sde.angle == pytest.approx(60.0, rel=0.02)  # 30° from east = 60° clockwise from north
    assert math.degrees(sde.theta) == pytest.approx(30.0, rel=0.02)
    assert sde.centre == pytest.approx((431_000.0, 433_000.0), abs=2.0)
    # the share of a bivariate normal inside k standard deviations: 1 - exp(-k²/2)
    for k in (1.0, 2.0):
        inside = shapely.contains_xy(sde.polygon(k, n_vertices=360), xy[:, 0], xy[:, 1]).mean()
        assert inside == pytest.approx(1 - math.exp(-(k**2) / 2), abs=0.005)


@pytest.mark.parametrize("degrees", [-75.0, -10.0, 0.0, 45.0, 89.0, 120.0])
def test_ellipse_orientation_conventions(degrees):
    xy = _gaussian(20_000, (200.0, 50.0), degrees, seed=1)
    sde = standard_deviational_ellipse(xy[:, 0], xy[:, 1])
    expected_theta = degrees % 180.0
    diff = (math.degrees(sde.theta) - expected_theta + 90.0) % 180.0 - 90.0
    assert abs(diff) < 1.5
    assert 0.0 <= sde.angle < 180.0 and 0.0 <= sde.theta < math.pi
    assert sde.angle == pytest.approx((90.0 - math.degrees(sde.theta)) % 180.0, abs=1e-9)


@pytest.mark.parametrize(
    ("correction", "dof", "factor"),
    [(None, "n", 1.0), ("arcgis", "n", 2.0), ("crimestat", "n-2", 2.0)],
)
def test_ellipse_matches_the_trigonometric_formula(correction, dof, factor):
    rng = np.random.default_rng(4)
    xy = rng.normal(size=(40, 2)) @ np.array([[40.0, 15.0], [-5.0, 20.0]]) + 1000.0
    n = len(xy)
    angle, major, minor = _yuill(xy[:, 0], xy[:, 1], n if dof == "n" else n - 2, factor)
    sde = standard_deviational_ellipse(xy[:, 0], xy[:, 1], correction=correction)
    assert sde.angle == pytest.approx(angle, abs=1e-9)
    assert sde.sigma_x == pytest.approx(major, rel=1e-10)
    assert sde.sigma_y == pytest.approx(minor, rel=1e-10)
    assert sde.correction == correction


def test_corrections_are_constant_factors():
    xy = _gaussian(500, (80.0, 30.0), 10.0, seed=2)
    plain = standard_deviational_ellipse(xy[:, 0], xy[:, 1])
    arc = standard_deviational_ellipse(xy[:, 0], xy[:, 1], correction="arcgis")
    crime = standard_deviational_ellipse(xy[:, 0], xy[:, 1], correction="crimestat")
    assert arc.sigma_x / plain.sigma_x == pytest.approx(math.sqrt(2))
    assert crime.sigma_y / plain.sigma_y == pytest.approx(math.sqrt(2 * 500 / 498))
    assert arc.angle == plain.angle == crime.angle
    # standard distance: sigma_x² + sigma_y² is the mean squared distance from the centre
    d2 = ((xy - xy.mean(axis=0)) ** 2).sum(axis=1).mean()
    assert plain.sigma_x**2 + plain.sigma_y**2 == pytest.approx(d2)


@pytest.mark.parametrize("correction", [None, "arcgis", "crimestat"])
def test_weights_equal_repeated_points(correction):
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 500, size=(30, 2))
    w = rng.integers(1, 6, size=30)
    weighted = standard_deviational_ellipse(xy[:, 0], xy[:, 1], w, correction=correction)
    rep = np.repeat(xy, w, axis=0)
    repeated = standard_deviational_ellipse(rep[:, 0], rep[:, 1], correction=correction)
    for field in ("sigma_x", "sigma_y", "angle", "theta", "total_weight"):
        assert getattr(weighted, field) == pytest.approx(getattr(repeated, field), rel=1e-10)
    assert weighted.centre == pytest.approx(repeated.centre, rel=1e-12)
    ignored = standard_deviational_ellipse(  # a point of weight 0 is left out
        np.append(xy[:, 0], 9e5), np.append(xy[:, 1], 9e5), np.append(w, 0), correction=correction
    )
    assert ignored.sigma_x == pytest.approx(weighted.sigma_x) and ignored.n == 30


def test_polygon_lies_on_the_ellipse():
    xy = _gaussian(2_000, (120.0, 40.0), 70.0, seed=3)
    sde = standard_deviational_ellipse(xy[:, 0], xy[:, 1], n_std=2.0)
    ring = np.asarray(sde.polygon().exterior.coords)[:-1]
    assert len(ring) == 72
    u = ring - np.asarray(sde.centre)
    c, s = math.cos(sde.theta), math.sin(sde.theta)
    along, across = u @ np.array([c, s]), u @ np.array([-s, c])
    assert np.allclose((along / sde.semi_major) ** 2 + (across / sde.semi_minor) ** 2, 1.0)
    assert sde.semi_major == 2.0 * sde.sigma_x
    assert sde.area == pytest.approx(math.pi * 4 * sde.sigma_x * sde.sigma_y)
    assert sde.polygon(1.0).area == pytest.approx(sde.area / 4, rel=0.01)


def test_degenerate_ellipses():
    line = standard_deviational_ellipse([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0])
    assert line.degenerate and line.sigma_y == 0.0 and line.sigma_x > 0
    assert line.angle == pytest.approx(45.0) and line.polygon().is_empty
    two = standard_deviational_ellipse([0.0, 0.0], [0.0, 10.0])
    assert two.degenerate and two.sigma_x == pytest.approx(5.0) and two.angle == pytest.approx(0.0)
    one = standard_deviational_ellipse([3.0, 3.0, 3.0], [4.0, 4.0, 4.0])
    assert one.degenerate and one.sigma_x == one.sigma_y == 0.0
    assert math.isnan(one.angle) and math.isnan(one.theta) and one.centre == (3.0, 4.0)
    circle = standard_deviational_ellipse([1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0])
    assert not circle.degenerate and math.isnan(circle.angle)
    assert circle.sigma_x == pytest.approx(circle.sigma_y)
    assert circle.polygon().area > 0


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([], []), {}, HotspotInputError, "at least one point"),
        (([1.0, 2.0], [1.0]), {}, HotspotInputError, "differ in length"),
        (([1.0, np.nan], [1.0, 2.0]), {}, HotspotInputError, "finite"),
        (([1.0, 2.0], [1.0, 2.0], [1.0, -1.0]), {}, HotspotInputError, "non-negative"),
        (([1.0, 2.0], [1.0, 2.0], [0.0, 0.0]), {}, HotspotInputError, "positive weight"),
        (([1.0, 2.0], [1.0, 2.0], [1.0]), {}, HotspotInputError, "one weight per point"),
        ((["a", "b"], [1.0, 2.0]), {}, HotspotInputError, "numbers"),
        (([1.0, 2.0], [1.0, 2.0]), {"correction": "esri"}, HotspotInputError, "'arcgis'"),
        (([1.0, 2.0], [1.0, 2.0]), {"correction": "crimestat"}, HotspotInputError, "N - 2"),
        (
            ([1.0, 2.0], [1.0, 2.0]),
            {"n_std": 0},
            HotspotInputError,
            "n_std=0 must be a positive number",
        ),
        (([1.0, 2.0], [1.0, 2.0]), {"n_std": "1"}, HotspotInputError, "n_std='1' must be"),
    ],
)
def test_ellipse_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        standard_deviational_ellipse(*args, **kwargs)


# =============================================================================== summary: contract


def _three_clusters(seed: int = 0) -> gpd.GeoDataFrame:
    """Two Gaussian clusters, one tight one, and noise; time and category columns."""
    rng = np.random.default_rng(seed)
    a = _gaussian(400, (120.0, 40.0), 30.0, seed)
    b = _gaussian(150, (50.0, 50.0), 0.0, seed + 1) + 3000.0
    c = np.round(_gaussian(60, (20.0, 20.0), 0.0, seed + 2) - 3000.0, -1)  # duplicates
    noise = rng.uniform(425_000, 437_000, size=(90, 2))
    xy = np.vstack([a, b, c, noise])
    labels = np.r_[np.zeros(400), np.ones(150), np.full(60, 2), np.full(90, -1)]
    time = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, len(xy)), "D")
    category = rng.choice(["Assault", "Robbery", "Theft"], size=len(xy), p=[0.5, 0.3, 0.2])
    frame = _clustered(xy, labels, time=time, category=pd.Series(category, dtype="str"))
    return frame


def test_summary_contract():
    clustered = _three_clusters()
    before = clustered.copy()
    attrs_before = repr(clustered.attrs)
    out = cluster_summary(clustered)
    assert isinstance(out, gpd.GeoDataFrame)
    assert list(out.columns) == BASE_COLUMNS + [
        "first_time",
        "last_time",
        "top_categories",
        "persistence",
        "hull",
        "ellipse_1sd",
        "ellipse_2sd",
    ]
    assert out.geometry.name == "hull" and out.crs == clustered.crs
    assert out["ellipse_1sd"].crs == clustered.crs and out["ellipse_2sd"].crs == clustered.crs
    assert out.index.name == "cluster" and out.index.dtype == np.int64
    assert out.index.tolist() == [0, 1, 2]
    for col in ("order", "n_incidents", "n_locations"):
        assert out[col].dtype == np.int64
    for col in BASE_COLUMNS[3:] + ["persistence"]:
        assert out[col].dtype == np.float64
    assert out["first_time"].dtype == clustered["time"].dtype
    assert out["top_categories"].dtype == "str"
    assert (out["order"] == 1).all() and out["persistence"].isna().all()
    assert out["n_incidents"].tolist() == [400, 150, 60]
    assert (out["n_locations"] <= out["n_incidents"]).all() and out.loc[2, "n_locations"] < 60
    pd.testing.assert_frame_equal(clustered, before)
    assert repr(clustered.attrs) == attrs_before
    meta = out.attrs["hotspot"]
    assert meta["kind"] == "clusters" and meta["method"] == "cluster_summary"
    assert meta["period"]["label"] and meta["rng_seed"] is None
    record = meta["cluster_incidents"]
    assert record["algorithm"] == "manual" and record["params"] == {"eps": 50.0}
    assert record is not clustered.attrs["hotspot"]["cluster_incidents"]  # a copy
    params = meta["cluster_summary"]
    assert params["top_categories"] == 3 and params["orders"] == [1]


def test_counts_add_up_and_hulls_contain_their_points():
    clustered = _three_clusters(1)
    out = cluster_summary(clustered)
    assert out["n_incidents"].sum() == (clustered["cluster"] >= 0).sum()
    for label, row in out.iterrows():
        members = clustered[clustered["cluster"] == label]
        assert row["n_incidents"] == len(members)
        assert row["n_locations"] == len(members.geometry.drop_duplicates())
        hull = row["hull"].buffer(1e-6)
        assert shapely.contains_xy(hull, members.geometry.x, members.geometry.y).all()
        assert row["area_km2"] == pytest.approx(row["hull"].area / 1e6)
        assert row["density_km2"] == pytest.approx(len(members) / row["area_km2"])
        assert row["centre_x"] == pytest.approx(members.geometry.x.mean())
        assert row["centre_y"] == pytest.approx(members.geometry.y.mean())


@pytest.mark.parametrize("correction", [None, "arcgis", "crimestat"])
def test_summary_ellipse_matches_the_ellipse_function(correction):
    clustered = _three_clusters(2)
    out = cluster_summary(clustered, ellipse_correction=correction)
    for label in out.index:
        members = clustered[clustered["cluster"] == label]
        sde = standard_deviational_ellipse(
            members.geometry.x, members.geometry.y, correction=correction
        )
        row = out.loc[label]
        assert row["ellipse_major_m"] == pytest.approx(sde.sigma_x, rel=1e-9)
        assert row["ellipse_minor_m"] == pytest.approx(sde.sigma_y, rel=1e-9)
        assert row["ellipse_angle"] == pytest.approx(sde.angle, abs=1e-7)
        assert row["ellipse_1sd"].equals_exact(sde.polygon(1.0), tolerance=1e-6)
        assert row["ellipse_2sd"].equals_exact(sde.polygon(2.0), tolerance=1e-6)
    gaussian = out.loc[0]  # 120 m x 40 m, 30° from east: 60° clockwise from north
    if correction is None:
        assert gaussian["ellipse_major_m"] == pytest.approx(120.0, rel=0.1)
        assert gaussian["ellipse_angle"] == pytest.approx(60.0, abs=5.0)


def test_top_categories_string_on_a_toy():
    xy = np.column_stack([np.arange(14.0) * 3.0, np.zeros(14)]) + [[0.0, 0.0]]
    xy[:, 1] = np.arange(14.0) % 3  # not collinear
    category = ["Assault"] * 5 + ["Robbery"] * 2 + ["Burglary"] * 2 + ["Theft"] + [None]
    category += ["Theft"] * 3
    labels = [0] * 11 + [1] * 3
    clustered = _clustered(xy, labels, category=pd.Series(category, dtype="str"))
    out = cluster_summary(clustered)
    # shares of all 11 incidents (the missing category counts in the total), ties by name
    assert out.loc[0, "top_categories"] == "Assault 45 %, Burglary 18 %, Robbery 18 %"
    assert out.loc[1, "top_categories"] == "Theft 100 %"
    two = cluster_summary(clustered, top_categories=1)
    assert two.loc[0, "top_categories"] == "Assault 45 %"
    many = np.column_stack([np.arange(300.0), np.arange(300.0) % 7])
    cats = ["Assault"] * 299 + ["Arson"]
    small = cluster_summary(_clustered(many, [0] * 300, category=cats), top_categories=5)
    assert small.loc[0, "top_categories"] == "Assault 100 %, Arson <1 %"


def test_first_and_last_time():
    xy = np.column_stack([np.arange(6.0), np.arange(6.0) ** 2])
    time = pd.to_datetime(
        ["2024-03-05", "2024-01-02", "2024-07-09", "2023-12-31", "2024-02-01", "2025-01-01"]
    )
    clustered = _clustered(xy, [0, 0, 0, 1, 1, -1], time=time)
    out = cluster_summary(clustered)
    assert out.loc[0, "first_time"] == pd.Timestamp("2024-01-02")
    assert out.loc[0, "last_time"] == pd.Timestamp("2024-07-09")
    assert out.loc[1, "first_time"] == pd.Timestamp("2023-12-31")
    assert out.loc[1, "last_time"] == pd.Timestamp("2024-02-01")
    assert "top_categories" not in out.columns
    aware = clustered.assign(time=clustered["time"].dt.tz_localize("Europe/London"))
    assert cluster_summary(aware)["first_time"].dt.tz is not None


def test_degenerate_clusters():
    xy = np.array(
        [[0.0, 0.0]] * 4  # one location, four incidents
        + [[1000.0, 0.0], [1000.0, 30.0], [1000.0, 30.0]]  # two locations
        + [[2000.0, 0.0], [2010.0, 10.0], [2020.0, 20.0], [2040.0, 40.0]]  # collinear
        + [[3000.0, 0.0], [3010.0, 0.0], [3000.0, 10.0]]  # a proper triangle
    )
    labels = [0] * 4 + [1] * 3 + [2] * 4 + [3] * 3
    out = cluster_summary(_clustered(xy, labels))
    assert out["n_locations"].tolist() == [1, 2, 4, 3]
    for label in (0, 1, 2):
        row = out.loc[label]
        assert row["area_km2"] == 0.0 and math.isnan(row["density_km2"])
        assert row["hull"].geom_type == "Polygon" and row["hull"].area > 0
        assert row["ellipse_1sd"].is_empty and row["ellipse_2sd"].is_empty
        assert row["ellipse_minor_m"] == 0.0
    assert out.loc[0, "hull"].area == pytest.approx(math.pi * DEGENERATE_BUFFER_M**2, rel=0.02)
    assert out.loc[0, "ellipse_major_m"] == 0.0 and math.isnan(out.loc[0, "ellipse_angle"])
    assert out.loc[1, "ellipse_angle"] == pytest.approx(0.0)  # north-south segment
    assert out.loc[1, "ellipse_major_m"] == pytest.approx(np.std([0.0, 30.0, 30.0]))
    assert out.loc[2, "ellipse_angle"] == pytest.approx(45.0)
    points = xy[7:11]
    assert shapely.contains_xy(out.loc[2, "hull"], points[:, 0], points[:, 1]).all()
    triangle = out.loc[3]
    assert triangle["area_km2"] == pytest.approx(50.0 / 1e6)
    assert triangle["density_km2"] == pytest.approx(3 / 50e-6)
    assert not triangle["ellipse_1sd"].is_empty
    crimestat = cluster_summary(_clustered(xy, labels), ellipse_correction="crimestat")
    assert not crimestat.loc[3, "ellipse_1sd"].is_empty  # three incidents: N - 2 = 1 works
    pair = cluster_summary(
        _clustered(xy[[4, 5]], [0, 0]), ellipse_correction="crimestat"
    )  # two incidents: CrimeStat's N - 2 is 0, so no ellipse
    assert math.isnan(pair.loc[0, "ellipse_major_m"]) and pair.loc[0, "ellipse_1sd"].is_empty


def test_noise_only_gives_an_empty_table():
    xy = np.column_stack([np.arange(5.0), np.arange(5.0) ** 2])
    out = cluster_summary(_clustered(xy, [-1] * 5, time=pd.date_range("2024", periods=5)))
    assert len(out) == 0 and out.geometry.name == "hull"
    assert list(out.columns) == BASE_COLUMNS + [
        "first_time",
        "last_time",
        "persistence",
        "hull",
        "ellipse_1sd",
        "ellipse_2sd",
    ]
    assert out["n_incidents"].dtype == np.int64 and out.index.dtype == np.int64


def test_persistence_from_attrs():
    clustered = _three_clusters(3)
    clustered.attrs["hotspot"]["cluster_incidents"]["cluster_info"] = {
        "persistence": {0: 0.8, "2": 0.1}
    }
    out = cluster_summary(clustered)
    assert out.loc[0, "persistence"] == 0.8 and out.loc[2, "persistence"] == 0.1
    assert math.isnan(out.loc[1, "persistence"])


def test_non_datetime_time_is_skipped_with_a_warning():
    clustered = _three_clusters(4)
    clustered["time"] = clustered["time"].dt.strftime("%Y-%m-%d")
    with pytest.warns(HotspotWarning, match="pd.to_datetime"):
        out = cluster_summary(clustered)
    assert "first_time" not in out.columns


# =============================================================================== summary: methods


def test_summary_of_nnh_orders():
    rng = np.random.default_rng(0)
    centres = [(0, 0), (600, 0), (0, 600), (600, 600), (20_000, 0), (20_600, 0), (20_300, 500)]
    xy = np.vstack([np.asarray(c) + rng.uniform(-5, 5, size=(50, 2)) for c in centres])
    inc = _incidents(xy + 400_000.0, category=pd.Series(["Theft"] * len(xy), dtype="str"))
    clustered = cluster_incidents(inc, "nnh", min_points=3, study_area=1e8, quiet=True)
    out = cluster_summary(clustered)
    assert out["order"].tolist() == [1] * 7 + [2] * 2
    first, second = out[out["order"] == 1], out[out["order"] == 2]
    assert first["n_incidents"].sum() == 350 and first.index.tolist() == list(range(7))
    assert second["n_incidents"].tolist() == [200, 150] and second.index.tolist() == [0, 1]
    for label, row in second.iterrows():
        members = clustered[clustered["cluster_order_2"] == label]
        assert shapely.contains_xy(
            row["hull"].buffer(1e-6), members.geometry.x, members.geometry.y
        ).all()
    assert out.attrs["hotspot"]["cluster_incidents"]["algorithm"] == "nnh"
    assert out.attrs["hotspot"]["cluster_summary"]["orders"] == [1, 2]
    assert (out["top_categories"] == "Theft 100 %").all()


@pytest.mark.parametrize("method", ["hdbscan", "dbscan"])
def test_summary_of_other_methods(method):
    inc, _ = simulate_incidents(
        n_background=300,
        hotspots=[
            {"x": 433000, "y": 434000, "radius": 60, "profile": "persistent", "rate": 2},
            {"x": 437000, "y": 433000, "radius": 60, "profile": "persistent", "rate": 2},
        ],
        rng=0,
    )
    params = {"min_cluster_size": 30} if method == "hdbscan" else {"eps": 60, "min_samples": 10}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clustered = cluster_incidents(inc, method, quiet=True, **params)
    out = cluster_summary(clustered)
    assert len(out) == clustered["cluster"].max() + 1 >= 2
    assert out["n_incidents"].sum() == (clustered["cluster"] >= 0).sum()
    assert out.attrs["hotspot"]["cluster_incidents"]["algorithm"] == method
    if method == "hdbscan":
        assert out["persistence"].notna().all()


def test_west_yorkshire(west_yorkshire):
    clustered = cluster_incidents(west_yorkshire, "nnh", min_points=30, quiet=True)
    out = cluster_summary(clustered)
    first = out[out["order"] == 1]
    assert first["n_incidents"].sum() == (clustered["cluster"] >= 0).sum()
    assert out["top_categories"].str.contains("%").all()
    assert (out["first_time"] <= out["last_time"]).all()
    assert out["hull"].is_valid.all()
    # one row per cluster is aggregated: the load report travels as a summary (as with counts)
    meta = out.attrs["hotspot"]
    assert "load_report" not in meta and meta["incidents_report"]["rows_kept"] > 0
    assert meta["kind"] == "clusters" and meta["period"] == clustered.attrs["hotspot"]["period"]


# =============================================================================== summary: errors


def test_summary_errors():
    clustered = _three_clusters()
    with pytest.raises(HotspotInputError, match="no 'cluster' column"):
        cluster_summary(clustered.drop(columns="cluster"))
    with pytest.raises(HotspotInputError, match="integer cluster labels"):
        cluster_summary(clustered.assign(cluster=clustered["cluster"].astype(str)))
    with pytest.raises(HotspotInputError, match="fillna"):
        cluster_summary(clustered.assign(cluster=clustered["cluster"].where(lambda s: s > 0)))
    with pytest.raises(HotspotInputError, match="whole-number"):
        cluster_summary(clustered.assign(cluster=clustered["cluster"] + 0.5))
    with pytest.raises(HotspotInputError, match="cluster_summary: top_categories=0 .*at least 1"):
        cluster_summary(clustered, top_categories=0)
    with pytest.raises(HotspotInputError, match="top_categories=2.0 must be a whole number"):
        cluster_summary(clustered, top_categories=2.0)
    with pytest.raises(
        HotspotInputError, match="cluster_summary: ellipse_correction='CrimeStat' .*'crimestat'"
    ):
        cluster_summary(clustered, ellipse_correction="CrimeStat")
    with pytest.raises(HotspotInputError, match="not a projected CRS"):
        cluster_summary(clustered.to_crs("EPSG:4326"))
    with pytest.raises(HotspotInputError, match="GeoDataFrame"):
        cluster_summary(pd.DataFrame(clustered))


def _toy_weighted() -> gpd.GeoDataFrame:
    # two tight groups of 4 and 3 incidents, one far incident (noise with min_samples=3)
    x = np.array([0.0, 1.0, 0.0, 1.0, 500.0, 501.0, 500.0, 2000.0]) + 431_000
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0]) + 433_000
    return gpd.GeoDataFrame(
        {"harm": [1.0, 2.0, 0.5, 0.0, 4.0, 4.0, 4.0, 2.0]},
        geometry=shapely.points(x, y),
        crs=27700,
    )


def test_weighted_column_beside_the_count():
    inc = _toy_weighted()
    clustered = cluster_incidents(
        inc, "dbscan", incident_weights="harm", eps=5, min_samples=3, quiet=True
    )
    # group 1 weighs 3.5 within eps (core), group 2 weighs 12; the far incident weighs 2 < 3
    assert clustered["cluster"].tolist() == [0, 0, 0, 0, 1, 1, 1, -1]
    summary = cluster_summary(clustered)
    assert list(summary.columns[:3]) == ["order", "n_incidents", "weighted"]
    assert summary["n_incidents"].tolist() == [4, 3]  # counts unchanged, labels by count
    assert summary["weighted"].tolist() == [3.5, 12.0]
    # with min_samples=4 the first group (3.5) is no longer dense, though it holds 4 incidents
    four = cluster_incidents(
        inc, "dbscan", incident_weights="harm", eps=5, min_samples=4, quiet=True
    )
    assert four["cluster"].tolist() == [-1, -1, -1, -1, 0, 0, 0, -1]
    assert summary.attrs["hotspot"]["cluster_summary"]["weighted"] is True
    plain = cluster_summary(cluster_incidents(inc, "dbscan", eps=5, min_samples=3, quiet=True))
    assert "weighted" not in plain.columns
    assert plain.attrs["hotspot"]["cluster_summary"]["weighted"] is False


def test_weighted_summary_without_clusters_keeps_the_column():
    inc = _toy_weighted()
    clustered = cluster_incidents(
        inc, "dbscan", incident_weights="harm", eps=5, min_samples=50, quiet=True
    )
    assert (clustered["cluster"] == -1).all()
    summary = cluster_summary(clustered)
    assert len(summary) == 0 and list(summary.columns[:3]) == ["order", "n_incidents", "weighted"]
