"""ST-DBSCAN: DBSCAN with a spatial and a temporal radius (Birant & Kut 2007).

Two incidents are neighbours when they are within ``eps`` metres in space **and** within
``time_eps`` days in time (both inclusive: ``sqrt(dx² + dy²) ≤ eps`` and ``|dt| ≤ time_eps``).
With that neighbourhood the algorithm is DBSCAN's: an incident is core when its neighbourhood,
itself included, holds at least ``min_samples`` incidents; core incidents that are neighbours
share a cluster; a non-core neighbour of a core incident is a border incident of its cluster;
the rest is noise. A group of incidents at one place is therefore split into separate clusters
when months separate its bursts, which plain DBSCAN cannot do.

This is Birant & Kut's algorithm simplified to its two thresholds (Eps1 in space, Eps2 in
time): their third threshold ΔE, which stops a cluster from growing into points whose
non-spatial value drifts from the cluster mean, is not used, and border points follow DBSCAN.

Identical (x, y, time) triples are one space-time location with a multiplicity (a sample
weight), so ``min_samples`` counts incidents and incidents at the same place and time always
share a label. The neighbour pairs of the distinct locations come from one k-d tree query: time
is scaled to metres by ``eps / time_eps``, candidates are the pairs within ``eps`` in every
coordinate (Chebyshev distance, slightly padded), and the exact conditions above are then
checked on the original values. Core locations are those whose neighbours' incidents, their own
included, reach ``min_samples``; clusters are the connected components of the core-core
neighbour graph; a border location joins, among the clusters it touches, the one whose first
core location comes first in input order, exactly as scikit-learn's DBSCAN on the raw
incidents would. With an unbounded ``time_eps`` the labels are those of ``"dbscan"``.

References
----------
Birant, D., Kut, A. (2007). ST-DBSCAN: an algorithm for clustering spatial–temporal data.
Data & Knowledge Engineering 60(1), 208–221.
Ester, M., Kriegel, H.-P., Sander, J., Xu, X. (1996). A density-based algorithm for
discovering clusters in large spatial databases with noise. KDD-96, 226–231.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspot._validate import check_integer
from hotspot.clustering._base import (
    ClusterFit,
    check_keywords,
    check_length,
    renumber,
    unique_locations,
)
from hotspot.clustering._dbscan import DEFAULT_MIN_SAMPLES, core_incident_counts
from hotspot.errors import HotspotInputError

ACCEPTED = ("eps", "time_eps", "min_samples")


def space_time_pairs(xyt: np.ndarray, eps: float, time_eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``i < j`` of rows of ``xyt`` (x, y in metres, t in days) that are neighbours.

    Neighbours: ``dx² + dy² ≤ eps²`` and ``|dt| ≤ time_eps`` (inclusive, exact on the given
    values; ``time_eps`` may be inf).

    Examples
    --------
    >>> xyt = np.array([[0.0, 0, 0], [3, 4, 7], [3, 4, 7.5], [100, 0, 0]])
    >>> [p.tolist() for p in space_time_pairs(xyt, 5.0, 7.0)]
    [[0, 1], [1, 2]]
    """
    if len(xyt) < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    x, y, t = xyt[:, 0], xyt[:, 1], xyt[:, 2]
    scale = 0.0 if np.isinf(time_eps) else eps / time_eps
    origin = xyt.min(axis=0)
    points = np.column_stack([x - origin[0], y - origin[1], (t - origin[2]) * scale])
    # candidates: within eps in every coordinate, padded well beyond rounding errors
    magnitude = max(float(np.abs(xyt[:, :2]).max()), float(np.abs(points).max()))
    radius = eps * (1 + 1e-6) + 1e-9 * magnitude
    pairs = cKDTree(points).query_pairs(radius, p=np.inf, output_type="ndarray")
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    dx, dy = x[i] - x[j], y[i] - y[j]
    keep = (dx * dx + dy * dy <= eps * eps) & (np.abs(t[i] - t[j]) <= time_eps)
    i, j = i[keep], j[keep]
    order = np.lexsort((j, i))
    return i[order], j[order]


def dbscan_from_pairs(
    i: np.ndarray, j: np.ndarray, weight: np.ndarray, min_samples: int
) -> tuple[np.ndarray, np.ndarray]:
    """DBSCAN labels of weighted points given their neighbour pairs (each pair once).

    A point is core when the weights of its neighbours and itself sum to ``min_samples`` or
    more. Clusters are numbered in the order of their first core point (the smallest index),
    and a border point joins the lowest-numbered cluster among its core neighbours: the labels
    scikit-learn's ``DBSCAN`` gives the points in this order.

    Returns
    -------
    labels : ndarray of int64, shape (m,)
        -1 for noise.
    core : ndarray of bool, shape (m,)

    Examples
    --------
    >>> labels, core = dbscan_from_pairs(np.array([0, 1, 3]), np.array([1, 2, 4]),
    ...                                  np.array([2, 1, 1, 1, 1]), 3)
    >>> labels.tolist(), core.tolist()
    ([0, 0, 0, -1, -1], [True, True, False, False, False])
    """
    m = len(weight)
    w = weight.astype(float)
    mass = w + np.bincount(i, weights=w[j], minlength=m) + np.bincount(j, weights=w[i], minlength=m)
    core = mass >= min_samples
    labels = np.full(m, -1, dtype=np.int64)
    core_ids = np.flatnonzero(core)
    if not len(core_ids):
        return labels, core
    both = core[i] & core[j]
    graph = sparse.coo_matrix(
        (np.ones(int(both.sum()), dtype=np.int8), (i[both], j[both])), shape=(m, m)
    ).tocsr()
    _, component = connected_components(graph, directed=False)
    # clusters numbered by their first core point
    first = np.full(component.max() + 1, m, dtype=np.int64)
    np.minimum.at(first, component[core_ids], core_ids)
    has_core = first < m
    rank = np.full(len(first), -1, dtype=np.int64)
    rank[np.flatnonzero(has_core)[np.argsort(first[has_core], kind="stable")]] = np.arange(
        int(has_core.sum())
    )
    labels[core_ids] = rank[component[core_ids]]
    # border points: the lowest-numbered cluster among their core neighbours
    a = np.concatenate([i, j])
    b = np.concatenate([j, i])
    claim = core[a] & ~core[b]
    border = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(border, b[claim], labels[a[claim]])
    claimed = border < np.iinfo(np.int64).max
    labels[claimed] = border[claimed]
    return labels, core


