"""``cluster_incidents``: outline hot spots from the points themselves, without a grid.

Every method treats identical coordinates as one location with a multiplicity (a sample
weight): the density semantics stay those of the incidents (``min_samples`` and
``min_cluster_size`` count incidents, not locations), incidents at the same address always
share a label, and the work scales with distinct locations — police data snaps crimes to a few
map points (22,515 points for 83,577 West Yorkshire crimes; 18,787 for 240,992 in Toronto).
"""

from __future__ import annotations

import importlib
import numbers
import os
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._messages import announce
from hotspot._period import incidents_period
from hotspot._result import stamp
from hotspot._validate import (
    check_choice,
    check_incidents,
    check_study_area,
    incident_xy,
    renamed_parameter,
)
from hotspot.clustering._base import NNH_AREA_NAMES, ClusterFit
from hotspot.clustering._weights import check_incident_weights
from hotspot.errors import HotspotInputError

METHODS = {
    "hdbscan": "hotspot.clustering._hdbscan",
    "dbscan": "hotspot.clustering._dbscan",
    "optics": "hotspot.clustering._optics",
    "st-dbscan": "hotspot.clustering._stdbscan",
    "nnh": "hotspot.clustering._nnh",
}
NEEDS_TIME = {"st-dbscan"}


def check_method(method: object, *, func: str) -> str:
    """The clustering method's name in lower case, or an error listing the methods.

    Examples
    --------
    >>> check_method("HDBSCAN", func="cluster_incidents")
    'hdbscan'
    """
    name = method.lower() if isinstance(method, str) else method
    return check_choice(name, "method", tuple(METHODS), func=func)


