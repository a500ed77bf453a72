"""Study areas: turn what the user gave (a polygon, a file, or a rule over the incidents) into
one prepared polygon.

Three things live here so that every part of the package agrees on them:

- which incidents lie *far from the rest* (:func:`far_from_rest`), the rule behind both the load
  report's note and the grids' default study area;
- the incidents' *footprint* (:func:`footprint`), the default study area of a grid: the cells the
  incidents occupy, buffered by a neighbourhood, the far-away incidents left out;
- :func:`as_area_geometry`, which takes a shapely polygon, a GeoSeries, a GeoDataFrame or the
  path of a polygon file and returns one prepared polygon in the data's CRS.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from hotspot.errors import HotspotInputError

HULLS = ("convex", "concave", "bbox")
FOOTPRINT = "footprint"
AREA_NAMES = (FOOTPRINT, *HULLS)

# Far from the rest: further from the median point than FAR_FACTOR x the FAR_PERCENTILE-th
# percentile of all distances to it; judged only with at least FAR_MIN_POINTS incidents.
FAR_MIN_POINTS = 100
FAR_PERCENTILE = 99.0
FAR_FACTOR = 1.5

# The footprint: fewer core incidents than this and the default falls back to the buffered hull.
FOOTPRINT_MIN_POINTS = 100
CELLS_ON_SHORTER_SIDE = 50
CELLS_ON_LONGER_SIDE_MAX = 1000
FOOTPRINT_BUFFER_CELLS = 2
FOOTPRINT_HOLE_CELLS = 25


def nice_floor(value: float) -> float:
    """The largest of 1, 2, 2.5, 5 × 10^k not above ``value`` (never zero for value > 0).

    Examples
    --------
    >>> nice_floor(1107.0), nice_floor(0.031)
    (1000.0, 0.025)
    """
    exponent = math.floor(math.log10(value))
    for step in (5.0, 2.5, 2.0, 1.0):
        nice = step * 10.0**exponent
        if nice <= value * (1 + 1e-12):
            return float(nice) if nice >= 1 else float(f"{nice:.12g}")
    return float(10.0 ** (exponent - 1) * 5)


class FarAway(NamedTuple):
    """The outcome of the far-from-the-rest rule (see :func:`far_away`)."""

    mask: np.ndarray
    """True for each incident far from the rest."""
    limit: float
    """Metres from the median point beyond which an incident is far away (NaN: not judged)."""
    distance: np.ndarray
    """Metres from the median point, one per incident (empty when not judged)."""


def far_away(x: np.ndarray, y: np.ndarray) -> FarAway:
    """Which incidents lie far from the rest, with the limit and the distances behind it.

    An incident is far away when its distance to the median point (the coordinate-wise median)
    exceeds 1.5 times the 99th percentile of all those distances. With fewer than 100 incidents
    none is: the percentile would be the farthest incident itself.

    Parameters
    ----------
    x, y : ndarray
        Coordinates in metres.

    Returns
    -------
    FarAway
        ``mask`` (bool, one per incident), ``limit`` (metres) and ``distance`` (metres).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(0, 1000, 500), rng.normal(0, 1000, 500)
    >>> x[:3] = 60_000  # three incidents 60 km away
    >>> rule = far_away(x, y)
    >>> int(rule.mask.sum()), round(rule.limit / 1000, 1)
    (3, 4.9)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < FAR_MIN_POINTS:
        return FarAway(np.zeros(len(x), dtype=bool), math.nan, np.empty(0))
    distance = np.hypot(x - np.median(x), y - np.median(y))
    limit = FAR_FACTOR * float(np.percentile(distance, FAR_PERCENTILE))
    return FarAway(distance > limit, limit, distance)


