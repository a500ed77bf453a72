"""Checks every public function runs on its inputs, once, at the boundary."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from hotspot._messages import first_rows
from hotspot._projection import is_metric_projected
from hotspot.errors import HotspotInputError


def check_incidents(incidents: object, what: str = "incidents") -> gpd.GeoDataFrame:
    """Incidents must be a non-empty GeoDataFrame in a projected CRS in metres.

    That each geometry is a point is checked by :func:`incident_xy`, in the same pass that
    reads the coordinates.
    """
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise TypeError(
            f"{what} must be a GeoDataFrame from hotspot.read_incidents(...), "
            f"not {type(incidents).__name__}"
        )
    if len(incidents) == 0:
        raise HotspotInputError(f"{what} is empty: there is nothing to analyse.")
    _check_metric_crs(incidents, what, "incidents.to_crs(...)")
    return incidents


def check_cells(
    cells: object, what: str = "cells", *, require_crs: bool = True
) -> gpd.GeoDataFrame:
    """Cells must be a non-empty GeoDataFrame of polygons with a unique index, in metres
    (``require_crs=False``: any CRS or none, for contiguity-only analyses)."""
    if not isinstance(cells, gpd.GeoDataFrame):
        raise TypeError(
            f"{what} must be a GeoDataFrame of polygons (e.g. hotspot.square_grid(...)), "
            f"not {type(cells).__name__}"
        )
    if len(cells) == 0:
        raise HotspotInputError(f"{what} is empty: no cells to count into.")
    if not cells.index.is_unique:
        raise HotspotInputError(
            f"{what} has repeated index labels; each cell needs its own id: "
            "cells.reset_index(drop=True)."
        )
    if require_crs:
        _check_metric_crs(cells, what, "cells.to_crs(incidents.crs)")
    types = shapely.get_type_id(cells.geometry.array)
    bad = ~np.isin(types, (3, 6))
    if bad.any():
        raise HotspotInputError(
            f"{what} must be polygons; rows {first_rows(cells.index[bad])} are "
            f"{', '.join(sorted(set(cells.geometry[bad].geom_type.astype(str))))}."
        )
    return cells


def check_same_crs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, names: tuple[str, str]) -> None:
    """Both frames must be in the same CRS; the message shows both and the fix."""
    if not CRS.from_user_input(a.crs).equals(CRS.from_user_input(b.crs)):
        raise HotspotInputError(
            f"{names[0]} are in {a.crs.to_string()} but {names[1]} are in {b.crs.to_string()}; "
            f"reproject one: {names[1]}.to_crs({names[0]}.crs)."
        )


def _check_metric_crs(frame: gpd.GeoDataFrame, what: str, fix: str) -> None:
    if frame.crs is None:
        raise HotspotInputError(f"{what} has no CRS; set it with .set_crs(...) first.")
    if not is_metric_projected(CRS.from_user_input(frame.crs)):
        raise HotspotInputError(
            f"{what} are in {frame.crs.name}, not a projected CRS in metres; distances would be "
            f"wrong. Project them first with {fix} (or load them with hotspot.read_incidents())."
        )


def check_positive(value: object, name: str) -> float:
    """A finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number of metres, not {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise HotspotInputError(f"{name} must be a positive number of metres, got {value}")
    return value


def incident_xy(
    incidents: gpd.GeoDataFrame, what: str = "incidents"
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of point incidents as two float arrays, refusing anything but points.

    Two passes over the geometries (x, then y); the diagnosis of bad rows runs only when
    there are some.
    """
    geoms = incidents.geometry.array
    try:
        x = np.asarray(shapely.get_x(geoms))
        y = np.asarray(shapely.get_y(geoms))
    except shapely.errors.GEOSException:  # empty points have no coordinates
        x = np.full(len(geoms), np.nan)
    bad = np.isnan(x)
    if bad.any():
        bad &= ~np.asarray(shapely.get_type_id(geoms) == 0) | np.asarray(
            shapely.is_missing(geoms) | shapely.is_empty(geoms)
        )
    if bad.any():
        raise HotspotInputError(
            f"{what} must be points with coordinates; rows {first_rows(incidents.index[bad])} "
            "are not (missing, empty or other geometries). Load incidents with "
            "hotspot.read_incidents(), which excludes or explains them."
        )
    return x, y


def report_of(frame: pd.DataFrame) -> dict:
    """The frame's ``attrs["hotspot"]`` dict (empty when it has none)."""
    value = frame.attrs.get("hotspot")
    return value if isinstance(value, dict) else {}


def time_resolution(incidents: pd.DataFrame) -> str | None:
    """The time resolution recorded by the load report ("month", "day", …), or None."""
    meta = report_of(incidents)
    report = meta.get("load_report")
    if report is not None:
        return getattr(report, "time_resolution", None)
    return meta.get("time_resolution")
