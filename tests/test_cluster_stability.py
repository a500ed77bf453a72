"""Bootstrap stability: planted clusters are stable, chance clusters are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
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
    table = hs.cluster_stability(simulated, "hdbscan", n_resamples=10, rng=0, min_cluster_size=40)
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
    pd.testing.assert_frame_equal(a, b)


def test_jaccard_by_hand():
    original = np.array([0, 0, 0, 1, 1, -1])
    resampled = np.array([5, 5, -1, 7, 7, 7])
    # cluster 0 = {0,1,2}, best match 5 = {0,1}: 2/3; cluster 1 = {3,4}, best 7 = {3,4,5}: 2/3
    np.testing.assert_allclose(_jaccard_best(original, resampled, np.array([0, 1])), [2 / 3, 2 / 3])


def test_bad_arguments(simulated):
    with pytest.raises(hs.HotspotInputError, match="at least 1"):
        hs.cluster_stability(simulated, n_resamples=0)
    with pytest.raises(TypeError, match="integer"):
        hs.cluster_stability(simulated, n_resamples=2.5)
