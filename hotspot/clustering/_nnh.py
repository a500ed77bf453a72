"""Nearest-neighbour hierarchical clustering (NNH), after CrimeStat (Levine).

The method links incidents that lie closer together than the nearest-neighbour distance
expected under complete spatial randomness (CSR), keeps the linked groups that hold at least
``min_points`` incidents (the first-order clusters), then repeats the procedure on the clusters'
mean centres to find clusters of clusters (second and higher orders).

**Threshold distance.** With N points in an area A, the mean nearest-neighbour distance under
CSR is expected to be ``d = 0.5 * sqrt(A / N)`` with standard error
``SE = 0.26136 * sqrt(A / N**2)`` (Clark & Evans 1954, as in
:func:`hotspot.stats.pointpattern.nearest_neighbour_index`). CrimeStat sets the threshold at a
limit of the confidence interval of that mean for a one-tailed probability ``p`` chosen by the
user (Levine, CrimeStat IV manual, ch. 7, "Criterion 1: threshold distance")::

    threshold = d + t_p * SE,    t_p = the p-quantile of Student's t with N - 1 df

so ``p = 0.5`` gives ``t = 0`` and the threshold is the expected distance itself; a smaller
``p`` gives a negative ``t`` and a shorter, more conservative threshold (one that the mean
nearest-neighbour distance of a random pattern falls below only with probability ``p``); a
larger ``p`` a longer one. The probability concerns that mean, not each pair: with p = 0.5
about 54 % (1 - exp(-pi/4)) of a random pattern's points have a neighbour within the
threshold, so small chance clusters are expected and ``min_points`` is what keeps them out.
CrimeStat speaks of "a t-value" for the probability without naming its degrees of freedom; we
use N - 1 (the distance is a mean of N nearest-neighbour distances). For the first order N is
the number of incidents and ``t`` equals the normal quantile to three decimals; at higher
orders N is the number of clusters and the t quantile is noticeably wider.

**First order.** Pairs of incidents strictly closer than the threshold are linked and the
linked groups (single linkage: connected components of the "closer than" graph) holding at
least ``min_points`` incidents are the first-order clusters; the other incidents are noise
(-1). Like CrimeStat, every incident is a point: incidents at identical coordinates are at
distance 0, so they always link (whenever the threshold is positive) and a location holding
``min_points`` incidents or more is a cluster on its own. N counts incidents, not locations.
The work is done on distinct locations with their multiplicities, so it scales with them.

**Higher orders.** The order-k clusters' mean centres (each the mean of all the incidents in
the cluster, i.e. weighted by incidents) become the points of order k + 1: a new threshold
comes from the same formula with N = the number of order-k clusters and the same area A, the
centres are linked the same way, and groups of at least ``min_points`` clusters form the
order-(k + 1) clusters (``min_points`` then counts clusters: by our reading of the manual
CrimeStat applies the minimum to the points being clustered at each order). This repeats until an order
forms no cluster, fewer than ``min_points`` clusters (or a single one) remain, or the threshold
is not positive. An incident belongs to the order-k cluster containing its order-(k - 1)
cluster, else -1.

**Area.** The threshold depends on A like every nearest-neighbour statistic: the same incidents
in a larger area give a longer threshold and larger clusters. The default is the convex hull
of the incidents (``study_area="bbox"`` gives their bounding rectangle); CrimeStat uses the
area entered on its measurement-parameters page. Pass the real study area when you have it.

References
----------
Levine, N. (2015). CrimeStat IV: A Spatial Statistics Program for the Analysis of Crime
Incident Locations (version 4.02), ch. 7 "Hot spot analysis of points: I", section "Nearest
neighbor hierarchical clustering". Ned Levine & Associates, Houston, TX, and the National
Institute of Justice, Washington, DC.

de Smith, M. J., Goodchild, M. F. & Longley, P. A. Geospatial Analysis, section
"Hierarchical nearest neighbour clustering" (spatialanalysisonline.com): level-1 clusters are
pairs within the expected CSR mean distance plus or minus a confidence interval from its
standard error, then the clusters' mean centres are clustered in turn.

Clark, P. J. & Evans, F. C. (1954). Distance to nearest neighbor as a measure of spatial
relationships in populations. Ecology 35(4), 445–453.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from scipy.stats import t as student_t

from hotspot._areas import hull_of_points
from hotspot._messages import announce
from hotspot._validate import check_alpha, check_choice, check_integer, check_study_area
from hotspot.clustering._base import (
    NNH_AREA_NAMES,
    ClusterFit,
    check_keywords,
    renumber,
    unique_locations,
)
from hotspot.errors import HotspotInputError

__all__ = ["ACCEPTED", "Threshold", "link", "run", "threshold_distance"]

ACCEPTED = ("min_points", "p", "study_area")

# Clark & Evans (1954): SE of the mean nearest-neighbour distance under CSR, 0.26136 sqrt(A)/N.
_CE_SE = 0.26136
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


@dataclass(frozen=True)
class Threshold:
    """The threshold distance of one order.

    Attributes
    ----------
    n : int
        Points clustered at this order (incidents at the first, clusters above).
    expected : float
        Mean nearest-neighbour distance expected under CSR, ``0.5 * sqrt(A / n)`` (metres).
    standard_error : float
        Its standard error, ``0.26136 * sqrt(A / n**2)`` (metres).
    t_value : float
        The ``p``-quantile of Student's t with ``n - 1`` degrees of freedom (0 for p = 0.5).
    distance : float
        ``expected + t_value * standard_error`` (metres); may be negative for a small ``p``
        and a small ``n``, in which case nothing links.
    """

    n: int
    expected: float
    standard_error: float
    t_value: float
    distance: float


def threshold_distance(n: int, area: float, p: float) -> Threshold:
    """CrimeStat's NNH threshold distance for ``n`` points in ``area`` m² at probability ``p``.

    Examples
    --------
    >>> th = threshold_distance(100, 1e6, 0.5)
    >>> th.expected, th.t_value, th.distance
    (50.0, 0.0, 50.0)
    >>> round(threshold_distance(100, 1e6, 0.05).distance, 3)  # 50 - 1.6604 * 2.6136
    45.66
    """
    if n < 2:
        raise HotspotInputError(f"nnh: the threshold needs at least 2 points, got {n}")
    expected = 0.5 * math.sqrt(area / n)
    se = _CE_SE * math.sqrt(area) / n
    t_value = 0.0 if p == 0.5 else float(student_t.ppf(p, n - 1))
    return Threshold(
        n=int(n),
        expected=expected,
        standard_error=se,
        t_value=t_value,
        distance=expected + t_value * se,
    )


def link(xy: np.ndarray, distance: float) -> np.ndarray:
    """Single-linkage groups of points: connected components of the graph joining the pairs
    strictly closer than ``distance``. Returns a group id per point (0 … k-1).

    Examples
    --------
    >>> link(np.array([[0.0, 0.0], [9.0, 0.0], [18.0, 0.0], [40.0, 0.0]]), 10.0).tolist()
    [0, 0, 0, 1]
    """
    m = len(xy)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    if distance > 0 and m > 1:
        pairs = cKDTree(xy).query_pairs(distance, output_type="ndarray")
        if len(pairs):
            gap = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
            pairs = pairs[gap < distance]  # "closer than": the k-d tree's radius is inclusive
    else:
        pairs = np.zeros((0, 2), dtype=np.int64)
    graph = sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(m, m)
    ).tocsr()
    _, groups = connected_components(graph, directed=False)
    return groups.astype(np.int64)


# ----------------------------------------------------------------------------- validation


def _area(study_area: Any, x: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    """The study area in m² and where it came from."""
    if study_area is None or isinstance(study_area, str):
        kind = (
            "hull"
            if study_area is None
            else check_choice(study_area, "study_area", NNH_AREA_NAMES, func="nnh")
        )
        polygon = hull_of_points(x, y, "convex" if kind == "hull" else "bbox", 0.0)
        if not polygon.area > 0:
            raise HotspotInputError(
                "nnh: the incidents lie on one line or one location, so their "
                f"{'convex hull' if kind == 'hull' else 'bounding box'} has no area; pass the "
                "study area with study_area= (a polygon or square metres)."
            )
        note = "convex hull of the incidents" if kind == "hull" else "bounding box of the incidents"
        return float(polygon.area), note
    if isinstance(study_area, numbers.Real) and not isinstance(study_area, bool):
        value = float(study_area)
        if not math.isfinite(value) or value <= 0:
            raise HotspotInputError(
                f"nnh: study_area={study_area!r} must be a positive number of square metres; "
                "or pass a polygon, 'hull' or 'bbox'."
            )
        return value, "given as a number (m²)"
    if not isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry):
        raise HotspotInputError(
            f"nnh: study_area={type(study_area).__name__} is not a study area; pass 'hull', "
            "'bbox', a number of square metres, a shapely polygon (in the incidents' CRS), a "
            "GeoSeries, a GeoDataFrame or the path of a polygon file."
        )
    polygon = check_study_area(study_area, None, func="nnh")
    if shapely.get_type_id(polygon) not in (3, 6):
        raise HotspotInputError(
            f"nnh: study_area is a {polygon.geom_type}, not polygons; pass the study area's "
            "polygon."
        )
    if not np.asarray(shapely.intersects_xy(polygon, x, y)).any():
        raise HotspotInputError(
            f"nnh: none of the {len(x):,} incidents lie inside study_area; is it in the "
            "incidents' CRS? Reproject it with study_area.to_crs(incidents.crs)."
        )
    return float(polygon.area), "given polygon"


# ----------------------------------------------------------------------------- the method


def _centres(labels: np.ndarray, x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Mean centre (of the incidents) of clusters 0 … k-1."""
    inside = labels >= 0
    count = np.bincount(labels[inside], minlength=k).astype(float)
    cx = np.bincount(labels[inside], weights=x[inside], minlength=k) / count
    cy = np.bincount(labels[inside], weights=y[inside], minlength=k) / count
    return np.column_stack([cx, cy])


