"""Cells: square and hexagonal grids clipped to a study area, and incident counts per cell.

Regular grids are aligned to multiples of the cell size in the CRS (the same cell has the same
outline in every analysis in that CRS) and keep the cells that touch the study area. Counting
into them is arithmetic, with no spatial join; the user's own polygons (LSOAs, beats) are
counted through a spatial index. Every incident inside the cells is counted exactly once, also
on a shared edge or vertex; incidents outside every cell are counted and reported.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._areas import (
    AREA_NAMES,
    CELLS_ON_SHORTER_SIDE,
    FOOTPRINT,
    FOOTPRINT_MIN_POINTS,
    far_from_rest,
    footprint,
    hull_of_points,
    nice_floor,
)
from hotspot._messages import announce, first_rows
from hotspot._period import period_of
from hotspot._result import stamp
from hotspot._validate import (
    check_cells,
    check_incidents,
    check_metres,
    check_same_crs,
    check_study_area,
    incident_xy,
    report_of,
    time_resolution,
)
from hotspot.errors import HotspotInputError
from hotspot.grid._binning import SQRT3, hex_centres, hex_positions, square_positions
from hotspot.places import labels_to_records, place_labels

__all__ = [
    "CELLS_ON_SHORTER_SIDE",
    "MAX_CELLS",
    "CellLocator",
    "assign_cells",
    "cell_locator",
    "cell_positions",
    "count_incidents",
    "hex_grid",
    "square_grid",
]

#: Most cells of a grid: the cells it keeps, those sharing some area with the study area.
MAX_CELLS = 5_000_000
#: Most cells of a grid's bounding box. A request beyond it (1 m cells over a country) is
#: refused at once, before any work; twenty times :data:`MAX_CELLS` leaves room for study areas
#: that fill little of their box (a coast, a river valley, a diagonal band).
MAX_BOX_CELLS = 20 * MAX_CELLS
#: Side, in cells, of the blocks a grid is built by. Each block is tested whole against the
#: study area: a block inside it keeps all its cells, a block outside it none; a block on its
#: boundary is split in four, down to blocks of ``LEAF_CELLS`` a side, whose cells are tested
#: one by one.
BLOCK_CELLS = 256
LEAF_CELLS = 16


def _source_geometry(
    source: Any, func: str
) -> tuple[np.ndarray, np.ndarray, Any, shapely.Geometry | None]:
    """Points (x, y, crs) of incidents, or the polygon of an area given as the grid's source."""
    if isinstance(source, gpd.GeoDataFrame | gpd.GeoSeries):
        if source.crs is None:
            raise HotspotInputError(
                f"{func}: the grid's source has no CRS; set it with .set_crs(...)."
            )
        geoms = source.geometry.array if isinstance(source, gpd.GeoDataFrame) else source.array
        types = set(np.unique(shapely.get_type_id(geoms)).tolist())
        if types <= {0}:
            if isinstance(source, gpd.GeoSeries):
                source = gpd.GeoDataFrame(geometry=source)
            check_incidents(source, "the grid's incidents")
            x, y = incident_xy(source)
            return x, y, source.crs, None
        if types <= {3, 6}:
            frame = (
                source
                if isinstance(source, gpd.GeoDataFrame)
                else gpd.GeoDataFrame(geometry=source)
            )
            check_cells(frame, "the grid's area")
            area = check_study_area(frame, frame.crs, func=func)
            return np.array([]), np.array([]), source.crs, area
        raise HotspotInputError(
            f"{func}: a grid is built over incident points or over polygons (the study area); "
            "got mixed or line geometries."
        )
    raise HotspotInputError(
        f"{func}: source= must be incidents (a GeoDataFrame of points) or an area (a "
        f"GeoDataFrame or GeoSeries of polygons), not a {type(source).__name__}."
    )


def _prepare(
    source: Any,
    cell_size: float | None,
    study_area: Any,
    buffer: float | None,
    quiet: bool,
    func: str,
) -> tuple[float, shapely.Geometry, Any, dict]:
    x, y, crs, source_area = _source_geometry(source, func)
    if buffer is not None:
        buffer = check_metres(buffer, "buffer", func=func, example="500", allow_zero=True)
    chosen: dict[str, Any] = {}
    far_away = 0
    extra: dict[str, Any] = {}
    area: shapely.Geometry | None = None
    kind: str | None = None
    fallback = ""
    if study_area is None and source_area is not None:
        area = source_area
        area_note = "the source polygons"
    elif study_area is None or (isinstance(study_area, str) and study_area in AREA_NAMES):
        kind = study_area or FOOTPRINT
        if source_area is not None:
            raise HotspotInputError(
                f"{func}: study_area={kind!r} is built from incident points, but the grid's "
                "source is polygons; pass the polygons or incidents."
            )
        if kind == FOOTPRINT:
            found = footprint(x, y, buffer=buffer)
            if found is None:
                kind = "convex"
                n_core = int((~far_from_rest(x, y)).sum())
                fallback = (
                    f" (too few incidents for a footprint: {n_core:,}, it needs "
                    f"{FOOTPRINT_MIN_POINTS})"
                    if n_core < FOOTPRINT_MIN_POINTS
                    else " (the incidents lie on one line: no footprint to trace)"
                )
            else:
                area, area_note, far_away = found.geometry, found.description, found.far_away
                extra["footprint"] = found.params
                if far_away:
                    announce(
                        f"study area: {area_note} (those the load report finds far from the "
                        "rest); count_incidents() counts them as outside every cell. Pass "
                        "study_area='convex' to keep them in",
                        quiet=quiet,
                    )
    else:
        area = check_study_area(study_area, crs, func=func)
        area_note = (
            f"given as the file {os.fspath(study_area)}"
            if isinstance(study_area, str | os.PathLike)
            else "given"
        )
    if area is not None:
        minx, miny, maxx, maxy = area.bounds
    else:
        minx, miny, maxx, maxy = x.min(), y.min(), x.max(), y.max()
    if cell_size is None:
        shorter = min(maxx - minx, maxy - miny)
        if not shorter > 0:
            shorter = max(maxx - minx, maxy - miny)
        if not shorter > 0:
            raise HotspotInputError(
                f"{func}: cannot choose a cell size: all incidents are on one location. Pass "
                "cell_size= in metres."
            )
        cell_size = nice_floor(shorter / CELLS_ON_SHORTER_SIDE)
        chosen["cell_size"] = cell_size
        whose = "the study area's" if area is not None else "the incidents'"
        announce(
            f"cell_size not given: using {cell_size:g} m (the shorter side of {whose} extent, "
            f"{shorter:,.0f} m, / {CELLS_ON_SHORTER_SIDE}, rounded down to a round number); "
            "pass cell_size= to choose",
            quiet=quiet,
        )
    else:
        cell_size = check_metres(cell_size, "cell_size", func=func, example="250")
    if area is None:
        pad = cell_size if buffer is None else float(buffer)
        area = hull_of_points(x, y, kind or "convex", pad)
        area_note = f"{kind} hull of the incidents buffered by {pad:g} m{fallback}"
    info = {
        "cell_size": float(cell_size),
        "study_area": area_note,
        "far_away": far_away,
        "chosen": chosen,
        **extra,
    }
    return float(cell_size), area, crs, info


