"""OPTICS on weighted locations (Ankerst, Breunig, Kriegel & Sander 1999).

OPTICS orders the points so that density-connected points are neighbours in the order, and
gives each point a *reachability distance*: plotted in that order, clusters are valleys. From
the plot, clusters are extracted either at one distance ``eps`` (as DBSCAN would find them) or
by the steepness of the valleys' walls (the ξ method, Ankerst et al. section 4.3).

Identical coordinates are **one location with a multiplicity** (a sample weight), and every
count is in incidents:

- **Core distance** of a location: the distance at which the incidents within reach, its own
  included, first number ``min_samples`` (scikit-learn's k-th neighbour distance with
  ``k = min_samples``, counting the point itself); 0 when the location alone holds
  ``min_samples`` incidents; inf when beyond ``max_eps``.
- **Reachability** of a location from a core location p: ``max(core(p), d(p, q))``, for
  ``d ≤ max_eps``.
- **Ordering**: repeatedly take the unprocessed location of smallest reachability (ties: the
  first in input order; none reachable: the next unprocessed one) and update its neighbours.
  This is scikit-learn's ``OPTICS`` loop, including its rounding of distances to 15 decimals,
  so on data without duplicates ``ordering_``, ``reachability_``, ``core_distances_``,
  ``predecessor_`` and the labels equal scikit-learn's. Locations are numbered in the order of
  their first incident, which is what makes the tie-breaks agree.
- **ξ extraction**: scikit-learn's ``cluster_optics_xi`` (with the predecessor correction of
  Schubert & Gertz 2018), ported with weights: the two counts it uses — at most
  ``min_samples`` consecutive non-steep points inside a steep area, and at least
  ``min_cluster_size`` points in a cluster — are sums of incidents over the locations of the
  plot, not numbers of locations. The plot has one step per location: a location's incidents
  enter the order together, at the location's reachability. With unit weights this is
  scikit-learn's extraction; with duplicates it is not the same as scikit-learn on the raw
  rows, whose plot puts copies of a point at the point's core distance, sometimes far apart
  in the order.
- **DBSCAN extraction** at ``eps ≤ max_eps``: ``cluster_optics_dbscan``, unchanged (it only
  compares distances).

Incidents at one location therefore always share a label, where scikit-learn's OPTICS on the
raw points splits some (106 of the 3,736 multi-incident locations among 20,000 Toronto
incidents with ``min_samples=20``, ``benchmarks/bench_dbscan.py``), and the work scales with the m
distinct locations. The ordering is O(m²) in time with ``max_eps=inf`` (as in scikit-learn,
whose Python loop makes it much slower) and O(m) in memory. With a finite ``max_eps`` that
leaves at most 1 % of the pairs of locations (and 20 million) within reach, a neighbour graph
and a heap are used instead: O(pairs · log m) time, O(pairs) memory. Both loops give the same
result.

References
----------
Ankerst, M., Breunig, M. M., Kriegel, H.-P., Sander, J. (1999). OPTICS: ordering points to
identify the clustering structure. ACM SIGMOD Record 28(2), 49–60.
Schubert, E., Gertz, M. (2018). Improving the cluster structure extracted from OPTICS plots.
Proc. LWDA 2018, 318–329.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from hotspot._messages import announce
from hotspot._validate import check_choice, check_integer
from hotspot.clustering._base import (
    ClusterFit,
    check_keywords,
    check_length,
    renumber,
    unique_locations,
)
from hotspot.clustering._base import core_distances as weighted_core_distances
from hotspot.clustering._dbscan import DEFAULT_MIN_SAMPLES
from hotspot.clustering._kernels import optics_order_dense, optics_order_graph
from hotspot.errors import HotspotInputError

ACCEPTED = ("min_samples", "max_eps", "xi", "cluster_method", "eps", "min_cluster_size")
CLUSTER_METHODS = ("xi", "dbscan")
DEFAULT_XI = 0.05
# the neighbour graph replaces the dense O(m²) loop when the pairs within max_eps are at most
# this many (memory) and at most this share of all pairs (beyond it the dense loop is faster)
MAX_PAIRS = 20_000_000
GRAPH_SHARE = 0.01


def _round(values: np.ndarray) -> np.ndarray:
    """scikit-learn's ``np.around(values, decimals=15)``."""
    return np.around(values, decimals=15)


