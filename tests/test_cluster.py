"""cluster_incidents: every method on both embedded datasets, with the common contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspot as hs

PARAMS = {
    "hdbscan": {"min_cluster_size": 100},
    "dbscan": {"eps": 100, "min_samples": 50},
    "optics": {"min_samples": 100},
    "st-dbscan": {"eps": 200, "time_eps": 31, "min_samples": 50},
    "nnh": {"min_points": 50},
}


@pytest.mark.parametrize("dataset", ["toronto", "west_yorkshire"])
@pytest.mark.parametrize("method", list(PARAMS))
def test_every_method_on_both_datasets(request, dataset, method):
    inc = request.getfixturevalue(dataset)
    out = hs.cluster_incidents(inc, method, quiet=True, **PARAMS[method])
    assert out.index.equals(inc.index)
    assert out["cluster"].dtype == np.int64
    labels = out["cluster"].to_numpy()
    assert labels.min() >= -1 and labels.max() >= 1
    assert set(np.unique(labels[labels >= 0])) == set(range(labels.max() + 1))
    assert out.attrs["hotspot"]["kind"] == "incidents"
    assert out.attrs["hotspot"]["method"] == "cluster_incidents"
    meta = out.attrs["hotspot"]["cluster_incidents"]
    assert meta["algorithm"] == method
    assert meta["n_noise"] == int((labels < 0).sum())
    # incidents at one location (and, for ST-DBSCAN, one time) always share a label
    key = pd.Series(out.geometry.x.to_numpy() + 1j * out.geometry.y.to_numpy())
    groups = [key] if method != "st-dbscan" else [key, out["time"].reset_index(drop=True)]
    per_location = pd.Series(labels).groupby(groups).nunique()
    assert (per_location == 1).all()
    summary = hs.cluster_summary(out)
    first = summary[summary["order"] == 1]
    assert first["n_incidents"].sum() == int((labels >= 0).sum())
    assert (first["n_incidents"] >= PARAMS[method].get("min_points", 1)).all()


def test_stamped_and_the_input_untouched(west_yorkshire):
    inc = west_yorkshire.iloc[::10]
    attrs_before = repr(inc.attrs)
    columns_before = list(inc.columns)
    out = hs.cluster_incidents(inc, "hdbscan", min_cluster_size=30, quiet=True)
    assert repr(inc.attrs) == attrs_before and list(inc.columns) == columns_before
    meta = out.attrs["hotspot"]
    assert meta["kind"] == "incidents" and meta["method"] == "cluster_incidents"
    assert meta["rng_seed"] is None and meta["period"]["label"]
    assert "load_report" in meta  # carried over from the incidents
    assert set(meta["cluster_incidents"]) == {
        "algorithm",
        "params",
        "n_clusters",
        "n_noise",
        "cluster_info",
    }
    # every column added shares the method's prefix
    added = [c for c in out.columns if c not in inc.columns]
    assert added == ["cluster", "cluster_probability", "cluster_outlier_score"]


def test_rng_is_deprecated_and_has_no_effect(west_yorkshire):
    inc = west_yorkshire.iloc[::10]
    plain = hs.cluster_incidents(inc, "dbscan", eps=150, min_samples=10, quiet=True)
    with pytest.warns(FutureWarning, match="rng= has no effect"):
        seeded = hs.cluster_incidents(inc, "dbscan", eps=150, min_samples=10, rng=3, quiet=True)
    pd.testing.assert_frame_equal(plain, seeded)
    assert seeded.attrs["hotspot"]["rng_seed"] is None


def test_method_is_checked_by_the_parameter_layer(west_yorkshire):
    with pytest.raises(hs.HotspotInputError, match="cluster_incidents: method='kmeans'"):
        hs.cluster_incidents(west_yorkshire, "kmeans")
    out = hs.cluster_incidents(west_yorkshire.iloc[::10], "DBSCAN", eps=150, quiet=True)
    assert out.attrs["hotspot"]["cluster_incidents"]["algorithm"] == "dbscan"


# --- incident weights (issue 13: harm) ---------------------------------------------------------

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402
from sklearn.cluster import DBSCAN  # noqa: E402

from hotspot.clustering._base import core_distances  # noqa: E402

WEIGHTED = {
    "dbscan": {"eps": 60, "min_samples": 8},
    "optics": {"min_samples": 8, "min_cluster_size": 16},
    "optics-dbscan": {"min_samples": 8, "cluster_method": "dbscan", "eps": 60},
    "hdbscan": {"min_cluster_size": 16, "min_samples": 6},
    "st-dbscan": {"eps": 80, "time_eps": 20, "min_samples": 6},
}


def _method(name: str) -> str:
    return "optics" if name.startswith("optics") else name


def blobs(n: int = 600, seed: int = 7) -> gpd.GeoDataFrame:
    """Three Gaussian hot spots on uniform noise, snapped to a 10 m grid (so many incidents
    share a location), with times over a year."""
    rng = np.random.default_rng(seed)
    centres = np.array([[500.0, 500.0], [1500.0, 700.0], [900.0, 1600.0]])
    k = n // 4
    parts = [c + rng.normal(0, 60, size=(k, 2)) for c in centres]
    parts.append(rng.uniform(0, 2000, size=(n - 3 * k, 2)))
    xy = np.round(np.vstack(parts) / 10) * 10
    order = rng.permutation(n)
    xy = xy[order]
    days = rng.integers(0, 365, size=n)
    frame = gpd.GeoDataFrame(
        {
            "time": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "category": rng.choice(["Burglary", "Robbery", "Vehicle crime"], size=n),
        },
        geometry=shapely.points(xy[:, 0], xy[:, 1]),
        crs=27700,
        index=pd.RangeIndex(100, 100 + n),
    )
    return frame


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal labels up to renumbering: noise where noise, and a one-to-one map of clusters."""
    a, b = np.asarray(a), np.asarray(b)
    if not np.array_equal(a < 0, b < 0):
        return False
    pairs = set(zip(a[a >= 0].tolist(), b[b >= 0].tolist(), strict=True))
    return len(pairs) == len({p for p, _ in pairs}) == len({q for _, q in pairs})


