"""HDBSCAN on weighted locations (Campello, Moulavi & Sander 2013; McInnes & Healy 2017).

Identical coordinates are one location with a multiplicity. The algorithm is HDBSCAN's, with
every count taken in incidents:

1. **Core distance** of a location: the distance at which the incidents within reach, its own
   included, first number ``min_samples`` (0 when the location alone holds that many).
2. **Minimum spanning tree** of the mutual reachability graph over the distinct locations,
   d_mr(a, b) = max(core_a, core_b, |a − b|) (Prim's algorithm, O(m²) for m locations).
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
from hotspot.clustering._kernels import mutual_reachability_mst

ACCEPTED = ("min_cluster_size", "min_samples")


def _single_linkage(edges: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, ...]:
    """Merge the tree's edges by distance: children, distance and size (incidents) of each
    internal node m + k."""
    m = len(weight)
    order = np.argsort(edges[:, 2], kind="stable")
    parent = np.arange(2 * m - 1)
    size = np.zeros(2 * m - 1)
    size[:m] = weight
    left = np.empty(m - 1, dtype=np.int64)
    right = np.empty(m - 1, dtype=np.int64)
    dist = np.empty(m - 1)

    def find(a: int) -> int:
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    for k, e in enumerate(order):
        a, b = find(int(edges[e, 0])), find(int(edges[e, 1]))
        node = m + k
        left[k], right[k], dist[k] = a, b, edges[e, 2]
        size[node] = size[a] + size[b]
        parent[a] = parent[b] = node
    return left, right, dist, size


def _condense(
    left: np.ndarray, right: np.ndarray, dist: np.ndarray, size: np.ndarray, m: int, mcs: int
) -> tuple[list[tuple[int, int, float, float]], float]:
    """hdbscan's condensed tree, with sizes in incidents. Rows (parent cluster, child, λ, size);
    children below ``m`` are locations, clusters are numbered from ``m``."""
    finite = dist[dist > 0]
    lam_cap = 1.0 / finite.min() if len(finite) else 1.0

    def lam(d: float) -> float:
        return 1.0 / d if d > 0 else lam_cap

    root = 2 * m - 2
    label = {root: m}
    next_label = m + 1
    rows: list[tuple[int, int, float, float]] = []

    def fall_out(node: int, cluster: int, value: float) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            if n < m:
                rows.append((cluster, n, value, float(size[n])))
            else:
                stack.extend((int(left[n - m]), int(right[n - m])))

    stack = [root]
    while stack:
        node = stack.pop()
        cluster = label[node]
        if node < m:  # a location that carries a cluster on its own: dense to the end
            rows.append((cluster, node, lam_cap, float(size[node])))
            continue
        a, b = int(left[node - m]), int(right[node - m])
        value = lam(dist[node - m])
        big_a, big_b = size[a] >= mcs, size[b] >= mcs
        if big_a and big_b:
            for child in (a, b):
                label[child] = next_label
                rows.append((cluster, next_label, value, float(size[child])))
                next_label += 1
                stack.append(child)
        elif big_a or big_b:
            keep, drop = (a, b) if big_a else (b, a)
            label[keep] = cluster
            fall_out(drop, cluster, value)
            stack.append(keep)
        else:
            fall_out(a, cluster, value)
            fall_out(b, cluster, value)
    return rows, lam_cap


def _select(rows: list, m: int) -> tuple[dict, dict, dict, dict]:
    """Excess-of-mass selection (the root is never a candidate). Returns the selected
    clusters, every cluster's parent, its birth λ and its stability."""
    parent_of: dict[int, int] = {}
    birth: dict[int, float] = {m: 0.0}
    for p, c, value, _ in rows:
        if c >= m:
            parent_of[c] = p
            birth[c] = value
    stability = dict.fromkeys(birth, 0.0)
    for p, _, value, s in rows:
        stability[p] += (value - birth[p]) * s
    children: dict[int, list[int]] = {}
    for c, p in parent_of.items():
        children.setdefault(p, []).append(c)
    selected = {}
    for c in sorted(birth, reverse=True):  # children carry larger numbers than their parents
        if c == m:
            continue
        kids = children.get(c, [])
        total = sum(stability[k] for k in kids)
        if not kids or stability[c] >= total:
            selected[c] = True
            stack = list(kids)
            while stack:
                k = stack.pop()
                selected[k] = False
                stack.extend(children.get(k, []))
        else:
            stability[c] = total
            selected[c] = False
    chosen = {c for c, s in selected.items() if s}
    return chosen, parent_of, birth, stability


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
    edges = mutual_reachability_mst(loc.xy, core)
    left, right, dist, size = _single_linkage(edges, loc.weight)
    rows, lam_cap = _condense(left, right, dist, size, m, mcs)
    chosen, parent_of, birth, stability = _select(rows, m)

    # labels of locations: the chosen cluster on the way up from where each one fell out
    location_label = np.full(m, -1, dtype=np.int64)
    location_lambda = np.zeros(m)
    location_cluster = np.zeros(m, dtype=np.int64)
    for p, c, value, _ in rows:
        if c < m:
            location_lambda[c] = value
            location_cluster[c] = p
    chosen_of: dict[int, int] = {}

    def chosen_ancestor(c: int) -> int:
        path = []
        while c not in chosen_of:
            if c in chosen:
                chosen_of[c] = c
                break
            if c not in parent_of:
                chosen_of[c] = -1
                break
            path.append(c)
            c = parent_of[c]
        result = chosen_of[c]
        for q in path:
            chosen_of[q] = result
        return result

    for i in range(m):
        location_label[i] = chosen_ancestor(int(location_cluster[i]))

    # deaths: the largest λ among each cluster's rows, then propagated up (GLOSH)
    deaths: dict[int, float] = {}
    for p, _, value, _ in rows:
        deaths[p] = max(deaths.get(p, 0.0), value)
    glosh_deaths = dict(deaths)
    for c in sorted(parent_of, reverse=True):
        p = parent_of[c]
        glosh_deaths[p] = max(glosh_deaths.get(p, 0.0), glosh_deaths.get(c, 0.0))

    probability = np.zeros(m)
    outlier = np.zeros(m)
    for i in range(m):
        c = location_label[i]
        if c >= 0:
            top = deaths.get(c, 0.0)
            probability[i] = 1.0 if top == 0 else min(location_lambda[i], top) / top
        top = glosh_deaths.get(int(location_cluster[i]), 0.0)
        outlier[i] = 0.0 if top == 0 else (top - location_lambda[i]) / top

    labels, mapping = renumber(location_label[loc.inverse])
    max_lambda = max(deaths.values()) if deaths else 0.0
    inside = labels >= 0
    unit = np.ones(n) if weights is None else np.asarray(weights, float)
    sizes = np.bincount(labels[inside], weights=unit[inside], minlength=len(mapping))
    persistence = {
        int(new): float(stability[old] / (sizes[new] * max_lambda)) if max_lambda else 1.0
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