def core_distances(
    xy: np.ndarray, weight: np.ndarray, min_samples: int, max_eps: float
) -> np.ndarray:
    """Distance at which each location's reach holds ``min_samples`` incidents, itself included.

    0 for a location that holds ``min_samples`` incidents on its own, inf beyond ``max_eps`` (or
    when all the data hold fewer than ``min_samples`` incidents), rounded as scikit-learn's
    OPTICS rounds them.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    >>> core_distances(xy, np.array([1, 1, 5]), 3, np.inf).tolist()
    [4.0, 5.0, 0.0]
    >>> core_distances(xy, np.array([1, 1, 5]), 3, 3.5).tolist()
    [inf, inf, 0.0]
    """
    core = weighted_core_distances(xy, weight, min_samples)
    core[core > max_eps] = np.inf
    return _round(core)


def optics_graph(
    xy: np.ndarray, weight: np.ndarray, min_samples: int, max_eps: float = np.inf
) -> dict[str, Any]:
    """Weighted OPTICS ordering of locations (scikit-learn's ``compute_optics_graph``).

    Parameters
    ----------
    xy : ndarray, shape (m, 2)
        Distinct locations, in the order that breaks ties (input order of first incidents).
    weight : ndarray of int, shape (m,)
        Incidents per location.
    min_samples : int
        Incidents within reach (own included) that make a location core.
    max_eps : float, default=inf
        Largest distance considered.

    Returns
    -------
    dict
        ``ordering``, ``core_distances``, ``reachability``, ``predecessor`` (arrays as
        scikit-learn's ``ordering_``, ``core_distances_``, ``reachability_``,
        ``predecessor_``) and ``loop`` ("dense" or "graph").

    Examples
    --------
    >>> xy = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]], dtype=float)
    >>> g = optics_graph(xy, np.ones(6, dtype=np.int64), 2)
    >>> g["ordering"].tolist(), g["predecessor"].tolist()
    ([0, 1, 2, 5, 3, 4], [-1, 0, 1, 5, 3, 2])
    """
    xy = np.ascontiguousarray(xy, dtype=float)
    m = len(xy)
    core = core_distances(xy, weight, min_samples, max_eps)
    loop = "dense"
    if m and np.isfinite(max_eps):
        tree = cKDTree(xy)
        links = tree.count_neighbors(tree, max_eps * (1 + 1e-9))  # m + 2 x pairs
        if links <= min(2 * MAX_PAIRS + m, GRAPH_SHARE * float(m) ** 2):
            loop = "graph"
    if loop == "graph":
        pairs = tree.query_pairs(max_eps * (1 + 1e-9), output_type="ndarray").astype(np.int64)
        i, j = pairs[:, 0], pairs[:, 1]
        dx = xy[i, 0] - xy[j, 0]
        dy = xy[i, 1] - xy[j, 1]
        d = np.sqrt(dx * dx + dy * dy)
        keep = d <= max_eps
        a = np.concatenate([i[keep], j[keep]])
        b = np.concatenate([j[keep], i[keep]])
        dd = np.concatenate([d[keep], d[keep]])
        order = np.lexsort((b, a))
        a, b, dd = a[order], b[order], dd[order]
        indptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(np.bincount(a, minlength=m), out=indptr[1:])
        ordering, reach, pred = optics_order_graph(indptr, b, dd, core)
    else:
        ordering, reach, pred = optics_order_dense(
            np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), core, float(max_eps)
        )
    return {
        "ordering": ordering,
        "core_distances": core,
        "reachability": reach,
        "predecessor": pred,
        "loop": loop,
    }