def run(
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray | None,
    *,
    quiet: bool = False,
    weights: np.ndarray | None = None,
    **params: Any,
) -> ClusterFit:
    """ST-DBSCAN of incidents (see the module docstring); deterministic.

    Parameters
    ----------
    x, y : ndarray of float, shape (n,)
        Incident coordinates in metres.
    t : ndarray of float, shape (n,)
        Days since the first incident (required).
    quiet : bool, default=False
        Unused: ST-DBSCAN makes no automatic choice.
    **params
        ``eps`` : float, required
            Spatial radius in metres (> 0, inclusive).
        ``time_eps`` : float, required
            Temporal radius in days (> 0, inclusive; ``inf`` ignores time).
        ``min_samples`` : int, default=20
            Incidents in a space-time neighbourhood (own included) that make it core.

    Returns
    -------
    ClusterFit
        ``labels`` per incident (-1 noise, clusters by size); ``cluster_info`` holds
        ``core_incidents``, ``first_day`` and ``last_day`` (days since the first incident of
        the data) per cluster.

    Raises
    ------
    hotspot.errors.HotspotInputError
        ``eps`` or ``time_eps`` missing, no times, a radius ≤ 0 (or an infinite ``eps``),
        ``min_samples`` not a whole number ≥ 1, or an unknown parameter.

    Notes
    -----
    Memory is that of the neighbour pairs of the distinct space-time locations: with a
    ``time_eps`` of years on dense data it approaches plain DBSCAN's neighbour lists over all
    incidents; use ``"dbscan"`` when time does not matter.

    Examples
    --------
    >>> x = np.zeros(6)
    >>> t = np.array([0.0, 1, 2, 200, 201, 202])
    >>> run(x, x, t, eps=50, time_eps=7, min_samples=3).labels.tolist()
    [0, 0, 0, 1, 1, 1]
    """
    del quiet  # nothing is chosen for the user
    check_keywords("st-dbscan", params, ACCEPTED)
    for name, unit in (("eps", "metres"), ("time_eps", "days")):
        if params.get(name) is None:
            raise HotspotInputError(
                f"st-dbscan: {name}= (in {unit}) is missing; pass it, e.g. "
                "hotspot.cluster_incidents(incidents, 'st-dbscan', eps=100, time_eps=7, "
                "min_samples=20)."
            )
    eps = check_length(params["eps"], "eps", method="st-dbscan")
    time_eps = check_length(
        params["time_eps"], "time_eps", unit="days", allow_inf=True, method="st-dbscan"
    )
    given = params.get("min_samples")
    min_samples = check_integer(
        DEFAULT_MIN_SAMPLES if given is None else given,
        "min_samples",
        minimum=1,
        example="20",
        func="st-dbscan",
    )
    if t is None:
        raise HotspotInputError(
            "st-dbscan needs incident times; load the incidents with "
            "hotspot.read_incidents(..., time='<your date column>')."
        )
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    t = np.asarray(t, dtype=float)
    if not np.isfinite(t).all():
        raise HotspotInputError(
            f"st-dbscan: {int((~np.isfinite(t)).sum())} incidents have no time; drop them first."
        )
    n = len(x)
    loc = unique_locations(x, y, t, weights=weights)
    record: dict[str, Any] = {
        "eps": eps,
        "time_eps": time_eps,
        "min_samples": min_samples,
        "metric": "euclidean in space, absolute difference in time",
        "defaulted": ["min_samples"] if given is None else [],
        "n_incidents": n,
        "n_locations": loc.m,
        "counts": "incidents (identical x, y and time are one location with a multiplicity)",
        "border_ties": "first cluster in input order, as scikit-learn's DBSCAN",
    }
    info: dict[str, Any] = {"core_incidents": {}, "first_day": {}, "last_day": {}}
    if n == 0:
        return ClusterFit(labels=np.empty(0, dtype=np.int64), cluster_info=info, params=record)
    i, j = space_time_pairs(loc.xy, eps, time_eps)
    location_labels, core = dbscan_from_pairs(i, j, loc.weight, min_samples)
    labels, _ = renumber(location_labels[loc.inverse])
    record["n_neighbour_pairs"] = len(i)
    info["core_incidents"] = core_incident_counts(labels, core[loc.inverse])
    inside = labels >= 0
    if inside.any():
        k = int(labels.max()) + 1
        first = np.full(k, np.inf)
        last = np.full(k, -np.inf)
        np.minimum.at(first, labels[inside], t[inside])
        np.maximum.at(last, labels[inside], t[inside])
        info["first_day"] = {c: float(v) for c, v in enumerate(first)}
        info["last_day"] = {c: float(v) for c, v in enumerate(last)}
    return ClusterFit(labels=labels, cluster_info=info, params=record)
