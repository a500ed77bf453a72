"""Cluster stability under bootstrap resampling (Hennig 2007): which outlines to trust."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._period import incidents_period
from hotspot._result import SeriesTest
from hotspot._validate import (
    check_incidents,
    check_integer,
    check_rng,
    incident_xy,
)
from hotspot.clustering.cluster import (
    check_method,
    incident_days,
    method_params,
    run_method,
)


def _jaccard_best(original: np.ndarray, resampled: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """For each original cluster, the largest Jaccard similarity with any resampled cluster,
    both taken as sets of the original incidents present in the resample."""
    best = np.zeros(len(clusters))
    in_cluster = original >= 0
    found = resampled >= 0
    if not found.any():
        return best
    pairs = pd.crosstab(original[in_cluster & found], resampled[in_cluster & found])
    size_original = pd.Series(original[in_cluster]).value_counts()
    size_resampled = pd.Series(resampled[found]).value_counts()
    for row, c in enumerate(clusters):
        if c not in pairs.index or c not in size_original.index:
            continue
        overlap = pairs.loc[c]
        union = (
            size_original[c] + size_resampled.reindex(overlap.index).to_numpy() - overlap.to_numpy()
        )
        best[row] = float(np.max(overlap.to_numpy() / union))
    return best


def cluster_stability(
    incidents: gpd.GeoDataFrame,
    method: str = "hdbscan",
    *,
    n_resamples: int = 20,
    rng: Any = None,
    **params: Any,
) -> SeriesTest:
    """How often each cluster reappears when the incidents are resampled with replacement.

    The incidents are clustered once; then ``n_resamples`` bootstrap samples (n incidents drawn
    with replacement) are clustered with the same method and parameters. For each original
    cluster C and each resample, the Jaccard similarity |C ∩ D| / |C ∪ D| with the best-matching
    resampled cluster D is computed over the original incidents drawn into that resample.

    Parameters
    ----------
    incidents : GeoDataFrame
    method : str, default="hdbscan"
        Any method of :func:`hotspot.cluster_incidents`.
    n_resamples : int, default=20
        Bootstrap samples (at least 1).
    rng : None, int or numpy Generator
        Draws the bootstrap samples.
    **params
        The method's parameters (as :func:`hotspot.cluster_incidents` takes them).

    Returns
    -------
    SeriesTest
        One value per original cluster (the index, named ``cluster``): ``statistic`` is the
        mean Jaccard similarity (Hennig's clusterwise stability); ``expected``, ``z`` and
        ``pvalue`` are NaN (no null distribution is simulated); ``alternative`` is
        ``"greater"`` (a cluster is trusted when its stability is high); ``permutations`` is
        ``n_resamples``. ``table`` holds ``n_incidents``, ``mean_jaccard``, ``min_jaccard`` and
        ``recovered_share`` (share of resamples with Jaccard ≥ 0.5). Hennig's reading: below
        0.5 the cluster dissolves, 0.6–0.75 it shows a pattern, above 0.85 it is highly stable.
        ``params`` holds ``method`` ("cluster_stability"), ``period``, ``rng_seed``, the
        ``algorithm`` and its ``params``, and ``n_resamples``. Until 0.3 the result also
        answers as its ``table`` (``result["mean_jaccard"]``), with a FutureWarning.

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. Computational Statistics &
    Data Analysis 52(1), 258–271.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True).iloc[::4]
    >>> result = hs.cluster_stability(inc, "hdbscan", n_resamples=3, rng=0, min_cluster_size=60)
    >>> list(result.table.columns)
    ['n_incidents', 'mean_jaccard', 'min_jaccard', 'recovered_share']
    >>> result.permutations, result.params["method"], result.params["rng_seed"]
    (3, 'cluster_stability', 0)
    """
    func = "cluster_stability"
    check_incidents(incidents)
    method = check_method(method, func=func)
    n_resamples = check_integer(n_resamples, "n_resamples", minimum=1, example="20", func=func)
    gen, seed = check_rng(rng, func=func)
    params = method_params(incidents, method, params, func=func)
    x, y = incident_xy(incidents)
    t = incident_days(incidents, method, func=func)
    labels = run_method(method, x, y, t, **params).labels
    clusters = np.unique(labels[labels >= 0])
    n = len(x)
    scores = np.zeros((n_resamples, len(clusters)))
    for b in range(n_resamples):
        drawn = gen.integers(0, n, n)
        fit = run_method(method, x[drawn], y[drawn], None if t is None else t[drawn], **params)
        # an incident drawn several times sits at one location: its copies share a label
        present, first = np.unique(drawn, return_index=True)
        scores[b] = _jaccard_best(labels[present], fit.labels[first], clusters)
    index = pd.Index(clusters, name="cluster")
    table = pd.DataFrame(
        {
            "n_incidents": pd.Series(labels[labels >= 0])
            .value_counts()
            .reindex(clusters)
            .to_numpy(),
            "mean_jaccard": scores.mean(axis=0),
            "min_jaccard": scores.min(axis=0),
            "recovered_share": (scores >= 0.5).mean(axis=0),
        },
        index=index,
    )
    missing = pd.Series(np.nan, index=index, dtype=float)
    return SeriesTest(
        name="Cluster stability (mean Jaccard similarity over bootstrap resamples)",
        statistic=table["mean_jaccard"].rename("statistic"),
        expected=missing.rename("expected"),
        z=missing.rename("z"),
        pvalue=missing.rename("pvalue"),
        alternative="greater",
        permutations=n_resamples,
        table=table,
        params={
            "method": func,
            "period": incidents_period(incidents),
            "rng_seed": seed,
            "algorithm": method,
            "params": dict(params),
            "n_resamples": n_resamples,
            "resampling": "bootstrap of incidents (n drawn with replacement)",
        },
    )