def extract_dbscan(
    reachability: np.ndarray, core_distances: np.ndarray, ordering: np.ndarray, eps: float
) -> np.ndarray:
    """DBSCAN-like labels at ``eps`` (scikit-learn's ``cluster_optics_dbscan``)."""
    labels = np.zeros(len(core_distances), dtype=np.int64)
    far_reach = reachability > eps
    near_core = core_distances <= eps
    labels[ordering] = np.cumsum(far_reach[ordering] & near_core[ordering]) - 1
    labels[far_reach & ~near_core] = -1
    return labels


def _extend_region(
    steep_point: np.ndarray, xward_point: np.ndarray, start: int, min_samples: int, w: np.ndarray
) -> int:
    """End of a maximal steep area from ``start``: it may hold at most ``min_samples``
    incidents on consecutive non-steep points."""
    n = len(steep_point)
    non_xward = 0.0
    index = start
    end = start
    while index < n:
        if steep_point[index]:
            non_xward = 0
            end = index
        elif not xward_point[index]:
            non_xward += w[index]
            if non_xward > min_samples:
                break
        else:
            return end
        index += 1
    return end


def _update_filter_sdas(
    sdas: list[dict[str, Any]], mib: float, xi_complement: float, plot: np.ndarray
) -> list[dict[str, Any]]:
    if np.isinf(mib):
        return []
    kept = [sda for sda in sdas if mib <= plot[sda["start"]] * xi_complement]
    for sda in kept:
        sda["mib"] = max(sda["mib"], mib)
    return kept


def _correct_predecessor(
    plot: np.ndarray, predecessor_plot: np.ndarray, ordering: np.ndarray, s: int, e: int
) -> tuple[int | None, int | None]:
    """Schubert & Gertz (2018), Algorithm 2."""
    while s < e:
        if plot[s] > plot[e]:
            return s, e
        p_e = predecessor_plot[e]
        if (ordering[s:e] == p_e).any():
            return s, e
        e -= 1
    return None, None


def _xi_cluster(
    plot: np.ndarray,
    predecessor_plot: np.ndarray,
    ordering: np.ndarray,
    w: np.ndarray,
    xi: float,
    min_samples: int,
    min_cluster_size: int,
) -> np.ndarray:
    """scikit-learn's ``_xi_cluster`` (Ankerst et al. 1999, figure 19) with weighted counts.

    ``w`` holds the incidents of each position of the plot; with unit weights this is
    scikit-learn's function line for line.
    """
    plot = np.hstack((plot, np.inf))  # an end at inf closes a cluster at the end of the plot
    cum = np.concatenate([[0], np.cumsum(w)])
    xi_complement = 1 - xi
    sdas: list[dict[str, Any]] = []
    clusters: list[tuple[int, int]] = []
    index = 0
    mib = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = plot[:-1] / plot[1:]
        steep_upward = ratio <= xi_complement
        steep_downward = ratio >= 1 / xi_complement
        downward = ratio > 1
        upward = ratio < 1

    for steep_index in np.flatnonzero(steep_upward | steep_downward):
        if steep_index < index:
            continue
        mib = max(mib, np.max(plot[index : steep_index + 1]))
        if steep_downward[steep_index]:
            sdas = _update_filter_sdas(sdas, mib, xi_complement, plot)
            d_start = int(steep_index)
            d_end = _extend_region(steep_downward, upward, d_start, min_samples, w)
            sdas.append({"start": d_start, "end": d_end, "mib": 0.0})
            index = d_end + 1
            mib = plot[index]
        else:
            sdas = _update_filter_sdas(sdas, mib, xi_complement, plot)
            u_start = int(steep_index)
            u_end = _extend_region(steep_upward, downward, u_start, min_samples, w)
            index = u_end + 1
            mib = plot[index]
            u_clusters = []
            for sda in sdas:
                c_start = sda["start"]
                c_end = u_end
                if plot[c_end + 1] * xi_complement < sda["mib"]:
                    continue
                d_max = plot[sda["start"]]
                if d_max * xi_complement >= plot[c_end + 1]:
                    while plot[c_start + 1] > plot[c_end + 1] and c_start < sda["end"]:
                        c_start += 1
                elif plot[c_end + 1] * xi_complement >= d_max:
                    while plot[c_end - 1] > d_max and c_end > u_start:
                        c_end -= 1
                c_start, c_end = _correct_predecessor(
                    plot, predecessor_plot, ordering, c_start, c_end
                )
                if c_start is None or c_end is None:
                    continue
                if cum[c_end + 1] - cum[c_start] < min_cluster_size:
                    continue
                if c_start > sda["end"]:
                    continue
                if c_end < u_start:
                    continue
                u_clusters.append((c_start, c_end))
            u_clusters.reverse()
            clusters.extend(u_clusters)
    return np.array(clusters, dtype=np.int64).reshape(-1, 2)


