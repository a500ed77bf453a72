"""The matplotlib primitives every slide image is drawn with: polygons as one collection,
reprojection to metres, legend swatches, the white halo of map text.

Only matplotlib's object API is used (``Figure`` + ``FigureCanvasAgg``), never pyplot's global
state; matplotlib is imported when an image is drawn, not with hotspot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from hotspot.errors import HotspotInputError
from hotspot.maps._result_attrs import is_cube

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.path import Path as MplPath
    from matplotlib.text import Text

# Outlines of classed cells (as the folium maps' #666666, lighter at print resolution).
CELL_EDGE = "#7a7a7a"
# The data's footprint: cells with incidents, drawn faint grey under the result (so a hot spot
# sits in the area that has crime, not in a void); also the colour of "not significant" cells
# that have incidents.
FOOTPRINT = "#e3e3e3"
# Place names and cluster numbers: dark text with a white halo.
LABEL_COLOUR = "#1f1f1f"
LABEL_SIZE = 9.0
HALO_WIDTH = 2.6


@dataclass
class DrawnLayer:
    """What one result contributed to the map: its legend and the extent it covers."""

    legend_title: str
    handles: list[Artist] = field(default_factory=list)
    bounds: np.ndarray | None = None
    colourbar: Any = None  # (mappable, label, class edges) for a density surface
    metres_per_unit: float | None = 1.0  # None: the map is not in a projected CRS
    texts: list[Text] = field(default_factory=list)  # cluster numbers: place names avoid them


def target_crs(series: gpd.GeoSeries) -> Any:
    """The CRS to draw in: the series' own if projected, else its UTM zone."""
    if series.crs is None:
        raise HotspotInputError(
            "to_png: the result has no CRS, so it cannot be drawn in metres; set it with "
            "frame.set_crs(...)."
        )
    if series.crs.is_geographic:
        return series.estimate_utm_crs()
    return series.crs


def metres_per_unit(crs: Any) -> float | None:
    """Metres per unit of a projected CRS's x axis; None when ``crs`` is not projected."""
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        return None
    return float(crs.axis_info[0].unit_conversion_factor)


def project(series: gpd.GeoSeries, crs: Any) -> np.ndarray:
    """The geometries of ``series`` in ``crs`` as a shapely array."""
    series = gpd.GeoSeries(series)
    if series.crs is not None and series.crs != crs:
        series = series.to_crs(crs)
    return np.asarray(series.array)


def main_geometry(result: Any) -> gpd.GeoSeries:
    """The geometry a result is drawn by: a cube's cells, a cluster summary's hulls (a public
    copy's ellipses), else the frame's own geometry."""
    if is_cube(result):
        return result.cells.geometry
    if "hull" in result.columns:
        return result["hull"]
    if "ellipse_1sd" in result.columns:
        return result["ellipse_1sd"]
    return result.geometry


def polygon_paths(geometry: np.ndarray) -> tuple[list[MplPath], np.ndarray]:
    """Each (multi)polygon as one compound path, exteriors counter-clockwise and holes clockwise
    (so any fill rule leaves the holes open); also the index of the geometry of each path
    (empty and non-polygonal geometries have none)."""
    from matplotlib.path import Path as MplPath

    geometry = np.asarray(geometry, dtype=object)
    parts, part_geometry = shapely.get_parts(geometry, return_index=True)
    polygons = shapely.get_type_id(parts) == 3
    parts, part_geometry = parts[polygons], part_geometry[polygons]
    parts = _orient(parts)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    if not len(xy):
        return [], np.array([], dtype=int)
    codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.flatnonzero(np.r_[True, np.diff(vertex_ring) != 0])
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:], len(xy)] - 1] = MplPath.CLOSEPOLY
    vertex_geometry = part_geometry[ring_part[vertex_ring]]
    owners, first = np.unique(vertex_geometry, return_index=True)
    bounds = np.r_[first, len(xy)]
    paths = [MplPath(xy[a:b], codes[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return paths, owners


def _orient(polygons: np.ndarray) -> np.ndarray:
    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1
        return shapely.orient_polygons(polygons)
    return np.array([shapely.geometry.polygon.orient(p, 1.0) for p in polygons], dtype=object)


def add_polygons(
    ax: Axes,
    geometry: np.ndarray,
    facecolor: Any,
    *,
    edgecolor: Any = CELL_EDGE,
    linewidth: float = 0.25,
    zorder: float = 2,
) -> None:
    """Draw polygons as one collection; each colour is one colour or one per geometry."""
    from matplotlib.collections import PathCollection

    paths, owners = polygon_paths(geometry)
    if not paths:
        return
    collection = PathCollection(
        paths,
        facecolors=_colours(facecolor, len(np.asarray(geometry)))[owners],
        edgecolors=_colours(edgecolor, len(np.asarray(geometry)))[owners],
        linewidths=linewidth,
        zorder=zorder,
    )
    ax.add_collection(collection, autolim=False)


def _colours(colour: Any, n: int) -> np.ndarray:
    """``n`` RGBA rows from one colour (``"none"`` too) or from one colour per row."""
    from matplotlib.colors import to_rgba, to_rgba_array

    if isinstance(colour, str) or (isinstance(colour, tuple) and len(colour) in (3, 4)):
        return np.tile(to_rgba(colour), (n, 1))
    return to_rgba_array(colour)


def bounds_of(geometry: np.ndarray) -> np.ndarray | None:
    """``(minx, miny, maxx, maxy)`` of the geometries that are neither missing nor empty."""
    geometry = np.asarray(geometry)
    geometry = geometry[~shapely.is_empty(geometry) & ~shapely.is_missing(geometry)]
    return shapely.total_bounds(geometry) if len(geometry) else None


def union_bounds(bounds: list[np.ndarray | None]) -> np.ndarray | None:
    """The bounds holding all of ``bounds`` (None entries ignored; None when all are)."""
    bounds = [b for b in bounds if b is not None]
    if not bounds:
        return None
    stacked = np.vstack(bounds)
    return np.array([*stacked[:, :2].min(axis=0), *stacked[:, 2:].max(axis=0)])


def swatch(colour: str, label: str, *, edge: str = CELL_EDGE, alpha: float = 1.0) -> Patch:
    """A filled legend box."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    return Patch(facecolor=to_rgba(colour, alpha), edgecolor=edge, linewidth=0.6, label=label)


def outline_swatch(colour: str, label: str) -> Patch:
    """An outlined, unfilled legend box."""
    from matplotlib.patches import Patch

    return Patch(facecolor="none", edgecolor=colour, linewidth=1.8, label=label)


def line_swatch(colour: str, label: str, *, width: float) -> Line2D:
    """A legend line."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, linewidth=width, label=label)


def halo() -> list[Any]:
    """The white halo around map text (place names, cluster numbers)."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=HALO_WIDTH, foreground="white")]


def draw_footprint(ax: Axes, geometry: np.ndarray) -> None:
    """The cells with incidents, faint grey and seamless (edges in the fill colour)."""
    add_polygons(ax, geometry, FOOTPRINT, edgecolor=FOOTPRINT, linewidth=0.3, zorder=1)
