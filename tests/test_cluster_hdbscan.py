"""HDBSCAN on weighted locations against the hdbscan package, scikit-learn and planted truth."""

from __future__ import annotations

import warnings

import geopandas as gpd
import hdbscan
import numpy as np
import pytest
from sklearn.cluster import HDBSCAN as SklearnHDBSCAN
from sklearn.metrics import adjusted_rand_score

import hotspot as hs
from hotspot.clustering._base import core_distances
from hotspot.clustering._hdbscan import run


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    return np.vstack(
        [
            rng.normal([0, 0], 50, (300, 2)),
            rng.normal([600, 0], 80, (400, 2)),
            rng.normal([300, 500], 40, (200, 2)),
            rng.uniform(-500, 1200, (300, 2)),
        ]
    )


@pytest.mark.parametrize(("mcs", "ms"), [(30, 30), (30, 10), (50, 5), (15, 15)])
def test_matches_hdbscan_and_sklearn_without_duplicates(blobs, mcs, ms):
    fit = run(blobs[:, 0], blobs[:, 1], None, quiet=True, min_cluster_size=mcs, min_samples=ms)
    # the hdbscan package counts min_samples without the point itself; scikit-learn with it
    ref = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms - 1, approx_min_span_tree=False).fit(
        blobs
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SklearnHDBSCAN(min_cluster_size=mcs, min_samples=ms).fit(blobs)
    # equal mutual-reachability distances (ties) may be merged in another order: a point or two
    assert adjusted_rand_score(ref.labels_, fit.labels) >= 0.99
    assert adjusted_rand_score(sk.labels_, fit.labels) >= 0.99
    assert fit.labels.max() == ref.labels_.max()
    np.testing.assert_allclose(
        sorted(fit.cluster_info["persistence"].values()),
        sorted(ref.cluster_persistence_),
        atol=0.01,
    )
    both = (fit.labels >= 0) & (ref.labels_ >= 0)
    agree = np.abs(fit.probabilities[both] - ref.probabilities_[both])
    assert np.quantile(agree, 0.99) < 0.01
    np.testing.assert_allclose(
        np.sort(fit.outlier_scores), np.sort(ref.outlier_scores_), atol=0.035
    )


def test_core_distance_counts_incidents_including_itself():
    xy = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    # location 2 holds 5 incidents: with min_samples=3 it is core on its own
    np.testing.assert_allclose(core_distances(xy, np.array([1, 1, 5]), 3), [4.0, 5.0, 0.0])
    np.testing.assert_allclose(core_distances(xy, np.array([1, 1, 1]), 2), [3.0, 3.0, 4.0])
    assert np.isinf(core_distances(xy, np.array([1, 1, 1]), 4)).all()


def test_weights_equal_repeated_points(blobs):
    rng = np.random.default_rng(1)
    repeat = rng.integers(1, 4, len(blobs))
    xy = np.repeat(blobs, repeat, axis=0)
    fit = run(xy[:, 0], xy[:, 1], None, quiet=True, min_cluster_size=60, min_samples=20)
    # identical points share a label, always
    keys = xy[:, 0] + 1j * xy[:, 1]
    for key in np.unique(keys)[:200]:
        assert len(set(fit.labels[keys == key])) == 1
    assert fit.labels.max() >= 2


def test_stacks_of_identical_incidents_are_clusters():
    rng = np.random.default_rng(2)
    scatter = rng.uniform(0, 5000, (400, 2))
    stacks = np.vstack([np.full((80, 2), 1000.0), np.full((70, 2), 4000.0)])
    xy = np.vstack([scatter, stacks])
    fit = run(xy[:, 0], xy[:, 1], None, quiet=True, min_cluster_size=50)
    first, second = fit.labels[400:480], fit.labels[480:]
    assert len(set(first)) == 1 and len(set(second)) == 1
    assert first[0] >= 0 and second[0] >= 0 and first[0] != second[0]
    assert (fit.probabilities[400:] == 1).all()
    # one stack alone is the whole data's only cluster: HDBSCAN (without allow_single_cluster)
    # never selects the root, so it is noise, as in the hdbscan package
    alone = run(*np.vstack([scatter, stacks[:80]]).T, None, quiet=True, min_cluster_size=50)
    assert (alone.labels == -1).all()


def test_planted_hotspots_recovered():
    hotspots = [
        {
            "x": 432000 + 2500 * i,
            "y": 432000 + 1500 * (i % 3),
            "radius": 120,
            "profile": "persistent",
            "rate": 25,
        }
        for i in range(4)
    ]
    for seed in range(3):
        inc, _ = hs.datasets.simulate_incidents(
            n_background=200, hotspots=hotspots, periods=10, rng=seed
        )
        out = hs.cluster_incidents(inc, "hdbscan", min_cluster_size=40, quiet=True)
        assert adjusted_rand_score(inc["truth_hotspot"], out["cluster"]) >= 0.9
        assert out["cluster"].max() == 3


@pytest.mark.parametrize("dataset", ["toronto", "west_yorkshire"])
def test_identical_locations_never_split_on_real_data(dataset, request):
    inc = request.getfixturevalue(dataset)
    out = hs.cluster_incidents(inc, "hdbscan", min_cluster_size=50, quiet=True)
    key = out.geometry.x.to_numpy() + 1j * out.geometry.y.to_numpy()
    labels_per_location = gpd.pd.Series(out["cluster"].to_numpy()).groupby(key).nunique()
    assert (labels_per_location == 1).all()
    assert out["cluster"].max() > 10
    persistence = out.attrs["hotspot"]["cluster_incidents"]["cluster_info"]["persistence"]
    assert set(persistence) == set(range(out["cluster"].max() + 1))


def test_output_contract(west_yorkshire, capsys):
    sample = west_yorkshire.iloc[::5]
    before = sample.copy()
    out = hs.cluster_incidents(sample, "hdbscan", min_cluster_size=30)
    assert "min_samples not given: using min_cluster_size (30)" in capsys.readouterr().err
    assert out.index.equals(sample.index)
    assert list(out.columns[-3:]) == ["cluster", "cluster_probability", "cluster_outlier_score"]
    assert out["cluster"].dtype == np.int64 and out["cluster"].min() >= -1
    assert out["cluster_probability"].between(0, 1).all()
    assert out["cluster_outlier_score"].between(0, 1).all()
    assert (out.loc[out["cluster"] < 0, "cluster_probability"] == 0).all()
    sizes = out.loc[out["cluster"] >= 0, "cluster"].value_counts().sort_index()
    assert sizes.is_monotonic_decreasing  # numbered by size
    params = out.attrs["hotspot"]["cluster_incidents"]["params"]
    assert params["min_cluster_size"] == 30 and params["min_samples"] == 30
    assert sample.equals(before)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"min_cluster_size": 1}, hs.HotspotInputError, "hdbscan: min_cluster_size=1 .*at least 2"),
        ({"min_cluster_size": 10.5}, hs.HotspotInputError, "min_cluster_size=10.5 .*whole number"),
        ({"min_samples": 0}, hs.HotspotInputError, "min_samples=0 must be at least 1"),
        (
            {"eps": 3},
            hs.HotspotInputError,
            "unexpected parameter 'eps'.*accepts min_cluster_size, min_samples",
        ),
    ],
)
def test_bad_parameters(west_yorkshire, params, error, match):
    with pytest.raises(error, match=match):
        hs.cluster_incidents(west_yorkshire.iloc[:500], "hdbscan", quiet=True, **params)


def test_unknown_method(west_yorkshire):
    with pytest.raises(hs.HotspotInputError, match="'hdbscan', 'dbscan'"):
        hs.cluster_incidents(west_yorkshire, "kmeans")
