"""HDBSCAN on weighted locations (Campello, Moulavi & Sander 2013; McInnes & Healy 2017).

Identical coordinates are one location with a multiplicity. The algorithm is HDBSCAN's, with
every count taken in incidents:

1. **Core distance** of a location: the distance at which the incidents within reach, its own
   included, first number ``min_samples`` (0 when the location alone holds that many).
2. **Minimum spanning tree** of the mutual reachability graph over the distinct locations,
   d_mr(a, b) = max(core_a, core_b, |a − b|): Borůvka's algorithm on a k-d tree, O(m log m)
   for m locations, or Prim's on the complete graph, O(m²), below ``PRIM_BELOW`` locations
   where it is faster. Edges are ordered by d_mr, then by their endpoints' ranks in (x, y)
   order: a strict total order, so the tree is unique and both algorithms return the same
   one. Equal distances are frequent (a whole neighbourhood is often at one location's core
   distance) and the order in which tied edges merge can decide whether a group reaches
   ``min_cluster_size``: it is decided by the coordinates, never by the algorithm, the
   machine or the order of the input rows.
3. **Single-linkage hierarchy** of the tree; **condensed tree** where a split counts as two
   clusters only when both sides hold at least ``min_cluster_size`` incidents.
4. **Excess of mass** selection of the most stable clusters; labels, membership probabilities,
   GLOSH outlier scores and persistence as in the ``hdbscan`` package.

A location's own incidents are at distance 0, so its density is unbounded (λ = 1/0): it is
capped at the largest finite λ of the data, i.e. a stack of identical points counts as dense as
the densest measured pair of distinct locations. Incidents at one location therefore always
share a label, and the work scales with the distinct locations (18,787 for Toronto's 240,992).

References
----------
Campello, R. J. G. B., Moulavi, D., Sander, J. (2013). Density-based clustering based on
hierarchical density estimates. PAKDD, 160–172. McInnes, L., Healy, J. (2017). Accelerated
hierarchical density based clustering. ICDMW, 33–42.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspot._messages import announce
from hotspot._validate import check_integer
from hotspot.clustering._base import (
    ClusterFit,
    check_keywords,
    core_distances,
    renumber,
    unique_locations,
)
from hotspot.clustering._kernels import (
    condense_tree,
    mutual_reachability_mst,
    mutual_reachability_mst_boruvka,
    single_linkage,
    thread_count,
)

ACCEPTED = ("min_cluster_size", "min_samples")
#: Below this many distinct locations Prim's O(m²) tree is faster than Borůvka's on a k-d
#: tree (measured: equal near 1,600 locations, Borůvka 2.7x faster at 6,400, 7x at 20,000).
#: Both give the same edges, so the switch never changes a result.
PRIM_BELOW = 2000
#: Points per leaf of the k-d tree of Borůvka's search.
LEAF_SIZE = 32


def spanning_tree(xy: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Minimum spanning tree of the mutual reachability graph over distinct locations.

    Edges are ordered by the key (d_mr, lower rank, higher rank), the ranks being the
    locations' positions in (x, y) order: a strict total order, so the tree is unique, the
    same from Prim's and Borůvka's algorithms, and independent of the order of the input rows.

    Parameters
    ----------
    xy : ndarray, shape (m, 2)
        Distinct locations.
    core : ndarray, shape (m,)
        Their core distances.

    Returns
    -------
    ndarray, shape (m - 1, 3)
        Rows (a, b, d_mr) in key order, ``a`` the endpoint of lower rank.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    >>> spanning_tree(xy, np.array([3.0, 3.0, 4.0])).tolist()
    [[0.0, 1.0, 3.0], [0.0, 2.0, 4.0]]
    """
    rank_order = np.lexsort((xy[:, 1], xy[:, 0]))
    sorted_xy = np.ascontiguousarray(xy[rank_order], dtype=float)
    sorted_core = np.ascontiguousarray(core[rank_order], dtype=float)
    if len(xy) < PRIM_BELOW:
        edges = mutual_reachability_mst(sorted_xy, sorted_core)
    else:
        edges = mutual_reachability_mst_boruvka(sorted_xy, sorted_core, LEAF_SIZE, thread_count())
    lo = np.minimum(edges[:, 0], edges[:, 1]).astype(np.int64)
    hi = np.maximum(edges[:, 0], edges[:, 1]).astype(np.int64)
    order = np.lexsort((hi, lo, edges[:, 2]))
    return np.column_stack([rank_order[lo[order]], rank_order[hi[order]], edges[order, 2]]).astype(
        float
    )


