"""The place names a map writes: the result's own (or the caller's), busiest first, thinned so
they never pile up, with the zoom level at which each one appears.

A public copy (:func:`hotspot.disclosure.disclose`) labels only places of at least
``min_count`` incidents, moved to the public label grid (500 m,
:func:`hotspot.disclosure.public_label_xy`), so no label sits on an incident.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot.disclosure import disclosure_rule, public_label_xy
from hotspot.errors import HotspotInputError
from hotspot.maps._result_attrs import hotspot_attrs, result_crs
from hotspot.places import labels_from_records, thin_labels

# Place labels at the opening view are at least this fraction of the view's shorter side apart.
PLACE_LABEL_FRACTION = 1 / 8

# Each zoom level in halves the spacing; labels not placed after this many levels are left out.
PLACE_LABEL_LEVELS = 4

# At most this many place names are considered (the busiest), so thinning stays quick.
MAX_PLACE_LABELS = 300


def place_labels(
    result: Any, labels: Any = None, *, func: str = "labels"
) -> gpd.GeoDataFrame | None:
    """The place labels to put on a map of ``result``, busiest first, in the result's CRS.

    Parameters
    ----------
    result : GeoDataFrame, SpaceTimeCube or xarray.DataArray
        The result drawn; its ``attrs["hotspot"]["places"]`` (from
        :func:`hotspot.count_incidents` or :func:`hotspot.kde`) give the labels by default.
    labels : GeoDataFrame, False or None, default=None
        Labels of your own (a ``name`` column, point geometries, optionally ``n_incidents``
        to rank them; in their order otherwise), ``False`` for none, ``None`` for the
        result's own.
    func : str, default="labels"
        The public function asking, named in errors.

    Returns
    -------
    GeoDataFrame or None
        Columns ``name``, ``n_incidents`` and point ``geometry``. In a public copy, only the
        names of at least ``min_count`` incidents, placed on the public label grid (500 m).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> place_labels(cells)["name"].head(3).tolist()
    ['Leeds', 'Bradford', 'Kirklees']
    >>> place_labels(cells, labels=False) is None
    True
    """
    crs = result_crs(result)
    if labels is False:
        return None
    if labels is None or labels is True:
        records = hotspot_attrs(result).get("places")
        if not records:
            return None
        frame = labels_from_records(records, crs)
    else:
        frame = own_labels(labels, crs, func=func)
    frame = frame[frame["name"].astype(str).str.strip() != ""]
    rule = disclosure_rule(result)
    if rule is not None and len(frame):
        n = pd.to_numeric(frame["n_incidents"], errors="coerce").to_numpy(dtype=float)
        frame = frame[~(n < rule["min_count"])]
        xy = public_label_xy(shapely.get_coordinates(frame.geometry.array))
        frame = frame.set_geometry(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=frame.crs)
    return frame.reset_index(drop=True) if len(frame) else None


def own_labels(labels: Any, crs: Any, *, func: str = "labels") -> gpd.GeoDataFrame:
    """``labels=`` given by the caller as ``name``, ``n_incidents`` and points in ``crs``."""
    if not isinstance(labels, gpd.GeoDataFrame) or "name" not in labels.columns:
        raise HotspotInputError(
            f"{func}: labels= takes a GeoDataFrame with a 'name' column and point geometries "
            "(such as hotspot.places.place_labels(incidents)), or False for no labels; got a "
            f"{type(labels).__name__}"
            + (
                f" with the columns {', '.join(map(str, labels.columns))}"
                if isinstance(labels, gpd.GeoDataFrame)
                else ""
            )
            + "."
        )
    if labels.crs is None:
        raise HotspotInputError(
            f"{func}: labels= has no CRS; set it first, e.g. labels.set_crs('EPSG:4326')."
        )
    frame = labels.to_crs(crs) if crs is not None else labels
    geometry = frame.geometry
    if len(frame) and not geometry.geom_type.isin(["Point"]).all():
        geometry = geometry.representative_point()
    n = frame["n_incidents"] if "n_incidents" in frame.columns else np.full(len(frame), np.nan)
    return gpd.GeoDataFrame(
        {"name": frame["name"].astype(str).to_numpy(), "n_incidents": np.asarray(n)},
        geometry=np.asarray(geometry.array),
        crs=frame.crs,
    )


def label_spacing(bounds: Any, fraction: float = PLACE_LABEL_FRACTION) -> float:
    """``fraction`` of the shorter side of ``(minx, miny, maxx, maxy)`` (its longer one if flat).

    Examples
    --------
    >>> label_spacing((0, 0, 80_000, 40_000))
    5000.0
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    sides = [s for s in (maxx - minx, maxy - miny) if s > 0]
    return fraction * min(sides) if sides else 0.0


def thin_for_view(
    labels: gpd.GeoDataFrame, bounds: Any, fraction: float = PLACE_LABEL_FRACTION
) -> gpd.GeoDataFrame:
    """The labels shown on a view of ``bounds`` (the labels' CRS): busiest first, each at least
    ``fraction`` of the view's shorter side from every other (a PNG's one fixed scale).

    Examples
    --------
    >>> import shapely
    >>> labels = gpd.GeoDataFrame({"name": ["a", "b", "c"]},
    ...     geometry=shapely.points([(0, 0), (1000, 0), (5000, 0)]))
    >>> thin_for_view(labels, (0, 0, 16_000, 16_000))["name"].tolist()
    ['a', 'c']
    """
    return thin_labels(labels, label_spacing(bounds, fraction))


def label_levels(
    labels: gpd.GeoDataFrame,
    min_distance: float,
    levels: int = PLACE_LABEL_LEVELS,
    *,
    keep_all: bool = False,
) -> np.ndarray:
    """The zoom level (steps in from the opening view) at which each label appears.

    Level 0 holds the labels that are ``min_distance`` apart (the busiest kept first, as
    :func:`hotspot.places.thin_labels` does); each further level halves the distance (as one
    zoom step halves the ground per pixel) and adds the labels that then fit, keeping those
    shown before. Labels that do not fit within ``levels`` get ``-1`` (never shown), or with
    ``keep_all`` the level ``levels`` (shown once zoomed in that far).

    Examples
    --------
    >>> import shapely
    >>> labels = gpd.GeoDataFrame({"name": list("abcd")},
    ...     geometry=shapely.points([(0, 0), (300, 0), (5000, 0), (5010, 0)]))
    >>> label_levels(labels, 1000, 3).tolist()
    [0, 2, 0, -1]
    >>> label_levels(labels, 1000, 3, keep_all=True).tolist()
    [0, 2, 0, 3]
    """
    n = len(labels)
    level = np.full(n, -1, dtype=int)
    if not n:
        return level
    positions = np.arange(n)
    geometry = np.asarray(labels.geometry.array)
    for k in range(levels):
        ranked = positions[np.lexsort((positions, level < 0))]  # shown before, then by rank
        frame = gpd.GeoDataFrame({"pos": ranked}, geometry=geometry[ranked])
        kept = thin_labels(frame, min_distance / 2**k)["pos"].to_numpy()
        level[kept[level[kept] < 0]] = k
        if (level >= 0).all():
            break
    if keep_all:
        level[level < 0] = levels
    return level
