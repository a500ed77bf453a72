"""``cluster_summary``: one row per cluster, with its outline, ellipse, size, density, time span
and crime mix — the table an analyst reads (and maps) after clustering incidents."""

from __future__ import annotations

import copy
import math
import re
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._period import context_of
from hotspot._result import stamp
from hotspot._validate import check_incidents, check_integer, incident_xy, report_of
from hotspot.clustering._base import unique_locations
from hotspot.clustering.ellipse import check_correction, standard_deviational_ellipse
from hotspot.errors import HotspotInputError, HotspotWarning

__all__ = ["DEGENERATE_BUFFER_M", "SUMMARY_COLUMNS", "cluster_summary"]

#: Radius (metres) of the buffer drawn around a cluster whose convex hull has no area (one
#: location, two locations, or locations on one line), so that it still shows on a map.
DEGENERATE_BUFFER_M = 10.0

#: Columns always present, in order (``first_time``, ``last_time`` and ``top_categories`` are
#: added before ``persistence`` when the input has ``time`` / ``category``; ``weighted`` after
#: ``n_incidents`` when it has ``cluster_weight``).
SUMMARY_COLUMNS = (
    "order",
    "n_incidents",
    "n_locations",
    "area_km2",
    "density_km2",
    "centre_x",
    "centre_y",
    "ellipse_angle",
    "ellipse_major_m",
    "ellipse_minor_m",
    "persistence",
    "hull",
    "ellipse_1sd",
    "ellipse_2sd",
)

_ORDER_COLUMN = re.compile(r"^cluster_order_(\d+)$")
_FUNC = "cluster_summary"


def _order_columns(frame: pd.DataFrame) -> list[tuple[int, str]]:
    orders = sorted(
        (int(m.group(1)), str(c))
        for c in frame.columns
        if isinstance(c, str) and (m := _ORDER_COLUMN.match(c))
    )
    return orders if orders else [(1, "cluster")]


