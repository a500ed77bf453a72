"""Bootstrap stability: planted clusters are stable, chance clusters are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot._result import SeriesTest
from hotspot.clustering.stability import _jaccard_best

HOTSPOTS = [
    {
        "x": 432000 + 2500 * i,
        "y": 432000 + 1500 * (i % 3),
        "radius": 120,
        "profile": "persistent",
        "rate": 25,
    }
    for i in range(4)
]


@pytest.fixture(scope="module")
def simulated():
    inc, _ = hs.datasets.simulate_incidents(n_background=1500, hotspots=HOTSPOTS, periods=10, rng=0)
    return inc


def test_planted_clusters_are_stable_and_chance_clusters_are_not(simulated):
    result = hs.cluster_stability(simulated, "hdbscan", n_resamples=10, rng=0, min_cluster_size=40)
    table = result.table
    base = hs.cluster_incidents(simulated, "hdbscan", min_cluster_size=40, quiet=True)
    planted = pd.crosstab(base["cluster"], simulated["truth_hotspot"] >= 0)
    is_planted = (planted[True] / planted.sum(axis=1)).reindex(table.index) > 0.5
    assert is_planted.sum() == 4
    assert (table.loc[is_planted, "mean_jaccard"] >= 0.85).all()
    assert (table.loc[is_planted, "recovered_share"] == 1).all()
    if (~is_planted).any():
        assert (
            table.loc[~is_planted, "mean_jaccard"].max()
            < table.loc[is_planted, "mean_jaccard"].min()
        )
    assert table["n_incidents"].sum() == int((base["cluster"] >= 0).sum())


def test_reproducible(simulated):
    a = hs.cluster_stability(simulated, "hdbscan", n_resamples=3, rng=5, min_cluster_size=40)
    b = hs.cluster_stability(simulated, "hdbscan", n_resamples=3, rng=5, min_cluster_size=40)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_result_speaks_the_series_test_vocabulary(simulated):
    before = simulated.copy()
    attrs_before = repr(simulated.attrs)
    result = hs.cluster_stability(
        simulated, "dbscan", n_resamples=4, rng=2, eps=150, min_samples=20
    )
    assert isinstance(result, SeriesTest)
    table = result.table
    assert list(table.columns) == ["n_incidents", "mean_jaccard", "min_jaccard", "recovered_share"]
    assert table.index.name == "cluster" and len(table) > 0
    np.testing.assert_array_equal(result.statistic.to_numpy(), table["mean_jaccard"].to_numpy())
    assert result.statistic.index.equals(table.index)
    for missing in (result.expected, result.z, result.pvalue):
        assert missing.index.equals(table.index) and missing.isna().all()
    assert result.alternative == "greater" and result.permutations == 4
    params = result.params
    assert params["method"] == "cluster_stability" and params["rng_seed"] == 2
    assert params["period"]["label"] and params["algorithm"] == "dbscan"
    assert params["params"] == {"eps": 150, "min_samples": 20} and params["n_resamples"] == 4
    pd.testing.assert_frame_equal(simulated, before)
    assert repr(simulated.attrs) == attrs_before
    # until 0.3 the result still answers as the table it replaced, with a warning
    with pytest.warns(FutureWarning, match="cluster_stability"):
        assert result["mean_jaccard"].equals(table["mean_jaccard"])


def test_nnh_study_area_and_its_old_name(simulated):
    kw = {"n_resamples": 2, "rng": 0, "min_points": 20}
    new = hs.cluster_stability(simulated, "nnh", study_area=1e8, **kw)
    with pytest.warns(FutureWarning, match="area= is now called study_area="):
        old = hs.cluster_stability(simulated, "nnh", area=1e8, **kw)
    pd.testing.assert_frame_equal(old.table, new.table)


def test_jaccard_by_hand():
    original = np.array([0, 0, 0, 1, 1, -1])
    resampled = np.array([5, 5, -1, 7, 7, 7])
    # cluster 0 = {0,1,2}, best match 5 = {0,1}: 2/3; cluster 1 = {3,4}, best 7 = {3,4,5}: 2/3
    np.testing.assert_allclose(_jaccard_best(original, resampled, np.array([0, 1])), [2 / 3, 2 / 3])


def test_bad_arguments(simulated):
    with pytest.raises(hs.HotspotInputError, match="cluster_stability: n_resamples=0 .*at least 1"):
        hs.cluster_stability(simulated, n_resamples=0)
    with pytest.raises(hs.HotspotInputError, match="n_resamples=2.5 must be a whole number"):
        hs.cluster_stability(simulated, n_resamples=2.5)
    with pytest.raises(hs.HotspotInputError, match="cluster_stability: rng='seed'"):
        hs.cluster_stability(simulated, rng="seed")
    with pytest.raises(hs.HotspotInputError, match="cluster_stability: method='kmeans'"):
        hs.cluster_stability(simulated, "kmeans")