def _select(
    parent: np.ndarray, child: np.ndarray, lam: np.ndarray, size: np.ndarray, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Excess-of-mass selection on the condensed tree's rows (the root is never a
    candidate). Clusters are m … m + K - 1, a child numbered above its parent. Returns, per
    cluster k (id m + k): whether it is selected, its parent's index (-1 for the root) and
    its stability."""
    is_cluster = child >= m
    n_clusters = int(child[is_cluster].max()) - m + 1 if is_cluster.any() else 1
    up = np.full(n_clusters, -1, dtype=np.int64)
    birth = np.zeros(n_clusters)
    up[child[is_cluster] - m] = parent[is_cluster] - m
    birth[child[is_cluster] - m] = lam[is_cluster]
    own = parent - m
    # summed in row order, one row at a time (bincount's loop), as the λ-integral is defined
    stability = np.bincount(own, weights=(lam - birth[own]) * size, minlength=n_clusters)
    kids: list[list[int]] = [[] for _ in range(n_clusters)]
    for k, p in enumerate(up.tolist()):
        if p >= 0:
            kids[p].append(k)
    stab = stability.tolist()
    pick = [False] * n_clusters
    for k in range(n_clusters - 1, 0, -1):  # children before their parents
        total = sum(stab[c] for c in kids[k])
        if not kids[k] or stab[k] >= total:
            pick[k] = True
        else:
            stab[k] = total
    selected = np.zeros(n_clusters, dtype=bool)
    covered = [False] * n_clusters  # a selected ancestor deselects the whole subtree
    for k in range(1, n_clusters):
        p = int(up[k])
        covered[k] = covered[p] or pick[p]
        selected[k] = pick[k] and not covered[k]
    return selected, up, np.asarray(stab)


def run(
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray | None,
    *,
    quiet: bool = False,
    weights: np.ndarray | None = None,
    **params: Any,
) -> ClusterFit:
    """HDBSCAN of incidents (see the module docstring); deterministic."""
    check_keywords("hdbscan", params, ACCEPTED)
    mcs = check_integer(
        params.get("min_cluster_size", 50), "min_cluster_size", minimum=2, func="hdbscan"
    )
    chosen_samples = "min_samples" not in params or params["min_samples"] is None
    ms = (
        mcs
        if chosen_samples
        else check_integer(params["min_samples"], "min_samples", minimum=1, func="hdbscan")
    )
    if chosen_samples:
        announce(f"hdbscan: min_samples not given: using min_cluster_size ({mcs})", quiet=quiet)
    loc = unique_locations(x, y, weights=weights)
    m = loc.m
    n = len(x)
    record = {
        "min_cluster_size": mcs,
        "min_samples": ms,
        "min_samples_chosen": "= min_cluster_size" if chosen_samples else "given",
        "n_locations": m,
        "counts": "incidents (identical coordinates are one location with a multiplicity)",
    }
    if m < 2 or loc.weight.sum() < mcs:
        return ClusterFit(
            labels=np.full(n, -1, dtype=np.int64),
            probabilities=np.zeros(n),
            outlier_scores=np.zeros(n),
            cluster_info={"persistence": {}},
            params=record,
        )
    core = core_distances(loc.xy, loc.weight, ms)
    edges = spanning_tree(loc.xy, core)
    lo = edges[:, 0].astype(np.int64)
    hi = edges[:, 1].astype(np.int64)
    dist = edges[:, 2].copy()
    left, right, size = single_linkage(lo, hi, np.asarray(loc.weight, float))
    finite = dist[dist > 0]
    lam_cap = 1.0 / finite.min() if len(finite) else 1.0
    parent, child, lam, row_size = condense_tree(left, right, dist, size, float(mcs), lam_cap)
    selected, up, stability = _select(parent, child, lam, row_size, m)

    # labels of clusters: the selected cluster on the way up (parents are numbered first)
    n_clusters = len(up)
    cluster_label = np.full(n_clusters, -1, dtype=np.int64)
    for k in range(1, n_clusters):
        cluster_label[k] = m + k if selected[k] else cluster_label[up[k]]
    # each location is the child of exactly one row: where it fell out, at which λ
    at = child < m
    location_lambda = np.zeros(m)
    location_cluster = np.zeros(m, dtype=np.int64)
    location_lambda[child[at]] = lam[at]
    location_cluster[child[at]] = parent[at] - m
    location_label = cluster_label[location_cluster]

    # deaths: the largest λ among each cluster's rows, then propagated up (GLOSH)
    deaths = np.zeros(n_clusters)
    np.maximum.at(deaths, parent - m, lam)
    glosh_deaths = deaths.copy()
    for k in range(n_clusters - 1, 0, -1):
        p = up[k]
        glosh_deaths[p] = max(glosh_deaths[p], glosh_deaths[k])

    probability = np.zeros(m)
    inside = location_label >= 0
    top = deaths[np.maximum(location_label, m) - m]
    with np.errstate(divide="ignore", invalid="ignore"):
        probability[inside] = np.where(
            top[inside] == 0, 1.0, np.minimum(location_lambda[inside], top[inside]) / top[inside]
        )
        top = glosh_deaths[location_cluster]
        outlier = np.where(top == 0, 0.0, (top - location_lambda) / top)

    labels, mapping = renumber(location_label[loc.inverse])
    max_lambda = float(deaths.max())
    inside = labels >= 0
    unit = np.ones(n) if weights is None else np.asarray(weights, float)
    sizes = np.bincount(labels[inside], weights=unit[inside], minlength=len(mapping))
    persistence = {
        int(new): float(stability[old - m] / (sizes[new] * max_lambda)) if max_lambda else 1.0
        for old, new in mapping.items()
    }
    record["lambda_cap"] = lam_cap
    return ClusterFit(
        labels=labels,
        probabilities=probability[loc.inverse],
        outlier_scores=outlier[loc.inverse],
        cluster_info={"persistence": persistence},
        params=record,
    )