def extract_xi(
    reachability: np.ndarray,
    predecessor: np.ndarray,
    ordering: np.ndarray,
    weight: np.ndarray,
    min_samples: int,
    min_cluster_size: int,
    xi: float,
) -> tuple[np.ndarray, np.ndarray]:
    """ξ-steep clusters (scikit-learn's ``cluster_optics_xi``, counts in incidents).

    Returns the labels per location (-1 for noise) and the clusters as ``[start, end]``
    positions of the ordering (inclusive; nested clusters before the clusters holding them).
    """
    clusters = _xi_cluster(
        reachability[ordering],
        predecessor[ordering],
        ordering,
        weight[ordering],
        xi,
        min_samples,
        min_cluster_size,
    )
    labels = np.full(len(ordering), -1, dtype=np.int64)
    label = 0
    for start, end in clusters:
        if not np.any(labels[start : end + 1] != -1):
            labels[start : end + 1] = label
            label += 1
    out = np.empty_like(labels)
    out[ordering] = labels
    return out, clusters


def run(
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray | None,
    *,
    quiet: bool = False,
    weights: np.ndarray | None = None,
    **params: Any,
) -> ClusterFit:
    """OPTICS of incidents (see the module docstring); deterministic.

    Parameters
    ----------
    x, y : ndarray of float, shape (n,)
        Incident coordinates in metres.
    t : ndarray or None
        Unused.
    quiet : bool, default=False
        Do not announce automatic choices.
    **params
        ``min_samples`` : int, default=20
            Incidents within reach (own included) that make a location core (>= 2).
        ``max_eps`` : float, default=inf
            Largest distance in metres considered (> 0); smaller is faster.
        ``cluster_method`` : {"xi", "dbscan"}, default="xi"
        ``xi`` : float, default=0.05
            Steepness of a cluster's walls, in (0, 1); "xi" only.
        ``min_cluster_size`` : int, default=min_samples
            Incidents in a ξ cluster (>= 2); "xi" only.
        ``eps`` : float, default=max_eps when finite
            Distance at which to cut the plot, in metres (<= max_eps); "dbscan" only.

    Returns
    -------
    ClusterFit
        ``labels`` per incident (-1 noise, clusters by size) and ``params``.

    Raises
    ------
    hotspot.errors.HotspotInputError
        A value of the wrong type or out of range, an unknown parameter, ``eps`` > ``max_eps``,
        an option of the other cluster method, or ``cluster_method="dbscan"`` without ``eps``
        when ``max_eps`` is inf.

    Examples
    --------
    >>> x = np.array([0.0, 1, 2, 3, 100, 101, 102, 103, 500])
    >>> run(x, np.zeros(9), None, min_samples=2, cluster_method="dbscan", eps=5).labels.tolist()
    [0, 0, 0, 0, 1, 1, 1, 1, -1]
    """
    check_keywords("optics", params, ACCEPTED)
    given = {k: v for k, v in params.items() if v is not None}
    min_samples = check_integer(
        given.get("min_samples", DEFAULT_MIN_SAMPLES),
        "min_samples",
        minimum=2,
        example="20",
        func="optics",
    )
    max_eps = check_length(given.get("max_eps", np.inf), "max_eps", allow_inf=True, method="optics")
    method = check_choice(
        given.get("cluster_method", "xi"), "cluster_method", CLUSTER_METHODS, func="optics"
    )
    record: dict[str, Any] = {
        "min_samples": min_samples,
        "max_eps": max_eps,
        "cluster_method": method,
        "metric": "euclidean",
        "defaulted": [k for k in ("min_samples", "max_eps", "cluster_method") if k not in given],
    }
    other = ("eps",) if method == "xi" else ("xi", "min_cluster_size")
    misplaced = [k for k in other if k in given]
    if misplaced:
        raise HotspotInputError(
            f"optics: {', '.join(misplaced)} is not used with cluster_method={method!r}; "
            + (
                "pass cluster_method='dbscan' to cut the reachability plot at eps."
                if method == "xi"
                else "xi and min_cluster_size belong to cluster_method='xi'."
            )
        )
    if method == "xi":
        if "xi" in given:
            xi = given["xi"]
            if (
                isinstance(xi, bool)
                or not isinstance(xi, int | float | np.integer | np.floating)
                or not 0 < xi < 1
            ):
                raise HotspotInputError(
                    f"optics: xi={xi!r} must be a number in the open interval (0, 1), e.g. "
                    f"xi={DEFAULT_XI} (smaller finds more, shallower clusters)."
                )
            xi = float(xi)
        else:
            xi = DEFAULT_XI
            record["defaulted"].append("xi")
        if "min_cluster_size" in given:
            min_cluster_size = check_integer(
                given["min_cluster_size"], "min_cluster_size", minimum=2, func="optics"
            )
        else:
            min_cluster_size = min_samples
            record["defaulted"].append("min_cluster_size")
            announce(
                f"optics: min_cluster_size not given: using min_samples ({min_samples} incidents)",
                quiet=quiet,
            )
        record.update(xi=xi, min_cluster_size=min_cluster_size)
    else:
        if "eps" in given:
            eps = check_length(given["eps"], "eps", method="optics")
        elif np.isfinite(max_eps):
            eps = max_eps
            record["defaulted"].append("eps")
            announce(f"optics: eps not given: cutting the plot at max_eps ({eps:g} m)", quiet=quiet)
        else:
            raise HotspotInputError(
                "optics: cluster_method='dbscan' needs eps=, the distance in metres at which to "
                "cut the reachability plot (or a finite max_eps to use as eps)."
            )
        if eps > max_eps:
            raise HotspotInputError(
                f"optics: eps ({eps:g} m) must not exceed max_eps ({max_eps:g} m): the plot "
                "holds no reachability beyond max_eps; lower eps or raise max_eps."
            )
        record["eps"] = eps

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    loc = unique_locations(x, y, weights=weights)
    record.update(
        n_incidents=n,
        n_locations=loc.m,
        counts="incidents (identical coordinates are one location with a multiplicity)",
    )
    if n == 0:
        return ClusterFit(labels=np.empty(0, dtype=np.int64), params=record)
    graph = optics_graph(loc.xy, loc.weight, min_samples, max_eps)
    record["ordering_loop"] = graph["loop"]
    if method == "xi":
        location_labels, clusters = extract_xi(
            graph["reachability"],
            graph["predecessor"],
            graph["ordering"],
            loc.weight,
            min_samples,
            min_cluster_size,
            xi,
        )
        record["n_xi_clusters_nested"] = len(clusters)
    else:
        location_labels = extract_dbscan(
            graph["reachability"], graph["core_distances"], graph["ordering"], eps
        )
    labels, _ = renumber(location_labels[loc.inverse])
    return ClusterFit(labels=labels, params=record)