def incident_days(
    incidents: gpd.GeoDataFrame, method: str, *, func: str = "cluster_incidents"
) -> np.ndarray | None:
    """Days since the first incident, for the methods that use time (else None).

    Examples
    --------
    >>> import hotspot as hs
    >>> incident_days(hs.datasets.load_burkitt(), "dbscan") is None
    True
    """
    if method not in NEEDS_TIME:
        return None
    if "time" not in incidents.columns or not pd.api.types.is_datetime64_any_dtype(
        incidents["time"]
    ):
        raise HotspotInputError(
            f"{func}: method={method!r} needs a datetime 'time' column; load the incidents with "
            "hotspot.read_incidents(..., time='<your date column>')."
        )
    times = incidents["time"]
    if times.isna().any():
        raise HotspotInputError(
            f"{func}: method={method!r}: {int(times.isna().sum())} incidents have no time; drop "
            "them first with incidents[incidents['time'].notna()]."
        )
    origin = times.min()
    return ((times - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def method_params(
    incidents: gpd.GeoDataFrame, method: str, params: dict[str, Any], *, func: str
) -> dict[str, Any]:
    """The method's parameters as its ``run`` takes them: NNH's ``study_area`` given as a
    GeoSeries, a GeoDataFrame or a file path becomes one polygon in the incidents' CRS; its
    old name ``area`` still works until 0.3, with a FutureWarning."""
    if method == "nnh" and "area" in params:
        params = dict(params)
        old = params.pop("area")
        params["study_area"] = renamed_parameter(
            func, "area", "study_area", old, params.get("study_area"), None
        )
    area = params.get("study_area")
    if method != "nnh" or area is None or isinstance(area, shapely.Geometry):
        return params
    if isinstance(area, numbers.Real) or (
        isinstance(area, str) and (area in NNH_AREA_NAMES or not os.path.exists(area))
    ):
        return params  # a name, a number, or a typo that run() refuses with the names
    if isinstance(area, gpd.GeoSeries | gpd.GeoDataFrame | str | os.PathLike):
        return {**params, "study_area": check_study_area(area, incidents.crs, func=func)}
    return params


def run_method(
    method: str,
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray | None,
    *,
    quiet: bool = True,
    weights: np.ndarray | None = None,
    **params: Any,
) -> ClusterFit:
    """Run one method (a key of :data:`METHODS`) on coordinates in metres and days, with
    optional per-incident ``weights`` (not for NNH).

    Examples
    --------
    >>> fit = run_method("dbscan", np.array([0.0, 1.0, 50.0]), np.zeros(3), None, eps=2,
    ...                  min_samples=2)
    >>> fit.labels.tolist()
    [0, 0, -1]
    """
    module = importlib.import_module(METHODS[method])
    if weights is None:
        return module.run(x, y, t, quiet=quiet, **params)
    return module.run(x, y, t, quiet=quiet, weights=weights, **params)


def cluster_incidents(
    incidents: gpd.GeoDataFrame,
    method: str = "hdbscan",
    *,
    incident_weights: str | np.ndarray | pd.Series | None = None,
    quiet: bool = False,
    rng: Any = None,
    **params: Any,
) -> gpd.GeoDataFrame:
    """Cluster incident points.

    Parameters
    ----------
    incidents : GeoDataFrame
        From :func:`hotspot.read_incidents` (points in metres).
    method : {"hdbscan", "dbscan", "optics", "st-dbscan", "nnh"}, default="hdbscan"
    incident_weights : str or array-like, optional
        A weight per incident (e.g. ``harm`` from :func:`hotspot.harm_weights`): a numeric
        column name, or an array or Series (on the incidents' index) of finite numbers >= 0.
        An incident of weight w counts as w incidents wherever the method counts incidents
        (see Notes); None, the default, counts every incident once, and weights of 1 give
        exactly the unweighted result. Refused for ``"nnh"``.
    quiet : bool, default=False
        Do not announce automatic choices.
    rng : deprecated
        Has no effect: every method is deterministic. Passing anything but None warns
        (FutureWarning); it will be removed in 0.3.
    **params
        The method's parameters, in metres and days (see Notes).

    Returns
    -------
    GeoDataFrame
        A copy of ``incidents`` (same index) with ``cluster`` (int, −1 = noise; clusters numbered
        by size, largest first) and, where the method gives them, ``cluster_probability`` and
        ``cluster_outlier_score`` (HDBSCAN) or ``cluster_order_<k>`` (NNH's higher orders).
        ``attrs["hotspot"]`` is stamped with kind ``"incidents"``, method
        ``"cluster_incidents"`` and, under ``"cluster_incidents"``, the ``algorithm``, its
        ``params`` (automatic choices included), ``n_clusters``, ``n_noise`` and
        ``cluster_info`` (per-cluster extras, e.g. HDBSCAN's persistence). With
        ``incident_weights``, a ``cluster_weight`` column holds each incident's weight (which
        :func:`hotspot.clustering.summary.cluster_summary` sums per cluster) and the params
        record ``incident_weights`` (how they were given). Clusters are still numbered by
        their number of incidents.

    Notes
    -----
    Parameters per method (counts are incidents, distances metres, times days):

    - ``hdbscan``: ``min_cluster_size`` (default 50) and ``min_samples`` (default =
      min_cluster_size), both in incidents, ``min_samples`` including the incident itself (as
      scikit-learn; the ``hdbscan`` package's ``min_samples`` is one less).
    - ``dbscan``: ``eps`` (required), ``min_samples`` (default 20, the incident itself
      included, as scikit-learn), ``metric`` ("euclidean" only).
    - ``optics``: ``min_samples`` (default 20), ``max_eps`` (inf), ``cluster_method`` ("xi" or
      "dbscan"), ``xi`` (0.05) and ``min_cluster_size`` (default ``min_samples``) for "xi",
      ``eps`` for "dbscan"; reachability and extraction count incidents.
    - ``st-dbscan``: ``eps`` (metres), ``time_eps`` (days, may be ``inf``), ``min_samples``
      (default 20); neighbours are within both.
    - ``nnh``: ``min_points`` (default 10), ``p`` (one-tailed probability, default 0.5),
      ``study_area`` ("hull" — the default —, "bbox", a number of m², a polygon, GeoSeries or
      GeoDataFrame, or the path of a polygon file; frames and files are reprojected to the
      incidents' CRS). ``area=``, its old name, still works with a FutureWarning until 0.3.

    **Incident weights.** A location of total weight w counts as w incidents when judging
    density, so integer weights k give the clustering of each incident repeated k times:

    - ``dbscan``: a location is core when the weight within ``eps`` (its own included)
      reaches ``min_samples`` — scikit-learn's ``DBSCAN.fit(X, sample_weight=w)``.
    - ``st-dbscan``: the same rule with the space-time neighbourhood.
    - ``optics``: the core distance is the distance at which the weight reached first holds
      ``min_samples``; the xi extraction's ``min_samples`` and ``min_cluster_size`` counts are
      weights too.
    - ``hdbscan``: core distances as OPTICS, and ``min_cluster_size`` is a weight (a branch
      is a cluster when its weight reaches it); persistence divides by the cluster's weight.
    - ``nnh``: refused — its threshold is a nearest-neighbour statistic of the point count
      under complete spatial randomness, which weights do not enter.

    A zero weight makes an incident count for nothing in density; it still gets the label of
    its location (incidents at one place always share one).

    The defaults differ between methods on purpose: HDBSCAN's 50 is a cluster size, DBSCAN's
    and OPTICS' 20 a density threshold, NNH's 10 CrimeStat's minimum per cluster.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> out = hs.cluster_incidents(inc, "hdbscan", min_cluster_size=100, quiet=True)
    >>> bool(out["cluster"].max() > 0), out.index.equals(inc.index)
    (True, True)
    >>> out.attrs["hotspot"]["method"], out.attrs["hotspot"]["cluster_incidents"]["algorithm"]
    ('cluster_incidents', 'hdbscan')
    """
    func = "cluster_incidents"
    check_incidents(incidents)
    method = check_method(method, func=func)
    if rng is not None:
        warnings.warn(
            "cluster_incidents: rng= has no effect (every clustering method is deterministic) "
            "and will be removed in 0.3; drop it.",
            FutureWarning,
            stacklevel=2,
        )
    weights, weights_note = check_incident_weights(
        incidents, incident_weights, method=method, func=func
    )
    params = method_params(incidents, method, params, func=func)
    x, y = incident_xy(incidents)
    t = incident_days(incidents, method)
    fit = run_method(method, x, y, t, quiet=quiet, weights=weights, **params)
    out = incidents.copy()
    out["cluster"] = fit.labels.astype(np.int64)
    if weights is not None:
        out["cluster_weight"] = weights
    if fit.probabilities is not None:
        out["cluster_probability"] = fit.probabilities
    if fit.outlier_scores is not None:
        out["cluster_outlier_score"] = fit.outlier_scores
    if fit.levels is not None:
        for k in range(fit.levels.shape[1]):
            out[f"cluster_order_{k + 1}"] = fit.levels[:, k].astype(np.int64)
    n_clusters = int(fit.labels.max() + 1) if len(fit.labels) else 0
    n_noise = int((fit.labels < 0).sum())
    record = {
        "algorithm": method,
        "params": {**fit.params, "incident_weights": weights_note},
        "n_clusters": n_clusters,
        "n_noise": n_noise,
        "cluster_info": fit.cluster_info,
    }
    stamp(
        out,
        kind="incidents",
        method=func,
        params=record,
        source=incidents,
        period=incidents_period(incidents),
    )
    announce(
        f"{method}: {n_clusters:,} clusters; {n_noise:,} of {len(out):,} incidents are noise",
        quiet=quiet,
    )
    return out
