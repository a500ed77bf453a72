"""DBSCAN on weighted locations (Ester, Kriegel, Sander & Xu 1996).

DBSCAN grows clusters from *core* points: a point is core when its ``eps``-neighbourhood (all
points at a distance ≤ ``eps``, the point itself included) holds at least ``min_samples``
points. Core points within ``eps`` of each other share a cluster; a non-core point within
``eps`` of a core point is a *border* point of that cluster; every other point is noise.

Here the points are incidents and identical coordinates are **one location with a
multiplicity**. Each distinct location is clustered once, with its number of incidents as a
sample weight, by scikit-learn's ``DBSCAN(eps, min_samples).fit(xy, sample_weight=w)``: a
location is core when the incidents within ``eps``, its own included, number at least
``min_samples``, so a location holding ``min_samples`` incidents is core on its own. This is
exactly DBSCAN on the incidents themselves (the neighbourhood of a duplicated incident holds
all its copies), at the cost of the distinct locations: 18,787 for Toronto's 240,992
incidents, where scikit-learn on the raw points lists hundreds of duplicates per neighbourhood.
Incidents at one location always share a label.

**Border points claimed by two clusters.** DBSCAN gives a border point within ``eps`` of core
points of two clusters to the cluster found first (Ester et al. 1996, and scikit-learn), so
the result depends on the order of the input. The locations are processed in the order of
their first incident in the input, which makes the labels identical, up to renumbering, to
scikit-learn's ``DBSCAN`` on the raw incident rows in the same order, including these border
points: scikit-learn discovers clusters in the order of their first core point, and the first
core incident of a cluster is the first incident of a core location. Core points and noise
never depend on the order.

References
----------
Ester, M., Kriegel, H.-P., Sander, J., Xu, X. (1996). A density-based algorithm for
discovering clusters in large spatial databases with noise. KDD-96, 226–231.
Schubert, E., Sander, J., Ester, M., Kriegel, H.-P., Xu, X. (2017). DBSCAN revisited,
revisited: why and how you should (still) use DBSCAN. ACM TODS 42(3), 19.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspot._validate import check_choice, check_integer
from hotspot.clustering._base import (
    ClusterFit,
    check_keywords,
    check_length,
    renumber,
    unique_locations,
)
from hotspot.errors import HotspotInputError

ACCEPTED = ("eps", "min_samples", "metric")
METRICS = ("euclidean",)
DEFAULT_MIN_SAMPLES = 20


# --- shared by DBSCAN and ST-DBSCAN ----------------------------------------------------------


def core_incident_counts(labels: np.ndarray, core: np.ndarray) -> dict[int, int]:
    """Incidents at core locations per cluster label (``labels``, ``core`` per incident)."""
    inside = (labels >= 0) & core
    counts = np.bincount(labels[inside], minlength=int(labels.max()) + 1 if len(labels) else 0)
    return {int(k): int(c) for k, c in enumerate(counts)}


# --- DBSCAN ------------------------------------------------------------------------------------


def run(
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray | None,
    *,
    quiet: bool = False,
    weights: np.ndarray | None = None,
    **params: Any,
) -> ClusterFit:
    """DBSCAN of incidents (see the module docstring); deterministic.

    Parameters
    ----------
    x, y : ndarray of float, shape (n,)
        Incident coordinates in metres.
    t : ndarray or None
        Unused (DBSCAN is spatial only; see ``"st-dbscan"``).
    quiet : bool, default=False
        Unused: DBSCAN makes no automatic choice.
    **params
        ``eps`` : float, required
            Neighbourhood radius in metres (> 0); a distance of exactly ``eps`` is within.
        ``min_samples`` : int, default=20
            Incidents within ``eps`` (the location's own included) that make a location core.
        ``metric`` : {"euclidean"}, default="euclidean"

    Returns
    -------
    ClusterFit
        ``labels`` per incident (-1 noise, clusters by size), ``cluster_info["core_incidents"]``
        (incidents at core locations per cluster) and ``params``.

    Raises
    ------
    hotspot.errors.HotspotInputError
        ``eps`` missing, ≤ 0 or not finite, ``min_samples`` not a whole number ≥ 1, a metric
        other than "euclidean", or an unknown parameter.

    Notes
    -----
    Memory and time follow scikit-learn's DBSCAN on the m distinct locations: it stores every
    location's neighbour list, O(m · average neighbours).

    Examples
    --------
    >>> x = np.array([0.0, 0.0, 0.0, 50.0, 1000.0])
    >>> fit = run(x, np.zeros(5), None, eps=60, min_samples=3)
    >>> fit.labels.tolist(), fit.params["n_locations"]
    ([0, 0, 0, 0, -1], 3)
    """
    del quiet  # nothing is chosen for the user
    check_keywords("dbscan", params, ACCEPTED)
    if params.get("eps") is None:
        raise HotspotInputError(
            "dbscan: eps= is missing; pass the neighbourhood radius in metres, e.g. "
            "hotspot.cluster_incidents(incidents, 'dbscan', eps=100, min_samples=20)."
        )
    eps = check_length(params["eps"], "eps", method="dbscan")
    defaulted = [k for k in ("min_samples", "metric") if params.get(k) is None]
    given = params.get("min_samples")
    min_samples = check_integer(
        DEFAULT_MIN_SAMPLES if given is None else given,
        "min_samples",
        minimum=1,
        example="20",
        func="dbscan",
    )
    metric = check_choice(params.get("metric") or "euclidean", "metric", METRICS, func="dbscan")

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    loc = unique_locations(x, y, weights=weights)
    record: dict[str, Any] = {
        "eps": eps,
        "min_samples": min_samples,
        "metric": metric,
        "defaulted": defaulted,
        "n_incidents": n,
        "n_locations": loc.m,
        "counts": "incidents (identical coordinates are one location with a multiplicity)",
        "border_ties": "first cluster in input order, as scikit-learn on the raw incidents",
    }
    if n == 0:
        return ClusterFit(
            labels=np.empty(0, dtype=np.int64),
            cluster_info={"core_incidents": {}},
            params=record,
        )

    from sklearn.cluster import DBSCAN

    model = DBSCAN(eps=eps, min_samples=min_samples, metric=metric)
    model.fit(loc.xy, sample_weight=loc.weight.astype(float))
    core = np.zeros(loc.m, dtype=bool)
    core[model.core_sample_indices_] = True
    labels, _ = renumber(model.labels_[loc.inverse])
    return ClusterFit(
        labels=labels,
        cluster_info={"core_incidents": core_incident_counts(labels, core[loc.inverse])},
        params=record,
    )