def test_same_partition_is_a_real_check():
    assert same_partition([0, 0, 1, -1], [1, 1, 0, -1])
    assert not same_partition([0, 0, 1, -1], [0, 0, 0, -1])
    assert not same_partition([0, 1, 1], [0, 0, 1])
    assert not same_partition([0, -1], [0, 0])


def sklearn_dbscan(frame: gpd.GeoDataFrame, w: np.ndarray, eps: float, ms: int) -> np.ndarray:
    xy = np.column_stack([frame.geometry.x, frame.geometry.y])
    return DBSCAN(eps=eps, min_samples=ms).fit(xy, sample_weight=w).labels_


def test_weighted_dbscan_equals_sklearn_sample_weight_on_random_data():
    inc = blobs()
    rng = np.random.default_rng(11)
    # harm-like weights: fractional, some zero, some large
    w = rng.choice([0.0, 0.25, 1.0, 2.5, 10.0], size=len(inc), p=[0.1, 0.3, 0.4, 0.15, 0.05])
    for eps, ms in [(40, 5), (60, 8), (100, 30)]:
        out = hs.cluster_incidents(
            inc, "dbscan", incident_weights=w, eps=eps, min_samples=ms, quiet=True
        )
        expected = sklearn_dbscan(inc, w, eps, ms)
        assert (expected >= 0).any() and (expected < 0).any()
        assert same_partition(out["cluster"].to_numpy(), expected)