def _labels(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        raise HotspotInputError(
            f"{_FUNC}: clustered[{column!r}] must hold integer cluster labels (-1 = noise), not "
            f"{values.dtype}; pass the output of hotspot.cluster_incidents()."
        )
    if values.isna().any():
        raise HotspotInputError(
            f"{_FUNC}: clustered[{column!r}] has {int(values.isna().sum())} missing labels; mark "
            f"noise with -1: clustered[{column!r}].fillna(-1)."
        )
    floats = values.to_numpy(dtype=float)
    if not np.all(floats == np.round(floats)):
        raise HotspotInputError(
            f"{_FUNC}: clustered[{column!r}] must hold whole-number cluster labels; round them "
            "or pass the output of hotspot.cluster_incidents()."
        )
    labels = floats.astype(np.int64)
    return np.where(labels < 0, -1, labels)


def _percent(share: float) -> str:
    if 0 < share < 0.005:
        return "<1 %"
    return f"{math.floor(100.0 * share + 0.5)} %"


def _top_categories(
    categories: pd.Series, labels: np.ndarray, totals: pd.Series, top: int
) -> pd.Series:
    """'Assault 52 %, Robbery 20 %, …' per label, shares of all the cluster's incidents."""
    frame = pd.DataFrame(
        {"label": labels, "category": pd.Series(categories.to_numpy(), dtype="str")}
    )
    counts = frame.groupby(["label", "category"], dropna=True).size().rename("n").reset_index()
    counts = counts.sort_values(["label", "n", "category"], ascending=[True, False, True])
    counts = counts.groupby("label", sort=True).head(top)
    text = {label: "" for label in totals.index}
    for label, group in counts.groupby("label", sort=True):
        total = totals.loc[label]
        text[label] = ", ".join(
            f"{c} {_percent(n / total)}" for c, n in zip(group["category"], group["n"], strict=True)
        )
    return pd.Series(text, dtype="str")


def cluster_summary(
    clustered: gpd.GeoDataFrame,
    *,
    top_categories: int = 3,
    ellipse_correction: str | None = None,
) -> gpd.GeoDataFrame:
    """Summarise each cluster of clustered incidents: outline, ellipse, size, time span, mix.

    Parameters
    ----------
    clustered : GeoDataFrame
        Incidents with a ``cluster`` column (int, negative = noise), as returned by
        :func:`hotspot.clustering.cluster.cluster_incidents` with any method; NNH's
        ``cluster_order_<k>`` columns, when present, give one set of rows per order.
    top_categories : int, default=3
        How many of the most frequent categories to list in ``top_categories``.
    ellipse_correction : {None, "arcgis", "crimestat"}, default=None
        The standard deviational ellipse's convention (see
        :func:`hotspot.clustering.ellipse.standard_deviational_ellipse`); None gives the plain
        standard deviations along the axes.

    Returns
    -------
    GeoDataFrame
        One row per cluster and order (noise excluded), indexed by the cluster label (index
        name ``cluster``; with NNH's orders a label repeats once per order, so select an order
        with ``summary[summary["order"] == k]``), sorted by order then label, in the input's
        CRS. Columns:

        - ``order`` (int64): 1, or NNH's order.
        - ``n_incidents``, ``n_locations`` (int64): incidents and distinct locations.
        - ``weighted`` (float, only when ``clustered`` has the ``cluster_weight`` column that
          ``cluster_incidents(..., incident_weights=...)`` adds): the sum of the incident
          weights per cluster, beside the count. Labels, order and density stay by count.
        - ``area_km2`` (float): area of the convex hull of the cluster's incidents (0 when
          they lie on one line or one location).
        - ``density_km2`` (float): incidents per km² of hull; NaN when the hull has no area.
        - ``centre_x``, ``centre_y`` (float): mean centre of the incidents.
        - ``ellipse_angle`` (float): major axis of the standard deviational ellipse, degrees
          clockwise from north (NaN when undefined: one location, or a circular spread).
        - ``ellipse_major_m``, ``ellipse_minor_m`` (float): the ellipse's 1-SD semi-axes.
        - ``first_time``, ``last_time`` (the input's datetime dtype): when ``time`` exists.
        - ``top_categories`` (str): e.g. ``"Violence 52 %, Theft 20 %, Burglary 9 %"``,
          shares of all the cluster's incidents, most frequent first (ties alphabetically),
          ``"<1 %"`` below half a percent; when ``category`` exists.
        - ``persistence`` (float): the method's cluster persistence (HDBSCAN's stability),
          from ``attrs["hotspot"]["cluster_incidents"]["cluster_info"]["persistence"]``, for order-1
          rows; NaN when the method gives none.
        - ``hull`` (geometry, active): the convex hull; for a cluster without hull area (one
          location, two, or all on a line) the point or segment buffered by
          :data:`DEGENERATE_BUFFER_M` (10 m) so that it can be drawn.
        - ``ellipse_1sd``, ``ellipse_2sd`` (geometry): the ellipse at 1 and 2 standard
          deviations; empty polygons for degenerate clusters (on one line or one location).

        ``attrs["hotspot"]`` is stamped with kind ``"clusters"``, method ``"cluster_summary"``
        (this function's options under that key), the incidents' period, and carries
        ``cluster_incidents`` (the algorithm, its parameters and counts, from the input's
        attrs; None when absent) and the incidents' load report as ``incidents_report``.

    Notes
    -----
    The ellipse is computed on the cluster's distinct locations weighted by their incidents,
    which equals treating every incident as a point. With the default convention, a 1-SD
    ellipse of a Gaussian cluster holds about 39 % of its incidents and the 2-SD ellipse 86 %;
    ``ellipse_correction="arcgis"`` or ``"crimestat"`` gives the larger ellipses those
    programs draw (63 % and 98 %). For NNH's higher orders the outline, ellipse, centre and
    counts are those of all the incidents in the cluster (not of the lower-order centres it
    was built from). The input is not modified. Time O(n log n) for n incidents
    plus one small eigen-decomposition per cluster.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.clustering.cluster import cluster_incidents
    >>> from hotspot.clustering.summary import cluster_summary
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> clustered = cluster_incidents(inc, "nnh", min_points=50, quiet=True)
    >>> summary = cluster_summary(clustered)
    >>> first = summary[summary["order"] == 1]
    >>> int(first["n_incidents"].sum()) == int((clustered["cluster"] >= 0).sum())
    True
    >>> first.iloc[0]["top_categories"]  # doctest: +ELLIPSIS
    '... %, ... %, ... %'
    """
    check_incidents(clustered, "clustered")
    if "cluster" not in clustered.columns:
        raise HotspotInputError(
            f"{_FUNC}: clustered has no 'cluster' column; cluster the incidents first: "
            "hotspot.cluster_incidents(incidents, method, ...)."
        )
    top_categories = check_integer(
        top_categories, "top_categories", minimum=1, example="3", func=_FUNC
    )
    check_correction(ellipse_correction, name="ellipse_correction", func=_FUNC)
    x, y = incident_xy(clustered, "clustered")
    loc = unique_locations(x, y)
    m = loc.m

    times = None
    if "time" in clustered.columns:
        if pd.api.types.is_datetime64_any_dtype(clustered["time"]):
            times = clustered["time"]
        else:
            warnings.warn(
                f"clustered['time'] is {clustered['time'].dtype}, not datetime: first_time and "
                "last_time are left out; convert it with pd.to_datetime(...) first.",
                HotspotWarning,
                stacklevel=2,
            )
    categories = clustered["category"] if "category" in clustered.columns else None
    weights = (
        clustered["cluster_weight"].to_numpy(dtype=float, na_value=np.nan)
        if "cluster_weight" in clustered.columns
        else None
    )
    meta = report_of(clustered)
    record = meta.get("cluster_incidents")
    cluster_meta = record if isinstance(record, dict) else None
    info = (cluster_meta or {}).get("cluster_info")
    persistence = info.get("persistence") if isinstance(info, dict) else None

    parts: list[pd.DataFrame] = []
    hulls: list[np.ndarray] = []
    ellipses_1: list[Any] = []
    ellipses_2: list[Any] = []
    orders = _order_columns(clustered)
    for order, column in orders:
        labels = _labels(clustered, column)
        inside = np.flatnonzero(labels >= 0)
        if not len(inside):
            continue
        ids, slot = np.unique(labels[inside], return_inverse=True)
        k = len(ids)
        n_incidents = np.bincount(slot, minlength=k)
        cx = np.bincount(slot, weights=x[inside], minlength=k) / n_incidents
        cy = np.bincount(slot, weights=y[inside], minlength=k) / n_incidents

        # distinct locations per cluster, with their incidents, sorted by cluster
        key, weight = np.unique(slot * m + loc.inverse[inside], return_counts=True)
        owner, where = key // m, key % m
        n_locations = np.bincount(owner, minlength=k)
        points = loc.xy[where]
        hull = shapely.convex_hull(shapely.multipoints(points, indices=owner))
        area = shapely.area(hull)
        flat = area <= 0
        hull[flat] = shapely.buffer(hull[flat], DEGENERATE_BUFFER_M)

        angle = np.full(k, np.nan)
        major = np.zeros(k)
        minor = np.zeros(k)
        e1 = np.empty(k, dtype=object)
        e2 = np.empty(k, dtype=object)
        bounds = np.concatenate([[0], np.cumsum(n_locations)])
        for c in range(k):
            lo, hi = bounds[c], bounds[c + 1]
            if ellipse_correction == "crimestat" and n_incidents[c] <= 2:
                major[c] = minor[c] = np.nan
                e1[c] = e2[c] = shapely.Polygon()
                continue
            sde = standard_deviational_ellipse(
                points[lo:hi, 0], points[lo:hi, 1], weight[lo:hi], correction=ellipse_correction
            )
            angle[c], major[c], minor[c] = sde.angle, sde.sigma_x, sde.sigma_y
            e1[c], e2[c] = sde.polygon(1.0), sde.polygon(2.0)

        area_km2 = area / 1e6
        with np.errstate(divide="ignore", invalid="ignore"):
            density = np.where(flat, np.nan, n_incidents / np.where(flat, 1.0, area_km2))
        index = pd.Index(ids, dtype="int64", name="cluster")
        part = pd.DataFrame(
            {
                "order": np.full(k, order, dtype=np.int64),
                "n_incidents": n_incidents.astype(np.int64),
                "n_locations": n_locations.astype(np.int64),
                "area_km2": area_km2.astype(float),
                "density_km2": density.astype(float),
                "centre_x": cx,
                "centre_y": cy,
                "ellipse_angle": angle,
                "ellipse_major_m": major,
                "ellipse_minor_m": minor,
            },
            index=index,
        )
        if weights is not None:
            summed = np.bincount(slot, weights=weights[inside], minlength=k)
            part.insert(part.columns.get_loc("n_incidents") + 1, "weighted", summed)
        if times is not None:
            span = times.iloc[inside].groupby(labels[inside]).agg(["min", "max"])
            part["first_time"] = span["min"].reindex(ids).to_numpy()
            part["last_time"] = span["max"].reindex(ids).to_numpy()
            part["first_time"] = part["first_time"].astype(times.dtype)
            part["last_time"] = part["last_time"].astype(times.dtype)
        if categories is not None:
            totals = pd.Series(n_incidents, index=ids)
            text = _top_categories(categories.iloc[inside], labels[inside], totals, top_categories)
            part["top_categories"] = text.reindex(ids).to_numpy()
            part["top_categories"] = part["top_categories"].astype("str")
        values = np.full(k, np.nan)
        if isinstance(persistence, dict) and order == 1:
            for i, label in enumerate(ids):
                value = persistence.get(int(label), persistence.get(str(int(label))))
                if value is not None:
                    values[i] = float(value)
        part["persistence"] = values
        parts.append(part)
        hulls.append(hull)
        ellipses_1.append(e1)
        ellipses_2.append(e2)

    crs = clustered.crs
    if parts:
        table = pd.concat(parts)
        hull_all = np.concatenate(hulls)
        e1_all = np.concatenate(ellipses_1)
        e2_all = np.concatenate(ellipses_2)
    else:
        table = _empty_table(times, categories is not None, weights is not None)
        hull_all = e1_all = e2_all = np.empty(0, dtype=object)
    out = gpd.GeoDataFrame(
        table,
        geometry=gpd.GeoSeries(hull_all, index=table.index, crs=crs),
        crs=crs,
    ).rename_geometry("hull")
    out["ellipse_1sd"] = gpd.GeoSeries(e1_all, index=table.index, crs=crs)
    out["ellipse_2sd"] = gpd.GeoSeries(e2_all, index=table.index, crs=crs)
    out.index.name = "cluster"
    params = {
        "orders": [order for order, _ in orders],
        "top_categories": int(top_categories),
        "ellipse_correction": ellipse_correction,
        "degenerate_buffer_m": DEGENERATE_BUFFER_M,
        "n_incidents": len(clustered),
        "weighted": weights is not None,
    }
    context = context_of(clustered)  # the period, and where the data's named areas are
    # one row per cluster is aggregated: it carries the incidents' load report as a summary
    # (as counts per cell do), not the report object an incident-level result carries
    carried = {k: v for k, v in meta.items() if k != "load_report"}
    if meta.get("load_report") is not None:
        carried["incidents_report"] = meta["load_report"].to_dict()
    carried["cluster_incidents"] = copy.deepcopy(cluster_meta)
    if "places" in context:
        carried["places"] = context["places"]
    stamp(
        out,
        kind="clusters",
        method=_FUNC,
        params=params,
        period=context.get("period"),
        **{k: v for k, v in carried.items() if k not in ("kind", "method", "period", "rng_seed")},
    )
    return out


def _empty_table(
    times: pd.Series | None, with_categories: bool, with_weights: bool = False
) -> pd.DataFrame:
    columns: dict[str, Any] = {
        "order": pd.Series(dtype="int64"),
        "n_incidents": pd.Series(dtype="int64"),
        **({"weighted": pd.Series(dtype="float64")} if with_weights else {}),
        "n_locations": pd.Series(dtype="int64"),
        "area_km2": pd.Series(dtype="float64"),
        "density_km2": pd.Series(dtype="float64"),
        "centre_x": pd.Series(dtype="float64"),
        "centre_y": pd.Series(dtype="float64"),
        "ellipse_angle": pd.Series(dtype="float64"),
        "ellipse_major_m": pd.Series(dtype="float64"),
        "ellipse_minor_m": pd.Series(dtype="float64"),
    }
    if times is not None:
        columns["first_time"] = pd.Series(dtype=times.dtype)
        columns["last_time"] = pd.Series(dtype=times.dtype)
    if with_categories:
        columns["top_categories"] = pd.Series(dtype="str")
    columns["persistence"] = pd.Series(dtype="float64")
    return pd.DataFrame(columns, index=pd.Index([], dtype="int64", name="cluster"))