def far_from_rest(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True for each incident far from the rest: the one rule of the load report and the grids.

    Parameters
    ----------
    x, y : ndarray
        Coordinates in metres.

    Returns
    -------
    ndarray of bool
        One per incident; see :func:`far_away` for the rule.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot._validate import incident_xy
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> int(far_from_rest(*incident_xy(inc)).sum())
    11
    """
    return far_away(x, y).mask


@dataclass(frozen=True)
class Footprint:
    """The incidents' footprint (see :func:`footprint`)."""

    geometry: shapely.Geometry
    scale: float
    buffer: float
    far_away: int
    occupied_cells: int
    filled_holes: int
    params: dict = field(default_factory=dict)

    @property
    def description(self) -> str:
        """One line for the methods paragraph of a report."""
        text = (
            f"the incidents' footprint: occupied {self.scale:,.0f} m cells buffered by "
            f"{self.buffer:,.0f} m"
        )
        if self.far_away:
            word = "incident" if self.far_away == 1 else "incidents"
            text += f", {self.far_away:,} far-away {word} left out"
        return text


def footprint(x: np.ndarray, y: np.ndarray, *, buffer: float | None = None) -> Footprint | None:
    """The incidents' footprint: where they are, at the scale of a neighbourhood.

    The incidents far from the rest (:func:`far_from_rest`) are left out. The others are binned
    into square cells of a *neighbourhood scale* ``s``; the occupied cells are merged, buffered
    by ``buffer`` (default ``2 s``), kept within the incidents' convex hull buffered by ``s``,
    and holes smaller than 25 cells (``25 s²``) are filled.

    Parameters
    ----------
    x, y : ndarray
        Coordinates in metres.
    buffer : float, optional
        Metres added around the occupied cells; default twice the neighbourhood scale.

    Returns
    -------
    Footprint or None
        ``geometry`` (a prepared polygon or multipolygon), ``scale``, ``buffer``, ``far_away``
        (incidents left out), ``occupied_cells``, ``filled_holes`` and ``description``. None when
        fewer than 100 incidents remain or they all lie on one line: a footprint would be noise,
        use a buffered hull (:func:`hull_of_points`).

    Notes
    -----
    The neighbourhood scale ``s`` is the largest of: the shorter side of the incidents' extent
    / 50 (the grids' automatic cell size), the longer side / 1000 (at most 1000 cells across)
    and the mean spacing of the distinct locations over their convex hull,
    ``sqrt(hull area / locations)`` (sparse data get coarser cells, so that a footprint of a
    few hundred points is not a scatter of islands); it is rounded down to 1, 2, 2.5 or 5 ×
    10^k metres. It does not depend on a grid's cell size, so grids of every size share it.

    Binning is numpy arithmetic; shapely merges the occupied cells (a coverage union) and
    buffers the merged outline once. Time O(n) in the incidents plus O(c log c) in the occupied
    cells (a few thousand for a city or county): about 0.1 s for the 241,000 Toronto incidents.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot._validate import incident_xy
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> fp = footprint(*incident_xy(inc))
    >>> fp.description
    "the incidents' footprint: occupied 1,000 m cells buffered by 2,000 m, 11 far-away incidents left out"
    >>> 1_353 < fp.geometry.area / 1e6 < 3_043  # within 1.5 x of the county's 2,029 km²
    True
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    far = far_from_rest(x, y)
    xc, yc = x[~far], y[~far]
    if len(xc) < FOOTPRINT_MIN_POINTS:
        return None
    locations = pd.unique(xc + 1j * yc)
    width, height = float(np.ptp(xc)), float(np.ptp(yc))
    hull = _convex_hull(locations.real, locations.imag)
    if not hull.area > 1e-6 * (width**2 + height**2):  # on one line (to rounding): no area
        return None
    spacing = math.sqrt(hull.area / len(locations))
    scale = nice_floor(
        max(
            min(width, height) / CELLS_ON_SHORTER_SIDE,
            max(width, height) / CELLS_ON_LONGER_SIDE_MAX,
            spacing,
        )
    )
    pad = FOOTPRINT_BUFFER_CELLS * scale if buffer is None else float(buffer)
    if not pad >= 0:
        raise HotspotInputError(f"buffer must be >= 0 metres, got {buffer}")
    cols, rows = occupied_cells(locations.real, locations.imag, scale)
    merged = shapely.coverage_union_all(
        shapely.box(cols * scale, rows * scale, (cols + 1) * scale, (rows + 1) * scale)
    )
    area = merged.buffer(pad, quad_segs=4) if pad > 0 else merged
    area = shapely.intersection(area, hull.buffer(scale, quad_segs=4))
    area, filled = fill_holes(area, FOOTPRINT_HOLE_CELLS * scale**2)
    shapely.prepare(area)
    return Footprint(
        geometry=area,
        scale=scale,
        buffer=pad,
        far_away=int(far.sum()),
        occupied_cells=len(cols),
        filled_holes=filled,
        params={
            "scale": scale,
            "buffer": pad,
            "within_hull_buffered_by": scale,
            "holes_filled_below_m2": FOOTPRINT_HOLE_CELLS * scale**2,
            "filled_holes": filled,
            "occupied_cells": len(cols),
        },
    )


def occupied_cells(x: np.ndarray, y: np.ndarray, cell_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Column and row numbers of the square cells holding at least one point.

    Cell ``(col, row)`` spans ``[col*s, (col+1)*s) x [row*s, (row+1)*s)``, aligned to multiples
    of ``s`` as the grids are. Each occupied cell appears once, ordered by row then column.

    Examples
    --------
    >>> occupied_cells(np.array([5.0, 15.0, 16.0, 5.0]), np.array([5.0, 5.0, 9.0, 25.0]), 10.0)
    (array([0, 1, 0]), array([0, 0, 2]))
    """
    col = np.floor(np.asarray(x, dtype=float) / cell_size).astype(np.int64)
    row = np.floor(np.asarray(y, dtype=float) / cell_size).astype(np.int64)
    c0, r0 = col.min(), row.min()
    n_cols = int(col.max() - c0) + 1
    n_rows = int(row.max() - r0) + 1
    key = (row - r0) * n_cols + (col - c0)
    if n_cols * n_rows <= 4 * len(key) + 1_000_000:
        taken = np.flatnonzero(np.bincount(key, minlength=n_cols * n_rows))
    else:  # a sparse extent: sorting is cheaper than a dense count
        taken = np.unique(key)
    return taken % n_cols + c0, taken // n_cols + r0


def fill_holes(area: shapely.Geometry, below: float) -> tuple[shapely.Geometry, int]:
    """``area`` with its holes smaller than ``below`` (m²) filled, and how many were filled.

    Examples
    --------
    >>> ring = shapely.box(0, 0, 10, 10).difference(shapely.box(4, 4, 6, 6))
    >>> filled, n = fill_holes(ring, 5.0)
    >>> filled.area, n
    (100.0, 1)
    >>> fill_holes(ring, 3.0)[0].area
    96.0
    """
    polygons = []
    filled = 0
    for part in shapely.get_parts(area):
        if not isinstance(part, shapely.Polygon):
            continue  # slivers of an intersection (lines, points) have no area
        keep = [ring for ring in part.interiors if shapely.Polygon(ring).area >= below]
        filled += len(part.interiors) - len(keep)
        polygons.append(shapely.Polygon(part.exterior, keep))
    if len(polygons) == 1:
        return polygons[0], filled
    return shapely.MultiPolygon(polygons), filled


def as_area_geometry(study_area: Any, crs: CRS | None) -> shapely.Geometry:
    """One prepared polygon from what the user gave as a study area.

    Parameters
    ----------
    study_area : shapely geometry, GeoSeries, GeoDataFrame, str or os.PathLike
        A shapely polygon (taken to be in ``crs``), a GeoSeries or GeoDataFrame (reprojected to
        ``crs``), or the path of a polygon file that geopandas reads (GeoPackage, GeoJSON,
        Shapefile, …; reprojected to ``crs``). Several polygons are merged into one.
    crs : pyproj.CRS or None
        The data's CRS; None leaves frames and files in their own CRS.

    Returns
    -------
    shapely.Geometry
        Prepared (fast repeated predicates).

    Raises
    ------
    HotspotInputError
        A path that does not exist, a name of a hull (those are built by the grids only), a
        frame or file without a CRS, or geometries without area.

    Examples
    --------
    >>> as_area_geometry(shapely.box(0, 0, 10, 10), None).area
    100.0
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "area.geojson")
    >>> gpd.GeoSeries([shapely.box(0, 0, 10, 10)], crs="EPSG:27700").to_file(path)
    >>> as_area_geometry(path, CRS.from_user_input("EPSG:27700")).area
    100.0
    """
    source = "study_area"
    if isinstance(study_area, str | os.PathLike):
        path = study_area
        study_area, source = _read_area_file(path), f"the study-area file {path}"
        if not isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
            raise HotspotInputError(
                f"{source} holds a table without geometry, not polygons; pass a polygon file "
                "(GeoPackage, GeoJSON, Shapefile) such as a force or city boundary."
            )
    if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
        if study_area.crs is None:
            if source == "study_area":
                raise HotspotInputError(
                    "study_area has no CRS; set it with study_area.set_crs(...) first."
                )
            raise HotspotInputError(
                f"{source} has no CRS (a Shapefile without its .prj, or a file written without "
                "one). Read it with geopandas.read_file(...), set its CRS with .set_crs(...) and "
                "pass the GeoDataFrame, or save the file again with its CRS."
            )
        frame = study_area.to_crs(crs) if crs is not None else study_area
        geom = shapely.union_all(frame.geometry.array)
    elif isinstance(study_area, shapely.Geometry):
        geom = study_area
    else:
        raise HotspotInputError(
            "study_area must be a shapely polygon (in the data's CRS), a GeoSeries, a "
            f"GeoDataFrame or the path of a polygon file, not {type(study_area).__name__}"
        )
    if geom.is_empty or geom.area == 0:
        raise HotspotInputError(f"{source} has no area; pass a polygon (or several).")
    shapely.prepare(geom)
    return geom


def _read_area_file(path: str | os.PathLike) -> gpd.GeoDataFrame:
    """The polygons of a study-area file; a clear error for a name or path that is neither."""
    if isinstance(path, str) and path in AREA_NAMES:
        raise HotspotInputError(
            f"study_area={path!r} names a study area built from incident points by "
            "hotspot.square_grid() and hotspot.hex_grid(); here pass a polygon, a GeoSeries, a "
            "GeoDataFrame or the path of a polygon file (or build a grid and pass "
            'grid.attrs["hotspot"]["study_area"]).'
        )
    file = Path(path).expanduser()
    if not file.exists():
        raise HotspotInputError(
            f"study_area={os.fspath(path)!r} is neither a study-area name ({', '.join(AREA_NAMES)}) "
            f"nor an existing file: no such path {str(file.resolve())!r}. Pass one of the names, "
            "the path of a GeoPackage, GeoJSON or Shapefile, or a polygon."
        )
    try:
        return gpd.read_file(file)
    except Exception as err:  # pyogrio raises its own errors for unreadable files
        raise HotspotInputError(
            f"could not read the study-area file {os.fspath(path)!r} ({err}); pass a "
            "GeoPackage, GeoJSON or Shapefile of polygons, or the polygons themselves."
        ) from err


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
    """The buffered convex hull, concave hull or bounding box of points (all of them)."""
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