def _order_record(order: int, th: Threshold, n_clusters: int) -> dict[str, Any]:
    return {
        "order": order,
        "n_points": th.n,
        "expected_nn_distance": th.expected,
        "standard_error": th.standard_error,
        "t_value": th.t_value,
        "threshold": th.distance,
        "n_clusters": n_clusters,
    }


def run(
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray | None = None,
    *,
    quiet: bool = False,
    min_points: int = 10,
    p: float = 0.5,
    study_area: Any = None,
    **unknown: Any,
) -> ClusterFit:
    """CrimeStat's nearest-neighbour hierarchical clustering (see the module docstring);
    deterministic.

    Parameters
    ----------
    x, y : ndarray of float, shape (n,)
        Incident coordinates in metres.
    t : ignored
        NNH is purely spatial.
    quiet : bool, default=False
        Do not announce the threshold distance and the area it came from.
    min_points : int, default=10
        Least incidents in a first-order cluster, and least clusters in a higher-order one.
    p : float, default=0.5
        One-tailed probability setting the threshold, ``d + t_p * SE`` (0 < p < 1).
    study_area : {"hull", "bbox"}, float, polygon, GeoSeries or GeoDataFrame, default="hull"
        The study area (m² as a number; polygons in the incidents' CRS).
        :func:`hotspot.cluster_incidents` also takes the path of a polygon file and reprojects
        frames and files to the incidents' CRS.

    Returns
    -------
    ClusterFit
        ``labels`` the first-order cluster per incident; ``levels`` the cluster per incident
        at each order that formed a cluster (column 0 = first order, always present);
        ``cluster_info`` with ``orders`` (per attempted order: ``order``, ``n_points``,
        ``expected_nn_distance``, ``standard_error``, ``t_value``, ``threshold``,
        ``n_clusters``), ``centres`` ({order: {label: (x, y)}}), ``children`` ({order >= 2:
        {label: [order-(k-1) labels]}}) and ``stopped`` (why no further order formed);
        ``params`` with ``min_points``, ``p``, ``t_distribution``, ``area_m2``,
        ``area_source``, ``n``, ``n_locations``, ``threshold`` (first order), ``thresholds``
        and ``t_values`` (per attempted order).

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [9.0, 0.0], [18.0, 0.0], [200.0, 0.0], [200.0, 0.0]])
    >>> fit = run(xy[:, 0], xy[:, 1], study_area=4.0 * 100.0 * 5, min_points=2, quiet=True)
    >>> fit.params["threshold"], fit.labels.tolist()
    (10.0, [0, 0, 0, 1, 1])
    """
    check_keywords("nnh", unknown, ACCEPTED)
    min_points = check_integer(min_points, "min_points", minimum=2, example="10", func="nnh")
    p = check_alpha(p, name="p", func="nnh")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    if n < 2:
        raise HotspotInputError(
            f"nnh needs at least 2 incidents, got {n}: there is no nearest neighbour to measure."
        )
    area_m2, area_source = _area(study_area, x, y)
    loc = unique_locations(x, y)

    # first order: incidents (as weighted distinct locations)
    th = threshold_distance(n, area_m2, p)
    groups = link(loc.xy, th.distance)
    size = np.bincount(groups, weights=loc.weight).astype(np.int64)
    # a stack of identical incidents links only when 0 is "closer than" the threshold
    keep = (size >= min_points) & (th.distance > 0)
    location_label = np.where(keep[groups], groups, -1)
    labels, _ = renumber(location_label[loc.inverse])
    k = int(labels.max() + 1) if n else 0
    orders = [_order_record(1, th, k)]
    centres = {1: {c: tuple(map(float, xy)) for c, xy in enumerate(_centres(labels, x, y, k))}}
    children: dict[int, dict[int, list[int]]] = {}
    levels = [labels]
    announce(
        f"nnh: threshold distance {th.distance:,.1f} m at the first order (expected random "
        f"nearest-neighbour distance {th.expected:,.1f} m for {n:,} incidents in "
        f"{area_m2 / 1e6:,.3f} km² ({area_source}); p={p:g}, t={th.t_value:.3f}); "
        "change it with p= or study_area=",
        quiet=quiet,
    )
    stopped = ""
    if th.distance <= 0:
        stopped = (
            f"the first-order threshold ({th.distance:,.1f} m) is not positive, so nothing "
            "links; use a larger p"
        )
    current = labels
    while not stopped:
        order = len(levels) + 1
        if k < max(min_points, 2):
            stopped = (
                f"order {order - 1} has {k} cluster{'s' if k != 1 else ''}, fewer than "
                f"{max(min_points, 2)}: no order-{order} cluster can form"
            )
            break
        points = _centres(current, x, y, k)
        th = threshold_distance(k, area_m2, p)
        groups = link(points, th.distance)
        size = np.bincount(groups)
        keep = size >= min_points
        cluster_label = np.where(keep[groups], groups, -1)
        if not keep.any():
            orders.append(_order_record(order, th, 0))
            stopped = (
                f"no order-{order} cluster: no {min_points} order-{order - 1} cluster centres "
                f"link within {th.distance:,.1f} m"
                + (" (the threshold is not positive; use a larger p)" if th.distance <= 0 else "")
            )
            break
        raw = np.where(current >= 0, cluster_label[np.maximum(current, 0)], -1)
        new, mapping = renumber(raw)
        k_new = int(new.max() + 1)
        children[order] = {
            mapping[int(g)]: [c for c in range(k) if cluster_label[c] == g]
            for g in np.unique(cluster_label[cluster_label >= 0])
        }
        orders.append(_order_record(order, th, k_new))
        centres[order] = {
            c: tuple(map(float, xy)) for c, xy in enumerate(_centres(new, x, y, k_new))
        }
        levels.append(new)
        current, k = new, k_new

    summary = ", ".join(
        f"{o['n_clusters']:,} {_ORDINALS.get(o['order'], str(o['order']) + 'th')}-order"
        for o in orders
        if o["n_clusters"]
    )
    if summary:
        announce(f"nnh: {summary} clusters", quiet=quiet)
    params = {
        "min_points": min_points,
        "p": p,
        "t_distribution": "Student's t, n - 1 degrees of freedom",
        "area_m2": area_m2,
        "area_source": area_source,
        "n": n,
        "n_locations": loc.m,
        "threshold": orders[0]["threshold"],
        "thresholds": [o["threshold"] for o in orders],
        "t_values": [o["t_value"] for o in orders],
        "counts": "incidents at the first order (identical coordinates are separate points "
        "at distance 0), clusters above",
    }
    info = {"orders": orders, "centres": centres, "children": children, "stopped": stopped}
    return ClusterFit(
        labels=labels,
        levels=np.column_stack(levels).astype(np.int64),
        cluster_info=info,
        params=params,
    )