def test_weighted_dbscan_equals_sklearn_on_west_yorkshire_acquisitive_crime(west_yorkshire):
    table = {
        "Burglary": 3.0,
        "Robbery": 6.0,
        "Theft from the person": 1.5,
        "Bicycle theft": 0.5,
        "Vehicle crime": 1.0,
    }
    inc = west_yorkshire[west_yorkshire["category"].isin(list(table))]
    harmed = hs.harm_weights(inc, table)
    out = hs.cluster_incidents(
        harmed, "dbscan", incident_weights="harm", eps=150, min_samples=40, quiet=True
    )
    w = harmed["harm"].to_numpy()
    expected = sklearn_dbscan(harmed, w, 150, 40)
    labels = out["cluster"].to_numpy()
    assert same_partition(labels, expected)
    # the weights change the answer (else the test would not show they are used)
    plain = hs.cluster_incidents(inc, "dbscan", eps=150, min_samples=40, quiet=True)
    assert not same_partition(plain["cluster"].to_numpy(), labels)
    assert out["cluster_weight"].tolist() == w.tolist()
    meta = out.attrs["hotspot"]["cluster_incidents"]
    assert meta["params"]["incident_weights"] == "column 'harm'"
    summary = hs.cluster_summary(out)
    by_label = harmed["harm"].groupby(labels).sum().drop(-1, errors="ignore")
    np.testing.assert_allclose(summary["weighted"].to_numpy(), by_label.sort_index().to_numpy())
    counts = pd.Series(labels).value_counts().drop(-1, errors="ignore").sort_index()
    assert summary["n_incidents"].tolist() == counts.tolist()


@pytest.mark.parametrize("name", list(WEIGHTED))
def test_unit_weights_give_exactly_the_unweighted_result(name):
    inc = blobs()
    params = WEIGHTED[name]
    plain = hs.cluster_incidents(inc, _method(name), quiet=True, **params)
    ones = hs.cluster_incidents(
        inc, _method(name), incident_weights=np.ones(len(inc)), quiet=True, **params
    )
    assert plain["cluster"].max() >= 1  # clusters found, so the comparison means something
    pd.testing.assert_frame_equal(ones.drop(columns="cluster_weight"), plain)
    a = plain.attrs["hotspot"]["cluster_incidents"]
    b = ones.attrs["hotspot"]["cluster_incidents"]
    assert a["cluster_info"] == b["cluster_info"]
    assert {**a["params"], "incident_weights": "array"} == b["params"]


@pytest.mark.parametrize("name", list(WEIGHTED))
def test_integer_weights_equal_repeating_each_incident(name):
    inc = blobs(400, seed=3)
    k = np.random.default_rng(5).integers(1, 4, size=len(inc))
    params = WEIGHTED[name]
    weighted = hs.cluster_incidents(inc, _method(name), incident_weights=k, quiet=True, **params)
    repeated = inc.iloc[np.repeat(np.arange(len(inc)), k)].reset_index(drop=True)
    copies = hs.cluster_incidents(repeated, _method(name), quiet=True, **params)
    first_copy = np.concatenate([[0], np.cumsum(k)[:-1]])
    got = weighted["cluster"].to_numpy()
    want = copies["cluster"].to_numpy()[first_copy]
    assert got.max() >= 1
    assert same_partition(got, want)
    if name == "hdbscan":
        np.testing.assert_allclose(
            weighted["cluster_probability"], copies["cluster_probability"].to_numpy()[first_copy]
        )
        np.testing.assert_allclose(
            weighted["cluster_outlier_score"],
            copies["cluster_outlier_score"].to_numpy()[first_copy],
        )
    # summed weights per cluster = incidents per cluster of the repeated data
    summary = hs.cluster_summary(weighted)
    all_copies = copies["cluster"].to_numpy()
    repeated_counts = pd.Series(all_copies[all_copies >= 0]).value_counts()
    sums = pd.Series(k[got >= 0]).groupby(got[got >= 0]).sum()
    assert sorted(sums.tolist()) == sorted(repeated_counts.tolist())
    np.testing.assert_allclose(summary["weighted"].to_numpy(), sums.sort_index().to_numpy())


