"""Study areas: turn what the user gave (or the data's hull) into one prepared polygon."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from hotspot.errors import HotspotInputError

HULLS = ("convex", "concave", "bbox")


def as_area_geometry(study_area: Any, crs: CRS | None) -> shapely.Geometry:
    """One prepared polygon from a shapely geometry (taken to be in ``crs``), a GeoSeries or a
    GeoDataFrame (reprojected to ``crs``).

    Examples
    --------
    >>> as_area_geometry(shapely.box(0, 0, 10, 10), None).area
    100.0
    """
    if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
        if study_area.crs is None:
            raise HotspotInputError(
                "study_area has no CRS; set it with study_area.set_crs(...) first."
            )
        frame = study_area.to_crs(crs) if crs is not None else study_area
        geom = shapely.union_all(frame.geometry.array)
    elif isinstance(study_area, shapely.Geometry):
        geom = study_area
    else:
        raise TypeError(
            "study_area must be a shapely polygon (in the data's CRS), a GeoSeries or a "
            f"GeoDataFrame, not {type(study_area).__name__}"
        )
    if geom.is_empty or geom.area == 0:
        raise HotspotInputError("study_area has no area; pass a polygon (or several).")
    shapely.prepare(geom)
    return geom


def _convex_hull(x: np.ndarray, y: np.ndarray) -> shapely.Geometry:
    """Convex hull of many points without building a geometry per point (Qhull via scipy)."""
    from scipy.spatial import ConvexHull, QhullError

    xy = np.column_stack([x, y])
    try:
        vertices = xy[ConvexHull(xy).vertices]
    except (QhullError, ValueError):  # fewer than three points, or all on a line
        return shapely.convex_hull(shapely.multipoints(xy))
    return shapely.Polygon(vertices)


def hull_of_points(x: np.ndarray, y: np.ndarray, kind: str, buffer: float) -> shapely.Geometry:
    """The buffered convex hull, concave hull or bounding box of points."""
    if kind not in HULLS:
        raise HotspotInputError(
            f"study_area={kind!r} is not a known hull; use one of {', '.join(HULLS)} or pass a "
            "polygon."
        )
    if kind == "bbox":
        hull = shapely.box(x.min(), y.min(), x.max(), y.max())
    elif kind == "concave":
        points = shapely.multipoints(np.unique(np.column_stack([x, y]), axis=0))
        hull = shapely.concave_hull(points, ratio=0.3)
    else:
        hull = _convex_hull(x, y)
    area = hull.buffer(buffer) if buffer > 0 else hull
    shapely.prepare(area)
    return area