def _overlaps_area(area: shapely.Geometry, cells: np.ndarray) -> np.ndarray:
    """Cells sharing some area with the study area (touching its boundary only is not enough)."""
    return np.asarray(shapely.intersects(area, cells) & ~shapely.touches(area, cells))


def _check_size(n: int, cell_size: float, func: str, *, bound: str = "about") -> None:
    """Refuse a grid keeping more than :data:`MAX_CELLS` cells (it keeps ``bound`` ``n``)."""
    if n > MAX_CELLS:
        raise HotspotInputError(
            f"{func}: a {cell_size:g} m grid over this study area would have {bound} {n:,} "
            f"cells (limit {MAX_CELLS:,}); use a larger cell_size or a smaller study_area."
        )


def _nice_ceil(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k not below ``value``."""
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        nice = step * 10.0**exponent
        if nice >= value * (1 - 1e-12):
            return float(f"{nice:.12g}")
    return float(10.0 ** (exponent + 1))  # pragma: no cover - 10.0 above always qualifies


def _check_box(
    box_cells: Callable[[float], int],
    cell_size: float,
    cell_area: float,
    area: float,
    func: str,
) -> int:
    """The number of cells of the grid's bounding box; refused above :data:`MAX_BOX_CELLS`.

    ``box_cells(s)`` counts the box's cells at cell size ``s``; ``cell_area`` is the area of
    one cell at ``cell_size``. The message suggests a round cell size whose box passes and
    whose area alone does not exceed :data:`MAX_CELLS` cells.
    """
    n_box = box_cells(cell_size)
    if n_box <= MAX_BOX_CELLS:
        return n_box
    shape = cell_area / cell_size**2
    size = _nice_ceil(cell_size * math.sqrt(n_box / MAX_BOX_CELLS))
    while box_cells(size) > MAX_BOX_CELLS or area / (shape * size**2) > MAX_CELLS:
        size = _nice_ceil(size * 1.001)
    raise HotspotInputError(
        f"{func}: the bounding box of this study area would hold {n_box:,} cells of "
        f"{cell_size:g} m (limit {MAX_BOX_CELLS:,} for the box; a grid keeps at most "
        f"{MAX_CELLS:,} cells, those sharing area with the study area). Use a larger "
        f"cell_size (cell_size={size:g} passes this check) or a smaller study_area (split a "
        "large area into parts and grid each)."
    )


def _block_cells(
    r_lo: np.ndarray, r_hi: np.ndarray, k_lo: np.ndarray, k_hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, position) of the blocks ``[r_lo, r_hi] x [k_lo, k_hi]``, block by block."""
    width = k_hi - k_lo + 1
    size = (r_hi - r_lo + 1) * width
    block = np.repeat(np.arange(len(size)), size)
    j = np.arange(int(size.sum()), dtype=np.int64) - np.repeat(np.cumsum(size) - size, size)
    return r_lo[block] + j // width[block], k_lo[block] + j % width[block]


def _quarters(
    r_lo: np.ndarray, r_hi: np.ndarray, k_lo: np.ndarray, k_hi: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The four quarters of each block (fewer for blocks one cell high or wide)."""
    r_mid, k_mid = (r_lo + r_hi) // 2, (k_lo + k_hi) // 2
    lo_r = np.concatenate([r_lo, r_lo, r_mid + 1, r_mid + 1])
    hi_r = np.concatenate([r_mid, r_mid, r_hi, r_hi])
    lo_k = np.concatenate([k_lo, k_mid + 1, k_lo, k_mid + 1])
    hi_k = np.concatenate([k_mid, k_hi, k_mid, k_hi])
    ok = (lo_r <= hi_r) & (lo_k <= hi_k)
    return lo_r[ok], hi_r[ok], lo_k[ok], hi_k[ok]


def _in_chunks(
    make: Callable[[np.ndarray, np.ndarray], np.ndarray], r: np.ndarray, k: np.ndarray
) -> np.ndarray:
    """``make(r, k)`` a block's worth of cells at a time (bounded temporary memory)."""
    step = BLOCK_CELLS * BLOCK_CELLS
    parts = [make(r[i : i + step], k[i : i + step]) for i in range(0, len(r), step)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=object)


def _kept_cells(
    area: shapely.Geometry,
    rows: tuple[int, int],
    widths: Callable[[np.ndarray], np.ndarray],
    covers: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    cells: Callable[[np.ndarray, np.ndarray], np.ndarray],
    limit: Callable[[int], None] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, position in the row and geometry of the cells that share area with ``area``.

    The cells are numbered by row ``r`` (``rows[0]`` to ``rows[1]``) and position ``k`` in
    the row (0 to ``widths(r) - 1``); the result is in that order, row by row. Rows are taken
    ``BLOCK_CELLS`` at a time, each strip cut into blocks of ``BLOCK_CELLS`` positions.
    ``covers(r_lo, r_hi, k_lo, k_hi)`` gives a polygon covering each block's cells: a block
    whose cover the area contains keeps all its cells, one whose cover misses the area keeps
    none, and the others are quartered down to ``LEAF_CELLS`` a side and their cells tested
    one by one (:func:`_overlaps_area`). ``limit(n)`` is called with the running count of
    kept cells, to refuse a grid as soon as it keeps too many.
    """
    shapely.prepare(area)
    out_r, out_k, out_geoms = [], [], []
    n_kept = 0
    for r_first in range(rows[0], rows[1] + 1, BLOCK_CELLS):
        r_last = min(r_first + BLOCK_CELLS - 1, rows[1])
        width = np.asarray(widths(np.arange(r_first, r_last + 1, dtype=np.int64)))
        n_k = int(width.max())
        starts = np.arange(0, n_k, BLOCK_CELLS, dtype=np.int64)
        blocks = (
            np.full(len(starts), r_first, dtype=np.int64),
            np.full(len(starts), r_last, dtype=np.int64),
            starts,
            np.minimum(starts + BLOCK_CELLS - 1, n_k - 1),
        )
        found_r, found_k = [], []
        while len(blocks[0]):
            r_lo, r_hi, k_lo, k_hi = blocks
            cover = covers(r_lo, r_hi, k_lo, k_hi)
            meets = shapely.intersects(area, cover)
            inside = np.zeros(len(cover), dtype=bool)
            inside[meets] = shapely.contains(area, cover[meets])
            edge = meets & ~inside
            leaf = edge & (r_hi - r_lo < LEAF_CELLS) & (k_hi - k_lo < LEAF_CELLS)
            for take, tested in ((inside, False), (leaf, True)):
                r, k = _block_cells(r_lo[take], r_hi[take], k_lo[take], k_hi[take])
                real = k < width[r - r_first]  # hexagon rows differ in length by one
                r, k = r[real], k[real]
                step = BLOCK_CELLS * BLOCK_CELLS if tested else max(len(r), 1)
                for i in range(0, len(r), step):  # a block's worth of cells at a time
                    rr, kk = r[i : i + step], k[i : i + step]
                    if tested:
                        keep = _cells_overlapping(area, cells(rr, kk))
                        rr, kk = rr[keep], kk[keep]
                    found_r.append(rr)
                    found_k.append(kk)
                    n_kept += len(rr)
                    if limit is not None:
                        limit(n_kept)
            blocks = _quarters(*(b[edge & ~leaf] for b in blocks))
        r = np.concatenate(found_r) if found_r else np.empty(0, dtype=np.int64)
        k = np.concatenate(found_k) if found_k else np.empty(0, dtype=np.int64)
        order = np.argsort((r - r_first) * n_k + k, kind="stable")
        r, k = r[order], k[order]
        out_r.append(r)
        out_k.append(k)
        out_geoms.append(_in_chunks(cells, r, k))
    return np.concatenate(out_r), np.concatenate(out_k), np.concatenate(out_geoms)


def _cells_overlapping(area: shapely.Geometry, cells: np.ndarray) -> np.ndarray:
    """:func:`_overlaps_area` of each cell, faster: the cells the (prepared) area holds in its
    interior are kept, the others it meets are tested by :func:`_overlaps_area` itself."""
    keep = np.asarray(shapely.intersects(area, cells))
    meet = np.flatnonzero(keep)
    edge = meet[~shapely.contains_properly(area, cells[meet])]
    keep[edge] = _overlaps_area(area, cells[edge])
    return keep


def _square_cells(r: np.ndarray, cols: np.ndarray, cell_size: float) -> np.ndarray:
    """The square cells ``(row, col)``: ``[col*s, (col+1)*s] x [row*s, (row+1)*s]``."""
    return shapely.box(cols * cell_size, r * cell_size, (cols + 1) * cell_size, (r + 1) * cell_size)


def _hexagons(q: np.ndarray, r: np.ndarray, cell_size: float) -> np.ndarray:
    """The pointy-top hexagons with axial coordinates ``(q, r)``."""
    cx, cy = hex_centres(q, r, cell_size)
    radius = cell_size / SQRT3
    angles = np.deg2rad(90 + 60 * np.arange(6))
    ring = np.stack(
        [cx[:, None] + radius * np.cos(angles), cy[:, None] + radius * np.sin(angles)], axis=-1
    )
    # Rounded to the micrometre so that neighbours share bit-identical vertices (polygon tools
    # such as libpysal's contiguity or a dissolve then see them as touching).
    ring = np.round(np.concatenate([ring, ring[:, :1]], axis=1), 6)
    return shapely.polygons(ring)


def _grid_params(cell_size: float, study_area: Any, buffer: float | None) -> dict[str, Any]:
    """The arguments a grid was made with, as plain values."""
    if study_area is None or isinstance(study_area, str):
        area = study_area
    elif isinstance(study_area, os.PathLike):
        area = os.fspath(study_area)
    else:
        area = "given"
    return {"cell_size": cell_size, "study_area": area, "buffer": buffer}


def square_grid(
    source: Any,
    cell_size: float | None = None,
    *,
    study_area: Any = None,
    buffer: float | None = None,
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """A grid of square cells over incidents or an area, keeping the cells that touch the area.

    Parameters
    ----------
    source : GeoDataFrame
        Incidents (points) or an area (polygons, e.g. a force or city boundary).
    cell_size : float, optional
        Side of a cell in metres. Default: the shorter side of the study area's extent / 50
        (of the incidents' extent for a hull), rounded down to 1, 2, 2.5 or 5 × 10^k metres;
        announced and recorded in ``attrs``.
    study_area : polygon, GeoSeries, GeoDataFrame, path or str, optional
        Cells that do not share some area with it are left out. One of:

        - a shapely polygon (in the incidents' CRS), a GeoSeries or GeoDataFrame of polygons
          (reprojected), or the path (str or :class:`pathlib.Path`) of a polygon file that
          geopandas reads: GeoPackage, GeoJSON, Shapefile… (reprojected; it needs a CRS);
        - ``"footprint"``, the default for incidents: where the incidents are, at the scale of
          a neighbourhood. The incidents far from the rest (those the load report flags) are
          left out; the others are binned into cells of a neighbourhood scale ``s`` (the
          shorter side of their extent / 50, coarser for sparse data, a round number), the
          occupied cells merged and buffered by ``buffer`` (default ``2 s``), kept within their
          convex hull buffered by ``s``, and holes under ``25 s²`` filled. The far-away
          incidents stay in the data and :func:`count_incidents` reports them as outside every
          cell. Fewer than 100 incidents: the convex hull, as below;
        - ``"convex"``, ``"concave"`` or ``"bbox"``: the convex hull, a concave hull or the
          bounding box of all the incidents, buffered by ``buffer`` (default one cell).

        Default: the polygons given as ``source``, else ``"footprint"``.
    buffer : float, optional
        Metres added around the footprint's occupied cells or around a hull (defaults above).
    quiet : bool, default=False
        Do not announce the automatic choices (the cell size; the far-away incidents left out).

    Returns
    -------
    GeoDataFrame
        One row per cell, index ``cell_id`` (0…n-1), columns ``row``, ``col`` (the cell spans
        ``[col*s, (col+1)*s] x [row*s, (row+1)*s]``) and ``geometry``. ``attrs["hotspot"]`` is
        stamped with kind ``"cells"``, method ``"square_grid"`` (the arguments under
        ``"square_grid"``) and no period (a grid alone covers none), and holds ``study_area``
        (the polygon; maps draw its outline) and ``grid``: ``cell_size``, ``study_area`` (a
        description for a report's methods), ``far_away`` (incidents left out of the
        footprint), ``chosen`` (automatic choices), ``footprint`` (its parameters, when used),
        ``shape``, ``n_cells`` and ``cell_area_m2``.

    Raises
    ------
    HotspotInputError
        A ``source`` that is neither points nor polygons, a ``cell_size`` or ``buffer`` that is
        not a number of metres, an unknown study area, a grid keeping more than 5 million
        cells (``MAX_CELLS``), or one whose bounding box holds more than 100 million
        (``MAX_BOX_CELLS``; refused before any work, with a cell size that passes).

    See Also
    --------
    hex_grid : The same with hexagons.
    count_incidents : Count incidents into the cells.

    Notes
    -----
    The grid is built block by block (blocks of 256 x 256 cells): a block inside the study area
    keeps all its cells, a block outside it none, and only the blocks on its boundary are
    split and their cells tested one by one. Memory and time are linear in the number of cells
    kept, plus one block, and in the length of the area's boundary (in cells), not in its
    bounding box: a thin or ragged area whose box holds up to 100 million cells is fine as
    long as it keeps at most 5 million. About 1 to 1.5 s per million squares kept (making the
    polygons is most of it) and about 470 bytes each (the frame and its polygons).

    The footprint costs O(n) numpy binning plus one buffer of the merged cells: about 0.1 s for
    the 241,000 Toronto incidents. Its scale does not depend on ``cell_size``: grids of every
    size over the same incidents share one study area.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> cells.attrs["hotspot"]["grid"]["cell_size"], float(cells.geometry.area.iloc[0])
    (1000.0, 1000000.0)
    >>> cells.attrs["hotspot"]["grid"]["study_area"]
    "the incidents' footprint: occupied 1,000 m cells buffered by 2,000 m, 11 far-away incidents left out"
    >>> hull = hs.square_grid(inc, 1000, study_area="convex", quiet=True)
    >>> round(cells.area.sum() / 1e6), round(hull.area.sum() / 1e6)  # km², the county is 2,029
    (2590, 6341)
    """
    cell_size, area, crs, info = _prepare(
        source, cell_size, study_area, buffer, quiet, "square_grid"
    )
    minx, miny, maxx, maxy = area.bounds
    c0, r0 = math.floor(minx / cell_size), math.floor(miny / cell_size)
    c1, r1 = math.floor(maxx / cell_size), math.floor(maxy / cell_size)

    def box_cells(size: float) -> int:
        n_cols = math.floor(maxx / size) - math.floor(minx / size) + 1
        return n_cols * (math.floor(maxy / size) - math.floor(miny / size) + 1)

    func = "square_grid"
    n_box = _check_box(box_cells, cell_size, cell_size**2, area.area, func)
    limit = None
    if n_box > MAX_CELLS:  # a box within the limit cannot keep more
        _check_size(math.floor(area.area / cell_size**2), cell_size, func, bound="at least")
        limit = partial(_check_size, cell_size=cell_size, func=func, bound="at least")

    n_cols = c1 - c0 + 1
    rows, k, boxes = _kept_cells(
        area,
        (r0, r1),
        lambda r: np.full(len(r), n_cols, dtype=np.int64),
        lambda r_lo, r_hi, k_lo, k_hi: shapely.box(
            (c0 + k_lo) * cell_size,
            r_lo * cell_size,
            (c0 + k_hi + 1) * cell_size,
            (r_hi + 1) * cell_size,
        ),
        lambda r, k: _square_cells(r, c0 + k, cell_size),
        limit,
    )
    cells = gpd.GeoDataFrame(
        {"row": rows.astype(np.int64), "col": (k + c0).astype(np.int64)},
        geometry=boxes,
        crs=crs,
        index=pd.RangeIndex(len(rows), name="cell_id"),
    )
    info.update(shape="square", n_cells=len(cells), cell_area_m2=cell_size**2)
    return stamp(
        cells,
        kind="cells",
        method="square_grid",
        params=_grid_params(cell_size, study_area, buffer),
        grid=info,
        study_area=area,
    )


def hex_grid(
    source: Any,
    cell_size: float | None = None,
    *,
    study_area: Any = None,
    buffer: float | None = None,
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """A grid of pointy-top hexagons over incidents or an area.

    Parameters
    ----------
    source : GeoDataFrame
        Incidents (points) or an area (polygons).
    cell_size : float, optional
        The distance between the centres of neighbouring hexagons (the width across flats), so
        a hexagon's area is ``sqrt(3)/2 * cell_size**2``. Default as in :func:`square_grid`.
    study_area : polygon, GeoSeries, GeoDataFrame, path or str, optional
        As in :func:`square_grid`: a polygon, frame or polygon file (GeoPackage, GeoJSON,
        Shapefile…), or ``"footprint"`` (the default for incidents: the occupied cells of a
        neighbourhood scale, buffered, the incidents far from the rest left out), ``"convex"``,
        ``"concave"`` or ``"bbox"``.
    buffer : float, optional
        Metres added around the footprint's occupied cells (default twice their size) or around
        a hull (default one cell).
    quiet : bool, default=False
        Do not announce the automatic choices.

    Returns
    -------
    GeoDataFrame
        Index ``cell_id``, columns ``hex_q``, ``hex_r`` (axial coordinates; the centre is at
        ``(s*(q + r/2), s*sqrt(3)/2*r)``) and ``geometry``; ``attrs["hotspot"]`` as in
        :func:`square_grid`, with method ``"hex_grid"``.

    Raises
    ------
    HotspotInputError
        As :func:`square_grid`.

    See Also
    --------
    square_grid : The same with squares; the study areas in detail.

    Notes
    -----
    Built block by block as :func:`square_grid` (rows of hexagons taken 256 at a time, 256
    hexagons a row): memory and time are linear in the number of hexagons kept, plus one
    block, and not in the bounding box, which may hold up to 100 million hexagons when at
    most 5 million are kept. About 2 to 3 s per million hexagons kept (making the
    polygons is most of it), about 540 bytes each.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.hex_grid(inc, 1000, quiet=True)
    >>> round(cells.geometry.area.iloc[0])
    866025
    >>> len(cells), cells.attrs["hotspot"]["grid"]["far_away"]
    (3061, 11)
    """
    cell_size, area, crs, info = _prepare(source, cell_size, study_area, buffer, quiet, "hex_grid")
    minx, miny, maxx, maxy = area.bounds
    row_step = 1.5 * cell_size / SQRT3
    r_lo, r_hi = math.floor(miny / row_step) - 1, math.ceil(maxy / row_step) + 1
    func = "hex_grid"

    def box_cells(size: float) -> int:  # rows x hexagons a row (the rows are padded)
        step = 1.5 * size / SQRT3
        n_rows = math.ceil(maxy / step) - math.floor(miny / step) + 3
        return n_rows * (math.ceil((maxx - minx) / size) + 4)

    hex_area = SQRT3 / 2 * cell_size**2
    _check_box(box_cells, cell_size, hex_area, area.area, func)
    limit = None
    if (r_hi - r_lo + 1) * (maxx - minx) / cell_size > MAX_CELLS:  # the box's estimate
        _check_size(math.floor(area.area / hex_area), cell_size, func, bound="at least")
        limit = partial(_check_size, cell_size=cell_size, func=func, bound="at least")

    def first_q(r: np.ndarray) -> np.ndarray:  # the row's first hexagon: the box, padded
        return (np.floor(minx / cell_size - r / 2.0) - 1).astype(np.int64)

    def widths(r: np.ndarray) -> np.ndarray:
        last = (np.ceil(maxx / cell_size - r / 2.0) + 1).astype(np.int64)
        return last - first_q(r) + 1

    # Hexagon (q, r) spans x in cell_size * (q + r / 2) +- cell_size / 2 and y in
    # row_step * r +- radius; its vertices are rounded to the micrometre, so the covers are
    # padded by far more than that.
    radius = cell_size / SQRT3
    pad = 1e-3 * cell_size + 1e-5 + 1e-12 * max(abs(minx), abs(maxx), abs(miny), abs(maxy))

    def covers(
        lo_r: np.ndarray, hi_r: np.ndarray, lo_k: np.ndarray, hi_k: np.ndarray
    ) -> np.ndarray:
        shift_lo = np.empty(len(lo_r))
        shift_hi = np.empty(len(lo_r))
        spans, which = np.unique(np.stack([lo_r, hi_r]), axis=1, return_inverse=True)
        which = which.ravel()
        for n, (a, b) in enumerate(spans.T):
            rr = np.arange(a, b + 1, dtype=np.int64)
            shift = first_q(rr) + rr / 2.0
            shift_lo[which == n], shift_hi[which == n] = shift.min(), shift.max()
        return shapely.box(
            cell_size * (lo_k + shift_lo) - cell_size / 2 - pad,
            row_step * lo_r - radius - pad,
            cell_size * (hi_k + shift_hi) + cell_size / 2 + pad,
            row_step * hi_r + radius + pad,
        )

    r, k, hexagons = _kept_cells(
        area,
        (r_lo, r_hi),
        widths,
        covers,
        lambda r, k: _hexagons(first_q(r) + k, r, cell_size),
        limit,
    )
    cells = gpd.GeoDataFrame(
        {"hex_q": (first_q(r) + k).astype(np.int64), "hex_r": r.astype(np.int64)},
        geometry=hexagons,
        crs=crs,
        index=pd.RangeIndex(len(r), name="cell_id"),
    )
    info.update(shape="hex", n_cells=len(cells), cell_area_m2=SQRT3 / 2 * cell_size**2)
    return stamp(
        cells,
        kind="cells",
        method="hex_grid",
        params=_grid_params(cell_size, study_area, buffer),
        grid=info,
        study_area=area,
    )


def _grid_info(cells: gpd.GeoDataFrame) -> dict | None:
    grid = report_of(cells).get("grid")
    if not isinstance(grid, dict):
        return None
    needed = {"square": ("row", "col"), "hex": ("hex_q", "hex_r")}.get(grid.get("shape"))
    if needed is None or not all(c in cells.columns for c in needed):
        return None
    return grid


def cell_positions(
    incidents: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, *, quiet: bool = True
) -> tuple[np.ndarray, str]:
    """Row position in ``cells`` of the cell holding each incident (-1: in none), and the method.

    Parameters
    ----------
    incidents : GeoDataFrame
        Points, in the CRS of ``cells``.
    cells : GeoDataFrame
        A grid from :func:`square_grid` / :func:`hex_grid`, or any polygons.
    quiet : bool, default=True
        Do not announce that a grid is counted by its geometries (see below). Quiet by
        default, unlike :func:`count_incidents`: this is a building block, and the function
        that calls it decides (``count_incidents`` passes its own ``quiet``).

    Returns
    -------
    positions : numpy.ndarray
        int64, one per incident.
    method : str
        How the cells were found, for the counts' metadata.

    Notes
    -----
    A regular grid is binned arithmetically from its stored ``row``/``col`` (``hex_q``/
    ``hex_r``) and ``attrs`` cell size, but only after checking that every cell's geometry is
    the square (hexagon) those name: bounding box and area, vectorised, about 0.1 s per
    million cells (for a square the two pin the polygon down; a hexagon with the right box,
    and so centre, and area is all but certainly the right one). When a cell is not (the grid
    was moved, clipped to a coastline or re-indexed, or two grids were put together) the
    geometries win, as the maps show them: the cells are found with a spatial index (slower),
    which is announced unless ``quiet``. A subset of a grid's cells still counts
    arithmetically. Refusing instead would turn away a grid clipped to a coastline on purpose.
    """
    x, y = incident_xy(incidents)
    locator = cell_locator(cells, quiet=quiet)
    return locator.positions(x, y), locator.method


@dataclass(frozen=True)
class CellLocator:
    """Finds the cell holding points: by arithmetic on a regular grid's stored indices (checked
    once against its geometries), else with a spatial index over the cells' geometries.

    A regular grid's locator holds only its indices (two int32 arrays), not its polygons: it
    is what :mod:`hotspot.scale` sends to each worker (a 2.4-million-cell grid: 19 MB instead
    of some 260 MB of polygons).

    Attributes
    ----------
    shape : {"square", "hex", "polygons"}
    cell_size : float or None
    first, second : ndarray or None
        ``row``/``col`` (squares) or ``hex_q``/``hex_r`` (hexagons).
    geometries : GeometryArray or None
        The polygons, for ``"polygons"``.
    method : str
        How the cells are found, as the counts' metadata records it.
    """

    shape: str
    cell_size: float | None
    first: np.ndarray | None
    second: np.ndarray | None
    geometries: Any
    method: str

    def positions(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Row position in the cells of the cell holding each point (-1: in none)."""
        if self.shape == "square":
            return square_positions(x, y, cell_size=self.cell_size, row=self.first, col=self.second)
        if self.shape == "hex":
            return hex_positions(x, y, cell_size=self.cell_size, q=self.first, r=self.second)
        tree = shapely.STRtree(self.geometries)
        point_idx, cell_idx = tree.query(shapely.points(x, y), predicate="intersects")
        none = np.iinfo(np.int64).max
        pos = np.full(len(x), none, dtype=np.int64)
        # A point on a shared boundary matches several cells: it goes to the first in order.
        np.minimum.at(pos, point_idx, cell_idx)
        pos[pos == none] = -1
        return pos


def cell_locator(cells: gpd.GeoDataFrame, *, quiet: bool = True) -> CellLocator:
    """The :class:`CellLocator` of ``cells`` (see :func:`cell_positions` for the rules).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> locator = cell_locator(hs.square_grid(inc, 1000, quiet=True))
    >>> locator.method, locator.geometries is None
    ('arithmetic (square grid)', True)
    """
    grid = _grid_info(cells)
    note = ""
    if grid is not None:
        mismatch = _grid_mismatch(cells, grid)
        if mismatch is None:
            square = grid["shape"] == "square"
            first, second = ("row", "col") if square else ("hex_q", "hex_r")
            return CellLocator(
                shape="square" if square else "hex",
                cell_size=grid["cell_size"],
                first=cells[first].to_numpy().astype(np.int32),
                second=cells[second].to_numpy().astype(np.int32),
                geometries=None,
                method=f"arithmetic ({'square' if square else 'hexagonal'} grid)",
            )
        maker = "square_grid" if grid["shape"] == "square" else "hex_grid"
        announce(
            f"{mismatch}; the cells were found from their geometries with a spatial index "
            f"instead (slower). A grid rebuilt with hotspot.{maker}() counts by arithmetic",
            quiet=quiet,
        )
        note = f"; the grid's stored indices do not match its geometry: {mismatch}"
    return CellLocator(
        shape="polygons",
        cell_size=None,
        first=None,
        second=None,
        geometries=cells.geometry.array,
        method=f"spatial index (STRtree, intersects){note}",
    )


def _check_overlap(incidents: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> None:
    """Refuse cells whose bounding box does not meet the incidents' (touching is meeting)."""
    x, y = incident_xy(incidents)
    ok = np.isfinite(x) & np.isfinite(y)
    cx0, cy0, cx1, cy1 = cells.total_bounds
    if not ok.any() or not np.isfinite([cx0, cy0, cx1, cy1]).all():
        return
    ix0, iy0, ix1, iy1 = x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max()
    gap_x = max(cx0 - ix1, ix0 - cx1, 0.0)
    gap_y = max(cy0 - iy1, iy0 - cy1, 0.0)
    if gap_x == 0 and gap_y == 0:
        return
    crs = cells.crs if cells.crs is not None else incidents.crs
    label = f"both in {crs.to_string()}" if crs is not None else "neither has a CRS"

    def span(x0: float, y0: float, x1: float, y1: float) -> str:
        return f"x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to {y1:,.0f}"

    raise HotspotInputError(
        f"the cells ({span(cx0, cy0, cx1, cy1)}) do not overlap the incidents "
        f"({span(ix0, iy0, ix1, iy1)}) at all: they are {math.hypot(gap_x, gap_y) / 1000:,.1f} "
        f"km apart ({label}), so no incident could be counted. Probably one of them was made "
        "in another CRS and labelled wrongly (.set_crs() where .to_crs() was needed), or the "
        "grid was made for another area; build it from these incidents, e.g. "
        "hotspot.square_grid(incidents, cell_size)."
    )


def _grid_mismatch(cells: gpd.GeoDataFrame, grid: dict) -> str | None:
    """Why the cells are not the squares (hexagons) their stored indices name, or None."""
    square = grid["shape"] == "square"
    names = ("row", "col") if square else ("hex_q", "hex_r")
    a, b = (cells[name].to_numpy() for name in names)
    which = f"{names[0]}/{names[1]}"
    if not all(np.issubdtype(v.dtype, np.integer) for v in (a, b)):
        return f"the cells' {which} columns are not integers ({a.dtype}, {b.dtype})"
    size = grid.get("cell_size")
    if isinstance(size, bool) or not isinstance(size, int | float) or not 0 < size < np.inf:
        return f"the grid's cell_size in attrs is {size!r}, not a positive number of metres"
    twice = pd.DataFrame({"a": a, "b": b}).duplicated(keep=False).to_numpy()
    if twice.any():
        return (
            f"{int(twice.sum()):,} cells share their {which} with another (cells "
            f"{first_rows(cells.index[twice])}: two grids put together?)"
        )
    if square:
        x0, y0, area = b * size, a * size, size * size
        expected = np.column_stack([x0, y0, x0 + size, y0 + size])
    else:
        cx, cy = hex_centres(a, b, size)
        radius = size / SQRT3
        expected = np.column_stack([cx - size / 2, cy - radius, cx + size / 2, cy + radius])
        area = SQRT3 / 2 * size * size
    geoms = cells.geometry.array
    tol = 1e-6 * size + 1e-5  # hexagon vertices are rounded to the micrometre
    with np.errstate(invalid="ignore"):  # empty geometries have NaN bounds: not the cell
        off = ~(np.abs(shapely.bounds(geoms) - expected) <= tol).all(axis=1)
        off |= ~(np.abs(shapely.area(geoms) - area) <= 1e-4 * area)
    if not off.any():
        return None
    return (
        f"{int(off.sum()):,} of {len(cells):,} cells are not the "
        f"{'squares' if square else 'hexagons'} their {which} give (cells "
        f"{first_rows(cells.index[off])}: moved, clipped or re-indexed?)"
    )


def assign_cells(incidents: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> pd.Series:
    """The id of the cell holding each incident (``<NA>`` when it is in no cell).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> ids = hs.assign_cells(inc, hs.square_grid(inc, 1000, quiet=True))
    >>> int(ids.isna().sum())  # the far-away incidents, left out of the default study area
    11
    """
    check_incidents(incidents)
    check_cells(cells)
    check_same_crs(incidents, cells, ("incidents", "cells"))
    pos, _ = cell_positions(incidents, cells)
    ids = pd.Series(
        pd.NA, index=incidents.index, dtype=pd.Int64Dtype() if _int_index(cells) else object
    )
    inside = pos >= 0
    ids[inside] = cells.index.to_numpy()[pos[inside]]
    ids.name = cells.index.name or "cell_id"
    return ids


def _int_index(cells: gpd.GeoDataFrame) -> bool:
    return pd.api.types.is_integer_dtype(cells.index.dtype)


def _incident_weights(incidents: gpd.GeoDataFrame, weights: Any) -> tuple[np.ndarray, str]:
    """Per-incident weights as floats (finite, 0 or more) and what they were (a column name)."""
    func = "count_incidents"
    if isinstance(weights, str):
        if weights not in incidents.columns:
            have = ", ".join(map(str, incidents.columns))
            raise HotspotInputError(
                f"{func}: incident_weights={weights!r} is not a column of the incidents "
                f"(columns: {have}); pass a column name or an array of one weight per incident, "
                "e.g. the 'harm' column of hotspot.incidents.harm_weights(incidents, table)."
            )
        raw, name = incidents[weights], weights
    elif isinstance(weights, pd.DataFrame) or np.ndim(weights) != 1:
        raise HotspotInputError(
            f"{func}: incident_weights= is a {type(weights).__name__}; pass a column name or "
            "an array of one weight per incident."
        )
    else:
        if isinstance(weights, pd.Series) and not weights.index.equals(incidents.index):
            raise HotspotInputError(
                f"{func}: incident_weights= is a Series whose index is not the incidents' "
                "index; align it first (weights.reindex(incidents.index)) or pass its values."
            )
        raw, name = pd.Series(np.asarray(weights)), "array"
        if len(raw) != len(incidents):
            raise HotspotInputError(
                f"{func}: incident_weights= has {len(raw):,} values for {len(incidents):,} "
                "incidents; pass one weight per incident."
            )
    if pd.api.types.is_bool_dtype(raw.dtype):
        raise HotspotInputError(
            f"{func}: incident_weights={name!r} holds True/False, not numbers; pass numeric "
            "weights, 0 or more."
        )
    values = pd.to_numeric(pd.Series(raw.to_numpy(), dtype=object), errors="coerce")
    values = values.to_numpy(dtype=float)
    problems = {
        "missing or non-numeric": ~np.isfinite(values) & ~np.isinf(values),
        "infinite": np.isinf(values),
        "negative": values < 0,
    }
    for what, bad in problems.items():
        if bad.any():
            raise HotspotInputError(
                f"{func}: incident_weights={name!r} has {int(bad.sum()):,} {what} values "
                f"(incidents {first_rows(incidents.index[bad])}); every weight must be a finite "
                "number, 0 or more: fill or drop those incidents first."
            )
    return values, name


def count_incidents(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    incident_weights: Any = None,
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """Count incidents per cell, and optionally sum their weights (harm) per cell.

    Parameters
    ----------
    incidents : GeoDataFrame
        Points from :func:`hotspot.read_incidents`.
    cells : GeoDataFrame
        A grid from :func:`square_grid` / :func:`hex_grid` (binned arithmetically), or any
        polygons with a unique index, e.g. LSOAs or police beats (binned with a spatial index).
    incident_weights : str or array-like, optional
        A weight per incident, e.g. its harm: the name of a column of ``incidents`` (such as
        the ``harm`` column of :func:`hotspot.incidents.harm_weights`) or an array (or a Series
        on the incidents' index) of one number per incident. Weights must be finite and 0 or
        more; missing, infinite or negative ones are an error naming the incidents.
    quiet : bool, default=False
        Do not announce incidents that fall outside every cell, nor a grid counted by its
        geometries (below).

    Returns
    -------
    GeoDataFrame
        A copy of ``cells`` with an integer ``count`` column, stamped with kind ``"cells"``,
        method ``"count_incidents"`` and the period of the counted incidents, over what the
        cells carried (their ``grid`` and ``study_area``). ``attrs["hotspot"]["counts"]``
        holds ``incidents``, ``counted``, ``outside`` (``incidents == counted + outside``),
        ``method`` (how the cells were found) and ``period`` (first and last day counted).

        With ``incident_weights`` the cells also get a float ``count_weighted`` column, the sum
        of the weights of the incidents in each cell (``count`` is unchanged), and
        ``attrs["hotspot"]["counts"]`` also holds ``weights`` (the column name, or
        ``"array"``), ``weighted_total``, ``weighted_counted`` and ``weighted_outside``
        (``weighted_total == weighted_counted + weighted_outside`` up to rounding) and, when
        the column came from :func:`hotspot.incidents.harm_weights`, its record as
        ``harm_weights``. Gi*, LISA and the maps run on the weighted count with
        ``column="count_weighted"``: ``hotspot.gistar(cells, column="count_weighted")``,
        ``hotspot.lisa(cells, column="count_weighted")``,
        ``hotspot.maps.counts_map(cells, "count_weighted")``.

    Raises
    ------
    HotspotInputError
        When the cells do not overlap the incidents' extent at all (the message shows both
        extents): a grid made in another CRS, or for another area, would count nothing.

    Notes
    -----
    An incident on an edge or vertex shared by several cells is counted once (in the cell above
    or to the right for squares; in the first cell in index order for polygons). Time O(n) for
    grids, O(n log m) for polygons.

    A grid is counted by arithmetic on its stored ``row``/``col`` (``hex_q``/``hex_r``) only
    when every cell's geometry is the square (hexagon) they name; a grid whose geometries were
    moved, clipped or re-indexed is counted by its geometries instead, with a note: the
    geometries are what the maps show (see :func:`cell_positions`).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 500, quiet=True), quiet=True)
    >>> counts = cells.attrs["hotspot"]["counts"]
    >>> counts["counted"] + counts["outside"] == len(inc), counts["outside"]
    (True, 11)

    Weighted by a made-up harm table (not published weights):

    >>> from hotspot.incidents.harm import harm_weights
    >>> harmed = harm_weights(inc, {"Burglary": 5.0, "Robbery": 20.0}, default=1.0)
    >>> cells = hs.count_incidents(
    ...     harmed, hs.hex_grid(inc, 500, quiet=True), incident_weights="harm", quiet=True
    ... )
    >>> c = cells.attrs["hotspot"]["counts"]
    >>> c["weighted_counted"] + c["weighted_outside"] == c["weighted_total"] == float(harmed["harm"].sum())
    True
    >>> float(cells["count_weighted"].sum()) == c["weighted_counted"]
    True
    """
    if getattr(type(incidents), "is_lazy_incidents", False) is True:  # hotspot.scale: Dask
        return incidents.count_incidents(cells, incident_weights=incident_weights, quiet=quiet)
    check_incidents(incidents)
    check_cells(cells)
    check_same_crs(incidents, cells, ("incidents", "cells"))
    weights = None
    if incident_weights is not None:
        weights, weights_name = _incident_weights(incidents, incident_weights)
    _check_overlap(incidents, cells)
    pos, method = cell_positions(incidents, cells, quiet=quiet)
    inside = pos >= 0
    counts = np.bincount(pos[inside], minlength=len(cells)).astype(np.int64)
    out = cells.copy()
    if "count" in out.columns:
        announce("cells already had a 'count' column; it was replaced", quiet=quiet)
    out["count"] = counts
    if weights is not None:
        if "count_weighted" in out.columns:
            announce("cells already had a 'count_weighted' column; it was replaced", quiet=quiet)
        out["count_weighted"] = np.bincount(
            pos[inside], weights=weights[inside], minlength=len(cells)
        ).astype(float)
    outside = int((~inside).sum())
    if outside:
        far = (report_of(cells).get("grid") or {}).get("far_away") or 0
        why = (
            f" ({far:,} are the far-away incidents the grid's default study area leaves out; "
            "study_area='convex' keeps them in)"
            if far
            else ""
        )
        announce(
            f"{outside:,} of {len(incidents):,} incidents lie outside every cell and were not "
            f"counted{why}; hotspot.assign_cells() shows which",
            quiet=quiet,
        )
    counted = {
        "incidents": len(incidents),
        "counted": int(counts.sum()),
        "outside": outside,
        "method": method,
    }
    extra: dict[str, Any] = {}
    period = None
    if "time" in incidents.columns and inside.any():
        period = period_of(incidents["time"].to_numpy()[inside], time_resolution(incidents))
        if period is not None:
            counted["period"] = (period["start"], period["end"])
    params = {"column": "count", "cells_found_by": method}
    if weights is not None:
        counted.update(
            weights=weights_name,
            weighted_total=math.fsum(weights.tolist()),
            weighted_counted=math.fsum(weights[inside].tolist()),
            weighted_outside=math.fsum(weights[~inside].tolist()),
        )
        harm = report_of(incidents).get("harm_weights")
        if weights_name == "harm" and isinstance(harm, dict):
            counted["harm_weights"] = harm
        params.update(weighted_column="count_weighted", incident_weights=weights_name)
    extra["counts"] = counted
    source = report_of(incidents).get("load_report")
    if source is not None:
        extra["incidents_report"] = source.to_dict()
    places = place_labels(incidents[inside]) if inside.any() else None
    if places is not None:  # where the counted incidents are, by the data's own area names
        extra["places"] = labels_to_records(places)
    out.attrs = dict(out.attrs)  # a dict of its own: stamping it leaves the cells' alone
    return stamp(
        out,
        kind="cells",
        method="count_incidents",
        params=params,
        source=cells,
        period=period,
        **extra,
    )