@pytest.mark.parametrize("name", list(WEIGHTED))
def test_half_weights_equal_doubled_counts(name):
    """Weight 0.5 on every incident with min_samples (and min_cluster_size) m is the unweighted
    clustering with 2 m: a fractional weight counts as that fraction of an incident."""
    inc = blobs()
    params = WEIGHTED[name]
    counts = ("min_samples", "min_cluster_size")
    doubled = {k: 2 * v if k in counts else v for k, v in params.items()}
    half = hs.cluster_incidents(
        inc, _method(name), incident_weights=np.full(len(inc), 0.5), quiet=True, **params
    )
    plain = hs.cluster_incidents(inc, _method(name), quiet=True, **doubled)
    assert plain["cluster"].max() >= 1
    assert same_partition(half["cluster"].to_numpy(), plain["cluster"].to_numpy())
    unweighted = hs.cluster_incidents(inc, _method(name), quiet=True, **params)
    assert not same_partition(half["cluster"].to_numpy(), unweighted["cluster"].to_numpy())


def test_weighted_core_distance_against_brute_force():
    rng = np.random.default_rng(2)
    xy = np.round(rng.uniform(0, 100, size=(80, 2)))
    w = rng.choice([0.0, 0.1, 0.5, 1.0, 3.0], size=80)
    for ms in (1, 2, 5, 12, 60, 200):  # 200 exceeds the total weight: all inf
        got = core_distances(xy, w, ms)
        want = np.empty(80)
        for i in range(80):
            d = np.hypot(*(xy - xy[i]).T)
            order = np.lexsort((np.arange(80), d))
            reached = np.cumsum(w[order]) >= ms
            want[i] = d[order][np.argmax(reached)] if reached.any() else np.inf
        np.testing.assert_array_equal(got, want)
        assert np.isinf(got).all() == (w.sum() < ms)


def test_nnh_refuses_incident_weights():
    inc = blobs()
    with pytest.raises(
        hs.HotspotInputError, match="incident_weights cannot be used with method='nnh'"
    ):
        hs.cluster_incidents(inc, "nnh", incident_weights=np.ones(len(inc)), quiet=True)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ("harm", r"incident_weights='harm' is not a column"),
        ("category", r"incident_weights column 'category' is (str|object)"),
        (np.ones(3), r"has 3 values but there are 600 incidents"),
        ("bad_nan", r"missing or infinite in rows 102, 105"),
        ("bad_neg", r"must be >= 0; rows 104 are negative"),
        (pd.Series(1.0, index=range(600)), r"Series whose index differs"),
        ({"a": 1}, r"must be a column name or an array"),
    ],
)
def test_bad_weights_are_refused_naming_the_rows(weights, match):
    inc = blobs()
    inc["bad_nan"] = 1.0
    inc.loc[[102, 105], "bad_nan"] = np.nan
    inc["bad_neg"] = 1.0
    inc.loc[104, "bad_neg"] = -1.0
    with pytest.raises(hs.HotspotInputError, match=match):
        hs.cluster_incidents(
            inc, "dbscan", incident_weights=weights, eps=50, min_samples=5, quiet=True
        )


def test_weighted_clustering_leaves_the_input_untouched():
    inc = blobs()
    inc["harm"] = np.linspace(0, 2, len(inc))
    before = inc.copy()
    attrs_before = repr(inc.attrs)
    out = hs.cluster_incidents(
        inc, "hdbscan", incident_weights="harm", min_cluster_size=15, quiet=True
    )
    pd.testing.assert_frame_equal(inc, before)
    assert repr(inc.attrs) == attrs_before
    added = [c for c in out.columns if c not in inc.columns]
    assert added == ["cluster", "cluster_weight", "cluster_probability", "cluster_outlier_score"]
    assert out["cluster_weight"].tolist() == inc["harm"].tolist()
